"""Host reference: what the model should output, from LiteRT or TFLM, run in a child process."""

from .fallback import ReferenceResult, layer_output_crcs, reference_outputs_with_fallback
from .runner import KINDS, ReferenceFailed, run_reference

__all__ = [
    "KINDS",
    "ReferenceFailed",
    "ReferenceResult",
    "layer_output_crcs",
    "reference_outputs_with_fallback",
    "run_reference",
]
