"""Error types the tool raises on bad input. Each carries a message a user can act on.

The SCons tool catches AutodeployError and prints its message without a traceback. InputError
marks the errors a user fixes in their own input (configuration, model file, dataset, placement)
rather than in the tools or the board; the `autodeploy` command exits 2 on them.
"""


class AutodeployError(Exception):
    """Base of every error the tool reports to the user as a plain message."""


class InputError(AutodeployError):
    """The user's input is wrong: models.yaml, a platform file, the .tflite or the dataset."""


class ConfigError(InputError):
    """models.yaml or a platform YAML is invalid. The message names file, key path and line."""


class TfliteFormatError(InputError):
    """A .tflite file is truncated, corrupt or not a TFLite flatbuffer."""


class PlacementError(InputError):
    """A model or arena does not fit the memory it was placed in."""


class UnsupportedModelError(InputError):
    """The model uses an op or parameter combination the runtime cannot run."""


class DatasetError(InputError):
    """A dataset's arrays do not fit the model's inputs (file, shape, dtype or sample count)."""


class ValidationError(AutodeployError):
    """The board's outputs differ from the host reference's."""
