"""Per-channel requantization records of the DSP kernels (firmware/runtime/src/dsp/dsp_arith.h).

The kernels requantize with TFLite's double rounding in five instructions, exact while
|acc << left| < 2^29 (see adrt_dsp_requant). The build bounds every channel's accumulator from
its kernel sum and weights, and a layer whose bound is too large keeps the portable kernel.
"""

from __future__ import annotations

import numpy as np

#: |acc << left| must stay below this for the five-instruction requantization.
ACC_LIMIT = 1 << 29


def accumulator_bound(kernel_sum: np.ndarray, abs_weight_sum: np.ndarray) -> np.ndarray:
    """Largest |accumulator| per channel: kernel sum plus int8 inputs (|x| <= 128) times weights."""
    return np.abs(kernel_sum.astype(np.int64)) + 128 * abs_weight_sum.astype(np.int64)


def requant_records(multipliers, shifts, bound: np.ndarray) -> np.ndarray | None:
    """[multiplier, left + 1, 2^right, right + 1] per channel (int32, flat), or None when a
    channel's accumulator may exceed the exact range. left = max(shift, 0), right = max(-shift, 0).

    A right shift of 30 or more rounds every in-range value to 0 (|value| < 2^29 <= half the
    divisor), so such a channel gets multiplier 0, which yields 0 at shift 1."""
    records = []
    for m, shift, b in zip(multipliers, shifts, bound, strict=True):
        left, right = max(int(shift), 0), max(-int(shift), 0)
        if int(b) << left >= ACC_LIMIT:
            return None
        if right >= 30:
            records.append((0, 1, 1, 1))
        else:
            records.append((int(m), left + 1, 1 << right, right + 1))
    return np.asarray(records, dtype=np.int32).reshape(-1)
