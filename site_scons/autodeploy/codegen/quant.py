"""Quantization arithmetic done at build time, reproducing TFLite's Prepare() code bit for bit.

Bit-exactness depends on where TFLite computes in float32 and where in double; each helper says
which it follows. Scales stored in a .tflite file are float32, so inputs are first rounded to
float32 (a no-op for values parsed from a model).
"""

from __future__ import annotations

import math

import numpy as np

INT8_MIN = -128
INT8_MAX = 127
INT16_MIN = -(1 << 15)
INT16_MAX = (1 << 15) - 1
#: Quantized activation types and their ranges.
QUANT_RANGE = {"INT8": (INT8_MIN, INT8_MAX), "INT16": (INT16_MIN, INT16_MAX)}


class UnsupportedActivation(ValueError):
    """A fused activation that has no integer clamp range (e.g. TANH fused into CONV_2D)."""


def tflite_round(x: float) -> int:
    """std::round: halves away from zero (Python's round() rounds halves to even). Exact: the
    fraction is compared with 1/2, not added to it (0.49999999999999994 + 0.5 rounds to 1)."""
    a = abs(x)
    whole = math.floor(a)
    return int(math.copysign(whole + 1 if a - whole >= 0.5 else whole, x))


def f32(x: float) -> float:
    """Round a Python float to the nearest float32 value (as a Python float)."""
    return float(np.float32(x))


def quantize_multiplier(real: float) -> tuple[int, int]:
    """TFLite QuantizeMultiplier: real ~= multiplier * 2^(shift - 31), multiplier in [2^30, 2^31).

    Returns (q31 multiplier, shift) with shift > 0 meaning a left shift. Zero maps to (0, 0); a
    shift below -31 flushes to (0, 0) and above 30 saturates, as in TFLite.
    """
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    q_fixed = tflite_round(q * (1 << 31))
    assert abs(q_fixed) <= (1 << 31)
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    if shift > 30:
        return (1 << 31) - 1, 30
    return q_fixed, shift


def quantize_multiplier_greater_than_one(real: float) -> tuple[int, int]:
    """TFLite QuantizeMultiplierGreaterThanOne: as quantize_multiplier, shift must be >= 0."""
    assert real > 1.0, real
    m, s = quantize_multiplier(real)
    assert s >= 0
    return m, s


def quantize_multiplier_smaller_than_one_exp(real: float) -> tuple[int, int]:
    """TFLite QuantizeMultiplierSmallerThanOneExp: (multiplier, shift) with shift <= 0."""
    assert 0.0 < real < 1.0, real
    m, s = quantize_multiplier(real)
    assert s <= 0
    return m, s


def activation_range_int8(activation: str, scale: float, zero_point: int) -> tuple[int, int]:
    """TFLite CalculateActivationRangeQuantized for an int8 output."""
    return activation_range(activation, scale, zero_point, "INT8")


def activation_range(activation: str, scale: float, zero_point: int, dtype: str) -> tuple[int, int]:
    """TFLite CalculateActivationRangeQuantized for an output of type `dtype` (INT8 or INT16).

    quantize(f) = zero_point + round(f / scale) with the division in float32, as TFLite does.
    """
    s = np.float32(scale)

    def quantize(f: float) -> int:
        return zero_point + tflite_round(float(np.float32(f) / s))

    qmin, qmax = QUANT_RANGE[dtype]
    if activation in (None, "NONE"):
        return qmin, qmax
    if activation == "RELU":
        return max(qmin, quantize(0.0)), qmax
    if activation == "RELU6":
        return max(qmin, quantize(0.0)), min(qmax, quantize(6.0))
    if activation == "RELU_N1_TO_1":
        return max(qmin, quantize(-1.0)), min(qmax, quantize(1.0))
    raise UnsupportedActivation(f"fused activation {activation}")


def conv_per_channel_multipliers(
    input_scale: float, filter_scales: tuple[float, ...], output_scale: float, channels: int
) -> tuple[list[int], list[int]]:
    """TFLite PopulateConvolutionQuantizationParams (int8 conv, depthwise, per-channel FC).

    effective = double(input_scale) * double(filter_scale) / double(output_scale), all operands
    float32 values widened to double. A single filter scale is broadcast to all channels.
    """
    mults, shifts = [], []
    in_s, out_s = f32(input_scale), f32(output_scale)
    for ch in range(channels):
        fs = f32(filter_scales[ch] if len(filter_scales) > 1 else filter_scales[0])
        m, s = quantize_multiplier(in_s * fs / out_s)
        mults.append(m)
        shifts.append(s)
    return mults, shifts


def conv_per_tensor_multiplier(
    input_scale: float, filter_scale: float, output_scale: float
) -> tuple[int, int]:
    """TFLite GetQuantizedConvolutionMultipler + QuantizeMultiplier (per-tensor FC).

    The input*filter product is a float32 product, widened to double before dividing by the
    double output scale.
    """
    product = float(np.float32(input_scale) * np.float32(filter_scale))
    return quantize_multiplier(product / f32(output_scale))


def reduced_multiplier(multiplier: int, shift: int) -> tuple[int, int]:
    """(16-bit multiplier, total right shift) of TFLite's MultiplyByQuantizedMultiplier for an
    int64 accumulator (the 16x8 kernels): the Q31 multiplier rounded to 16 bits, and 15 - shift.
    """
    reduced = (multiplier + (1 << 15)) >> 16 if multiplier < 0x7FFF0000 else 0x7FFF
    return reduced, 15 - shift
