"""Weights of the DSP matrix product (firmware/runtime/src/dsp/dsp_gemm.h), packed at build time.

Output channels go in pairs (an odd count gets a zero channel); a pair's block holds, for each
group of 4 depth values (the depth padded with zeros to a multiple of 4), one little-endian
word of the first channel's 4 int8 weights, then one of the second's. The kernel widens each
word with SXTB16 into the same (0,2)/(1,3) pairs as the input columns, so no byte moves.
"""

from __future__ import annotations

import numpy as np


def groups(depth: int) -> int:
    """Groups of 4 depth values (the last one padded)."""
    return (depth + 3) // 4


def pack_weights(w: np.ndarray) -> np.ndarray:
    """w: [out_c, depth] int8 -> uint32 words [out_c/2 pairs][groups][2 channels]."""
    out_c, depth = w.shape
    padded = np.zeros((out_c + out_c % 2, 4 * groups(depth)), np.int8)
    padded[:out_c, :depth] = w
    blocks = padded.reshape(-1, 2, groups(depth), 4).transpose(0, 2, 1, 3)
    return np.ascontiguousarray(blocks).view("<u4").reshape(-1)


def pad_even(values) -> np.ndarray:
    """Per-channel int32 values padded with a 0 to an even channel count."""
    v = np.asarray(values, dtype=np.int64)
    if v.size % 2:
        v = np.append(v, 0)
    return v.astype(np.int32)
