"""RSQRT (int8) -> a 256-entry table run by adrt_lut_s8.

LiteRT's int8 RSQRT computes, per element v = q - input_zp (v >= 0): the Q31 inverse square root
of v by gemmlowp fixed-point Newton iterations (GetInvSqrtQuantizedMultiplierExp; v <= 1 gives
the largest multiplier), applies it to 1 << 20, then requantizes with QuantizeMultiplier(1 /
(sqrtf(input_scale) * output_scale)) shifted back by 20; v = 0 gives 127. The table reproduces
that integer arithmetic for every int8 input. Inputs below the zero point (negative reals) make
LiteRT and TFLM fail the invoke; the table gives them 127, as for zero.
"""

from __future__ import annotations

import numpy as np

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.lower._spatial import per_tensor
from autodeploy.codegen.lower.activation import (
    INT32_MAX,
    INT32_MIN,
    lut_call,
    mul_by_quantized_multiplier,
    rdbpot,
    srdhm32,
    unary_tensors,
)
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.quant import quantize_multiplier
from autodeploy.tflite.model import Operator, Subgraph

SHIFT = 20  # the reference's kShift: keeps the inverse square root an integer


def _mul_pot(x: int, exponent: int) -> int:
    """gemmlowp SaturatingRoundingMultiplyByPOT: saturating left shift or rounding right shift."""
    if exponent <= 0:
        return rdbpot(x, -exponent)
    threshold = (1 << (31 - exponent)) - 1
    if x > threshold:
        return INT32_MAX
    if x < -threshold:
        return INT32_MIN
    return x << exponent


def inv_sqrt_multiplier(value: int) -> tuple[int, int]:
    """TFLite GetInvSqrtQuantizedMultiplierExp(value, kReverseShift): (multiplier, left shift)
    with 1/sqrt(value) ~= multiplier * 2^(shift - 31), for 0 <= value < 2^31."""
    if value <= 1:
        return INT32_MAX, 0
    shift = 11
    while value >= 1 << 29:
        value //= 4
        shift += 1
    pairs = ((32 - value.bit_length()) - 1) // 2 - 1  # max left shift in bit pairs, minus one
    shift -= pairs
    value <<= 2 * pairs
    # Fixed point with 3 integer bits (raw / 2^28): x <- 1.5 x - (value / 2) x^3, from x = 1.
    half_input = rdbpot(value >> 1, 1)
    half_three = (1 << 28) + (1 << 27)
    x = 1 << 28
    for _ in range(5):
        x3 = _mul_pot(srdhm32(srdhm32(x, x), x), 6)
        x = _mul_pot(srdhm32(half_three, x) - srdhm32(half_input, x3), 3)
    x = srdhm32(x, 1518500250)  # times sqrt(2) / 2 in Q31
    if shift < 0:
        x <<= -shift
        shift = 0
    return x, -shift


def rsqrt_table_fn(in_scale: float, in_zp: int, out_scale: float, out_zp: int):
    """The reference's per-element function of an int8 input, as a Python function."""
    real = 1.0 / float(np.sqrt(np.float32(in_scale)) * np.float32(out_scale))
    mult, shift = quantize_multiplier(real)
    if shift - SHIFT < -31:
        raise Unsupported(f"RSQRT output multiplier {real} too small")

    def fn(q: int) -> int:
        v = q - in_zp
        if v <= 0:
            return 127
        m, s = inv_sqrt_multiplier(v)
        data = mul_by_quantized_multiplier(1, m, s + SHIFT)
        out = mul_by_quantized_multiplier(data, mult, shift - SHIFT) + out_zp
        return max(-128, min(127, out))

    return fn


@register("RSQRT")
def lower_rsqrt(op: Operator, sg: Subgraph) -> KernelCall:
    x, y = unary_tensors(op, sg)
    if (x.dtype, y.dtype) != ("INT8", "INT8"):
        raise Unsupported(f"RSQRT {x.dtype} -> {y.dtype} (only int8)")
    fn = rsqrt_table_fn(*per_tensor(x, "input"), *per_tensor(y, "output"))
    return lut_call(op, x, y, fn)
