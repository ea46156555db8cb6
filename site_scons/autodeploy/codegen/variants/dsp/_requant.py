"""Requantization records of the DSP kernels (src/dsp/dsp_arith.h).

The kernels requantize with TFLite's double rounding and add the output zero point z in five
instructions: s = SMMULR(acc << (left + 1), m), then (2s + 2^r + [s < 0] * -1 + z * 2^(r+1)) >>
(r + 1), exact while every term fits in 32 bits. The build bounds each channel's accumulator
from its kernel sum and weights (the int8 inputs are at most 128 in size) and checks that. A
channel whose output cannot depend on the accumulator gets multiplier 0 and a rounding term of
twice its output: one of zero weights has a constant accumulator however large its kernel sum
(quantizers leave such dead channels with huge biases), and one whose bounded value rounds to 0
outputs z. A layer with any other channel past the bounds keeps the portable kernel.
"""

from __future__ import annotations

import numpy as np

from autodeploy.codegen.lower.activation import mul_by_quantized_multiplier

#: |acc << left| must stay below this for SMMULR of its double.
ACC_LIMIT = 1 << 29


def fast_record(m: int, shift: int, bound: int, z: int = 0) -> tuple[int, ...] | None:
    """[multiplier, left + 1, rounding term, right + 1] requantizing any |acc| <= bound exactly
    (output zero point z included), or None when an intermediate may leave 32 bits."""
    left, right = max(shift, 0), max(-shift, 0)
    bound <<= left  # |acc << left|, hence |s|
    if bound >= ACC_LIMIT:
        return None
    if bound < 1 << right >> 1:  # |s| < 2^(r-1): rounds to 0
        return (0, 1, 2 * z, 1)
    rounding = (1 << right) + z * (2 << right)
    if 2 * bound + 1 + abs(rounding) >= 1 << 31:
        return None
    return (m, left + 1, rounding, right + 1)


def _record(m: int, shift: int, ks: int, wsum: int, z: int) -> tuple[int, ...] | None:
    if wsum == 0:  # the output is a constant (clamped to a range that saturates alike)
        return (0, 1, 2 * (min(max(mul_by_quantized_multiplier(ks, m, shift), -512), 512) + z), 1)
    return fast_record(m, shift, abs(ks) + 128 * wsum, z)


def requant_records(multipliers, shifts, kernel_sum, abs_weight_sum, output_zero_point: int):
    """[multiplier, left + 1, 2^right + z * 2^(right+1), right + 1] per channel (flat int32),
    or None when a channel's accumulator may leave the exact range. left = max(shift, 0),
    right = max(-shift, 0), z the output zero point."""
    records = []
    for values in zip(multipliers, shifts, kernel_sum, abs_weight_sum, strict=True):
        record = _record(*(int(v) for v in values), int(output_zero_point))
        if record is None:
            return None
        records.append(record)
    return np.asarray(records, dtype=np.int32).reshape(-1)
