"""Per-channel requantization records of the DSP kernels (firmware/runtime/src/dsp/dsp_arith.h).

The kernels requantize with TFLite's double rounding in five instructions, exact while
|acc << left| < 2^29 (see adrt_dsp_requant). The build bounds every channel's accumulator from
its kernel sum and weights; a channel whose weights are all zero has a constant accumulator (its
kernel sum, however large: quantizers leave such dead channels with huge biases), so its output
is computed here. A layer with another channel past the bound keeps the portable kernel.
"""

from __future__ import annotations

import numpy as np

from autodeploy.codegen.lower.activation import mul_by_quantized_multiplier

#: |acc << left| must stay below this for the five-instruction requantization.
ACC_LIMIT = 1 << 29


def requant_records(multipliers, shifts, kernel_sum, abs_weight_sum) -> np.ndarray | None:
    """[multiplier, left + 1, 2^right, right + 1] per channel (int32, flat), or None when a
    channel's accumulator may leave the exact range. left = max(shift, 0), right = max(-shift, 0);
    |acc| <= |kernel_sum| + 128 * sum(|weights|) as the int8 inputs are at most 128 in size.

    Channels whose result does not depend on the accumulator get multiplier 0, which makes
    the kernel compute round / 2 (right + 1 = 1): a right shift of 30 or more rounds every
    in-range value to 0 (|value| < 2^29 <= half the divisor), and a channel of zero weights
    yields the requantized kernel sum (clamped to a range that saturates alike)."""
    records = []
    for m, shift, ks, wsum in zip(multipliers, shifts, kernel_sum, abs_weight_sum, strict=True):
        m, shift, ks = int(m), int(shift), int(ks)
        left, right = max(shift, 0), max(-shift, 0)
        if wsum == 0:
            constant = min(max(mul_by_quantized_multiplier(ks, m, shift), -512), 512)
            records.append((0, 1, 2 * constant, 1))
        elif (abs(ks) + 128 * int(wsum)) << left >= ACC_LIMIT:
            return None
        elif right >= 30:
            records.append((0, 1, 0, 1))
        else:
            records.append((m, left + 1, 1 << right, right + 1))
    return np.asarray(records, dtype=np.int32).reshape(-1)
