"""Helpers shared by the 16x8 lowerings (int16 activations, int8 weights)."""

from __future__ import annotations

from autodeploy.codegen.lower.registry import Unsupported
from autodeploy.codegen.quant import UnsupportedActivation, activation_range, f32
from autodeploy.tflite.model import Operator, Tensor


def require_int16(op: Operator, *tensors: Tensor) -> None:
    """Each tensor is int16, quantized per tensor with zero point 0 (TFLite's 16x8 kernels take
    only symmetric int16 activations)."""
    for t in tensors:
        if t.dtype != "INT16":
            raise Unsupported(f"{op.opcode} with {t.dtype} tensor '{t.name}' (expected int16)")
        q = t.quantization
        if q is None or not q.scale:
            raise Unsupported(f"{op.opcode} with unquantized int16 tensor '{t.name}'")
        if len(q.scale) != 1:
            raise Unsupported(f"{op.opcode} with int16 tensor '{t.name}' quantized per channel")
        if not f32(q.scale[0]) > 0.0:
            raise Unsupported(f"{op.opcode} with int16 tensor '{t.name}' of scale {q.scale[0]}")
        if any(z != 0 for z in q.zero_point):
            raise Unsupported(
                f"{op.opcode} with int16 tensor '{t.name}' of zero point {q.zero_point[0]} "
                "(16-bit activations must be symmetric: zero point 0)"
            )


def scale_of(t: Tensor) -> float:
    return f32(t.quantization.scale[0])


def act_range_s16(op: Operator, out: Tensor) -> tuple[int, int]:
    """The fused activation's clamp range on an int16 output (zero point 0)."""
    try:
        act = op.options.get("fused_activation_function", "NONE")
        return activation_range(act, scale_of(out), 0, "INT16")
    except UnsupportedActivation as e:
        raise Unsupported(f"{op.opcode} with {e}") from None
