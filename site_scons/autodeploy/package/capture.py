"""One input set and the host reference's outputs for it: what the example checks on the board."""

from __future__ import annotations

from dataclasses import dataclass

from autodeploy.reference import reference_outputs_with_fallback
from autodeploy.rpc.inputs import analysis_inputs

#: Reference kinds whose int8 kernels the runtime reproduces bit for bit.
EXACT_KINDS = ("litert", "tflm")


@dataclass(frozen=True)
class CapturedExample:
    inputs: list[bytes]  # per model input, in order
    outputs: list[bytes]  # per model output, as the reference computed them
    kind: str  # which reference answered (autodeploy.reference.KINDS)
    seed: int

    @property
    def exact(self) -> bool:
        """The runtime is bit-exact with this reference (otherwise the check may fail by a few
        least significant bits, see README)."""
        return self.kind in EXACT_KINDS


def capture_example(analysis: dict, tflite: bytes, seed: int) -> CapturedExample:
    """Run 0 of the board's seeded inputs for `seed`, and the reference outputs for them."""
    inputs = analysis_inputs(analysis, seed, 0)
    result = reference_outputs_with_fallback(tflite, [inputs])
    return CapturedExample(
        inputs=[a.tobytes() for a in inputs],
        outputs=[a.tobytes() for a in result.outputs[0]],
        kind=result.kind,
        seed=seed,
    )
