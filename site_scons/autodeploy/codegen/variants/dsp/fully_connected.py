"""FULLY_CONNECTED on the DSP extension: adrt_dsp_fully_connected_s8
(firmware/runtime/src/dsp/fully_connected.c), the weights packed for the DSP matrix product and
the single-rounding requantization as 64-bit records (src/dsp/dsp_gemm.h); layers of depth <= 16
whose every shift is a shift of the high word run the shallow kernels (_fc_shallow.py) instead,
whose cost is mostly per output."""

from __future__ import annotations

import dataclasses

import numpy as np

from autodeploy.codegen.kernel_call import CArray, KernelCall
from autodeploy.codegen.variants.dsp._fc_shallow import shallow_call
from autodeploy.codegen.variants.dsp._gemm import groups, pack_weights, pad_even
from autodeploy.codegen.variants.registry import LayerContext, variant

INT64_LIMIT = 1 << 63


def _records(mults, shifts, bounds, z: int) -> tuple[np.ndarray, bool] | None:
    """[multiplier, shift, rounding low, rounding high] per channel and whether every shift is
    at least 32 (then stored minus 32), or None when acc * m + rounding may leave int64."""
    # a zero multiplier outputs z whatever its shift: a total of 32 lets it share the high word
    totals = [31 - int(s) if m else 32 for m, s in zip(mults, shifts, strict=True)]
    high = min(totals) >= 32
    records = []
    for m, total, bound in zip(mults, totals, bounds, strict=True):
        rounding = (1 << (total - 1)) + z * (1 << total)
        if int(bound) * int(m) + abs(rounding) >= INT64_LIMIT:
            return None
        word = rounding & ((1 << 64) - 1)
        records.append((int(m), total - 32 if high else total, word & 0xFFFFFFFF, word >> 32))
    words = np.asarray(records, dtype=np.uint64).astype(np.uint32).view(np.int32)
    return words.reshape(-1), high


@variant("adrt_fully_connected_s8", "dsp")
def fully_connected_dsp(call: KernelCall, layer: LayerContext) -> KernelCall | None:
    w = layer.constant(call.inputs[1], np.int8)
    out_c, depth = w.shape
    per_tensor = call.param("multiplier_stride") == 0
    mults = np.asarray(call.param("multiplier").values, dtype=np.int64)
    shifts = np.asarray(call.param("shift").values, dtype=np.int64)
    if per_tensor:
        mults, shifts = np.repeat(mults, out_c), np.repeat(shifts, out_c)
    kernel_sum = np.asarray(call.param("kernel_sum").values, dtype=np.int64)
    bounds = np.abs(kernel_sum) + 128 * np.abs(w.astype(np.int64)).sum(axis=1)
    # an odd channel count gets a copy of the last channel's quantization (its output unused)
    pad = out_c % 2
    records = _records(
        *(np.append(v, v[-1:] if pad else []) for v in (mults, shifts, bounds)),
        call.param("output_offset"),
    )
    if records is None:
        return None
    requant, high = records
    if high and int(bounds.max()) < 1 << 31:  # SMLAD's int32 accumulator
        shallow = shallow_call(call, w, kernel_sum, requant.reshape(-1, 4))
        if shallow is not None:
            return shallow
    params = [
        ("batches", call.param("batches")),
        ("depth", depth),
        ("out_c", out_c),
        ("act_min", call.param("act_min")),
        ("act_max", call.param("act_max")),
        ("high_word", int(high)),
        ("weights", CArray("uint32_t", pack_weights(w))),
        ("kernel_sum", CArray("int32_t", pad_even(kernel_sum))),
        ("requant", CArray("int32_t", requant)),
    ]
    return dataclasses.replace(
        call,
        function="adrt_dsp_fully_connected_s8",
        params_type="adrt_dsp_fully_connected_params_t",
        params=params,
        inputs=(call.inputs[0],),
        kernel="dsp",
        scratch_bytes=16 * groups(depth),
    )
