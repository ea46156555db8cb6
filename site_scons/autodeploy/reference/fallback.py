"""Picks the host reference for a model: the most trustworthy interpreter that runs it.

Order: LiteRT BUILTIN_REF (TFLite's reference kernels, what the runtime is bit-exact with), then
the TFLM host interpreter (also reference kernels), then LiteRT's optimized kernels (the last
resort, e.g. for MobileNetV3-small whose 7.8e-9 logits scale makes both reference SOFTMAX
kernels abort). The result says which one answered and why the earlier ones were refused."""

from __future__ import annotations

from dataclasses import dataclass, field

from .runner import KINDS, ReferenceFailed, run_reference


@dataclass(frozen=True)
class ReferenceResult:
    kind: str  # one of runner.KINDS
    outputs: list  # per input set, a list of numpy arrays (one per model output)
    refused: list[str] = field(default_factory=list)  # why earlier kinds were not used


def reference_outputs_with_fallback(model_bytes: bytes, input_sets) -> ReferenceResult:
    refused = []
    for kind in KINDS:
        try:
            return ReferenceResult(kind, run_reference(kind, model_bytes, input_sets), refused)
        except ReferenceFailed as err:
            refused.append(str(err))
    raise ReferenceFailed(
        "no host reference could run the model: " + "; ".join(refused) + ". Check the model "
        "with another TFLite interpreter; the board's outputs cannot be validated."
    )


def layer_output_crcs(model_bytes: bytes, inputs, earlier=()) -> tuple[str, dict[int, int]]:
    """(kind, {operator index: CRC-32 of its first output}) for one input set, from LiteRT's
    reference kernels or, where those refuse the model, its optimized ones. A stateful model
    first runs the `earlier` input sets, so its state is the one `inputs` met on the board."""
    errors = []
    sequence = [*earlier, inputs]
    for kind in ("litert-layers", "litert-optimized-layers"):
        try:
            return kind.removesuffix("-layers"), run_reference(kind, model_bytes, sequence)
        except ReferenceFailed as err:
            errors.append(str(err))
    raise ReferenceFailed("; ".join(errors))
