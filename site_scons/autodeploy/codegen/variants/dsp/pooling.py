"""AVERAGE_POOL_2D on the DSP target: adrt_dsp_avg_pool2d_s8 (firmware/runtime/src/dsp/pooling.c)
for windows of at most 256 taps (int16 pair sums), with a 32-bit reciprocal per window size
checked here to give the exact rounded quotient for every sum that window can have."""

from __future__ import annotations

import dataclasses

import numpy as np

from autodeploy.codegen.kernel_call import CArray, KernelCall
from autodeploy.codegen.variants.registry import LayerContext, variant

#: int16 sums of int8 values stay exact up to this many taps (256 * -128 = -32768)
MAX_TAPS = 256


def exact_reciprocal(count: int) -> int | None:
    """ceil(2^32 / count) (0 for 1: no division), if (mag * r) >> 32 == mag // count for every
    mag = |sum| + count // 2 of a window of int8 values."""
    if count == 1:
        return 0
    r = -(-(1 << 32) // count)
    mag = np.arange(count * 128 + count // 2 + 1, dtype=np.uint64)
    return r if np.array_equal((mag * np.uint64(r)) >> np.uint64(32), mag // count) else None


@variant("adrt_avg_pool2d_s8", "dsp")
def avg_pool_dsp(call: KernelCall, layer: LayerContext) -> KernelCall | None:
    table = call.param("recip")
    if not isinstance(table, CArray):  # too many window sizes for a table
        return None
    count_lo = call.param("count_lo")
    counts = range(count_lo, count_lo + len(table))
    if counts[-1] > MAX_TAPS:
        return None
    recip = [exact_reciprocal(c) for c in counts]
    if None in recip:
        return None
    params = [(name, value) for name, value in call.params if name not in ("recip", "count_lo")]
    params += [("count_lo", count_lo), ("recip", CArray("uint32_t", tuple(recip)))]
    return dataclasses.replace(
        call,
        function="adrt_dsp_avg_pool2d_s8",
        params_type="adrt_dsp_pool_params_t",
        params=params,
        kernel="dsp",
    )
