"""Error types the tool raises on bad input. Each carries a message a user can act on.

The SCons tool catches AutodeployError and prints its message without a traceback.
"""


class AutodeployError(Exception):
    """Base of every error the tool reports to the user as a plain message."""


class ConfigError(AutodeployError):
    """models.yaml or a platform YAML is invalid. The message names file, key path and line."""


class TfliteFormatError(AutodeployError):
    """A .tflite file is truncated, corrupt or not a TFLite flatbuffer."""


class PlacementError(AutodeployError):
    """A model or arena does not fit the memory it was placed in."""


class UnsupportedModelError(AutodeployError):
    """The model uses an op or parameter combination the runtime cannot run."""
