"""Reference outputs for the tests: the engine's host reference (autodeploy.reference), which runs
LiteRT or TFLM in a child process so an abort inside them is reported instead of killing pytest."""

from __future__ import annotations

from autodeploy.reference import ReferenceFailed, run_reference

__all__ = ["ReferenceFailed", "reference_outputs", "run_reference"]


def reference_outputs(model_bytes: bytes, input_sets) -> tuple[str, list]:
    """LiteRT BUILTIN_REF outputs, or TFLM's where LiteRT refuses the model; names the engine.
    Unlike reference_outputs_with_fallback it never falls back to optimized kernels."""
    try:
        return "litert", run_reference("litert", model_bytes, input_sets)
    except ReferenceFailed as litert_error:
        try:
            return "tflm", run_reference("tflm", model_bytes, input_sets)
        except ReferenceFailed as tflm_error:
            raise ReferenceFailed(f"{litert_error}; {tflm_error}") from None
