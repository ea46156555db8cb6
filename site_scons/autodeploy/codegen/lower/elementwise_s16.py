"""ADD, SUB and MUL with 16-bit activations (int16, zero point 0), with broadcasting.

Quantization as LiteRT's Prepare() computes it for int16 (add.cc, sub.cc, mul.cc): the general
path is the int8 arithmetic with a left shift of 15; ADD and SUB take a power-of-two path instead
when their options' pot_scale_int16 is set (the schema's default; a missing options table reads as
false) and all three scales are powers of two by TFLite's CheckedLog2 (float32 log2 within 1e-3
of an integer).
"""

from __future__ import annotations

import numpy as np

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.lower._s16 import act_range_s16, require_int16, scale_of
from autodeploy.codegen.lower.elementwise import add_sub_params, broadcast_iteration, mul_params
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.quant import tflite_round
from autodeploy.tflite.model import Operator, Subgraph, Tensor

LEFT_SHIFT = 15  # int16 inputs: (65535 << 15) still fits the int32 sum


def _tensors(op: Operator, sg: Subgraph) -> tuple[Tensor, Tensor, Tensor]:
    if len(op.inputs) != 2 or len(op.outputs) != 1 or min(op.inputs) < 0:
        raise Unsupported(f"{op.opcode} with {len(op.inputs)} inputs, {len(op.outputs)} outputs")
    t1, t2, to = (sg.tensors[i] for i in (*op.inputs, op.outputs[0]))
    require_int16(op, t1, t2, to)
    return t1, t2, to


def checked_log2(scale: float) -> int | None:
    """TFLite CheckedLog2 (float32): the rounded log2 of a power-of-two scale, else None."""
    f32 = np.float32
    log2 = f32(np.log(f32(scale))) * (f32(1.0) / f32(np.log(f32(2.0))))
    rounded = tflite_round(float(log2))
    return rounded if abs(f32(log2 - f32(rounded))) < f32(1e-3) else None


def _pot_call(op: Operator, t1: Tensor, t2: Tensor, to: Tensor) -> KernelCall | None:
    """The power-of-two call, or None when the op takes the general path."""
    if not op.options.get("pot_scale_int16", False):
        return None
    logs = [checked_log2(scale_of(t)) for t in (t1, t2, to)]
    if None in logs:
        return None
    shift1, shift2 = logs[0] - logs[2], logs[1] - logs[2]
    if (shift1 and shift2) or shift1 > 0 or shift2 > 0:
        raise Unsupported(
            f"{op.opcode} with power-of-two scales 2^{logs[0]} and 2^{logs[1]} for an output of "
            f"2^{logs[2]} (TFLite needs one input at the output's scale, the other not larger)"
        )
    if op.opcode == "ADD" and tuple(t1.shape) != tuple(t2.shape):
        raise Unsupported("ADD with power-of-two int16 scales and broadcasting")
    lo, hi = act_range_s16(op, to)
    params = [
        ("bcast", broadcast_iteration(t1.shape, t2.shape, to.shape)),
        ("input1_shift", -shift1),
        ("input2_shift", -shift2),
        ("act_min", lo),
        ("act_max", hi),
    ]
    fn = "adrt_add_s16_pot" if op.opcode == "ADD" else "adrt_sub_s16_pot"
    return KernelCall(fn, "adrt_add_s16_pot_params_t", params, tuple(op.inputs), tuple(op.outputs))


@register("ADD", "SUB", dtype="INT16")
def lower_add_sub_s16(op: Operator, sg: Subgraph) -> KernelCall:
    t1, t2, to = _tensors(op, sg)
    pot = _pot_call(op, t1, t2, to)
    if pot is not None:
        return pot
    params = add_sub_params(op, t1, t2, to, LEFT_SHIFT)
    fn = "adrt_add_s16" if op.opcode == "ADD" else "adrt_sub_s16"
    return KernelCall(fn, "adrt_add_s16_params_t", params, tuple(op.inputs), tuple(op.outputs))


@register("MUL", dtype="INT16")
def lower_mul_s16(op: Operator, sg: Subgraph) -> KernelCall:
    t1, t2, to = _tensors(op, sg)
    params = mul_params(op, t1, t2, to)
    return KernelCall(
        "adrt_mul_s16", "adrt_mul_s16_params_t", params, tuple(op.inputs), tuple(op.outputs)
    )
