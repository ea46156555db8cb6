"""LOGISTIC, TANH, LEAKY_RELU and SOFTMAX with 16-bit activations (int16, zero point 0).

Parameters as LiteRT's Prepare() computes them for int16 (activations.cc): LOGISTIC and TANH
rescale the input to TFLite's sigmoid table (3 * 4096 per unit, with power-of-two input scales
special-cased); SOFTMAX fills its two 513-entry tables with TFLite's LUTPopulate in double
precision (exp over [-10, 0], 1 / (1 + x) over [0, 1]) from the host's libm, as LiteRT does on
the host it runs on.
"""

from __future__ import annotations

import math

import numpy as np

from autodeploy.codegen.kernel_call import CArray, KernelCall
from autodeploy.codegen.lower._s16 import require_int16, scale_of
from autodeploy.codegen.lower.activation import unary_tensors
from autodeploy.codegen.lower.elementwise_s16 import checked_log2
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.quant import quantize_multiplier, tflite_round
from autodeploy.tflite.model import Operator, Subgraph

OUTPUT_LOG2 = -15  # LOGISTIC, TANH and SOFTMAX produce Q0.15
INPUT_INTEGER_BITS = 3
MAX_INPUT_MULTIPLIER = 65535  # |x| * multiplier stays within int32 for every int16 x


def sigmoid_input_scaling(opcode: str, input_scale: float) -> tuple[int, int]:
    """(multiplier, right shift) taking an int16 input to the sigmoid table's 3 * 4096 per unit,
    as TanhPrepare / SigmoidPrepare compute them (and the kernels resolve the power-of-two case:
    multiplier 3 << shift, shift 0)."""
    log2 = checked_log2(input_scale)
    if log2 is not None:
        left_shift = (15 - INPUT_INTEGER_BITS) + log2
        if left_shift == 0 or (opcode == "TANH" and left_shift == 1):
            return 3 << left_shift, 0
    multiplier = input_scale * 4096.0 * 3.0
    shift = 0
    while multiplier <= 32767.0 / 2.0 and shift <= 30:
        shift += 1
        multiplier *= 2.0
    if multiplier > MAX_INPUT_MULTIPLIER:
        raise Unsupported(f"{opcode} int16 input scale {input_scale} (beyond the table's range)")
    return int(multiplier), shift


@register("LOGISTIC", "TANH", dtype="INT16")
def lower_sigmoid_s16(op: Operator, sg: Subgraph) -> KernelCall:
    x, y = unary_tensors(op, sg)
    require_int16(op, x, y)
    out_scale = scale_of(y)
    # SigmoidPrepare wants exactly 1/32768; TanhPrepare a power of two by CheckedLog2.
    exact = op.opcode == "LOGISTIC" and out_scale != 2.0**OUTPUT_LOG2
    if exact or checked_log2(out_scale) != OUTPUT_LOG2:
        raise Unsupported(f"{op.opcode} int16 output scale {out_scale} (TFLite needs 1/32768)")
    multiplier, shift = sigmoid_input_scaling(op.opcode, scale_of(x))
    params = [("size", x.num_elements), ("input_multiplier", multiplier), ("input_shift", shift)]
    fn = "adrt_logistic_s16" if op.opcode == "LOGISTIC" else "adrt_tanh_s16"
    return KernelCall(fn, "adrt_sigmoid_s16_params_t", params, (op.inputs[0],), (op.outputs[0],))


@register("LEAKY_RELU", dtype="INT16")
def lower_leaky_relu_s16(op: Operator, sg: Subgraph) -> KernelCall:
    x, y = unary_tensors(op, sg)
    require_int16(op, x, y)
    si, so = np.float32(scale_of(x)), np.float32(scale_of(y))
    alpha = np.float32(op.options.get("alpha", 0.0))
    # LeakyReluPrepare: float32 expressions widened to double.
    m_alpha, sh_alpha = quantize_multiplier(float(si * alpha / so))
    m_id, sh_id = quantize_multiplier(float(si / so))
    params = [
        ("size", x.num_elements),
        ("identity_multiplier", m_id),
        ("identity_shift", sh_id),
        ("alpha_multiplier", abs(m_alpha)),
        ("alpha_shift", sh_alpha),
        ("alpha_negative", int(m_alpha < 0)),
    ]
    return KernelCall(
        "adrt_leaky_relu_s16",
        "adrt_leaky_relu_s16_params_t",
        params,
        (op.inputs[0],),
        (op.outputs[0],),
    )


def lut_populate_int16(input_scale, input_zp, output_scale, output_zp, fn) -> tuple[int, ...]:
    """TFLite's LUTPopulate for int16 in double precision: 512 samples of fn over the input
    range, each biased by half the interpolation error at its interval's midpoint, and the
    range's end value (for the last interval's slope)."""
    input_min = input_scale * (-32768 - input_zp)
    input_max = input_scale * (32767 - input_zp)
    output_min = output_scale * (-32768 - output_zp)
    output_max = output_scale * (32767 - output_zp)
    steps = 512
    step = (input_max - input_min) / steps
    half_step = step / 2
    inv = 65536.0 / (output_max - output_min)

    def clamp(v: float) -> int:
        return int(min(max(v, -32768.0), 32767.0))

    table = []
    for i in range(steps):
        val = fn(input_min + i * step)
        val_midpoint = fn(input_min + i * step + half_step)
        val_next = fn(input_min + (i + 1) * step)
        sample = tflite_round(val * inv)
        midpoint_interp = tflite_round((val_next * inv + sample) / 2)
        midpoint_err = midpoint_interp - tflite_round(val_midpoint * inv)
        table.append(clamp(sample - tflite_round(midpoint_err / 2)))
    table.append(clamp(tflite_round(fn(input_max) * inv)))
    return tuple(table)


def softmax_s16_tables() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """SoftmaxPrepare's int16 tables: exp over [-10, 0] and 1 / (1 + x) over [0, 1]."""
    span = 65535  # int16 max - min
    exp_table = lut_populate_int16(10.0 / span, 32767, 2.0 / span, 0, math.exp)
    recip_table = lut_populate_int16(1.0 / span, -32768, 2.0 / span, 0, lambda v: 1.0 / (1.0 + v))
    return exp_table, recip_table


@register("SOFTMAX", dtype="INT16")
def lower_softmax_s16(op: Operator, sg: Subgraph) -> KernelCall:
    x, y = unary_tensors(op, sg)
    require_int16(op, x, y)
    if not x.shape:
        raise Unsupported("SOFTMAX on a scalar")
    out_scale = np.float32(scale_of(y))
    if abs(out_scale - np.float32(1.0 / 32768)) > np.float32(0.001 / 32768):
        raise Unsupported(f"SOFTMAX int16 output scale {float(out_scale)} (TFLite needs 1/32768)")
    beta = np.float32(op.options.get("beta", 1.0))
    # input scale * beta in float32, then divided in double by the table's input step.
    m, sh = quantize_multiplier(float(np.float32(scale_of(x)) * beta) / (10.0 / 65535.0))
    exp_table, recip_table = softmax_s16_tables()
    depth = x.shape[-1]
    params = [
        ("rows", x.num_elements // max(depth, 1)),
        ("depth", depth),
        ("input_multiplier", m),
        ("input_shift", sh),
        ("exp_table", CArray("int16_t", exp_table)),
        ("recip_table", CArray("int16_t", recip_table)),
    ]
    return KernelCall(
        "adrt_softmax_s16", "adrt_softmax_s16_params_t", params, (op.inputs[0],), (op.outputs[0],)
    )
