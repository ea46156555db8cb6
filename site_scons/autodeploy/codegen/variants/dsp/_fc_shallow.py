"""Shallow FULLY_CONNECTED layers (depth <= 16) on the DSP extension: the records of
adrt_dsp_fully_connected_shallow{2,4,16}_s8 (layouts in firmware/runtime/include/adrt/dsp/
fully_connected.h), one LDM-read block per output channel or pair holding its kernel sum, its
weights widened to int16 pairs and its single-rounding requantization."""

from __future__ import annotations

import dataclasses

import numpy as np

from autodeploy.codegen.kernel_call import CArray, KernelCall

#: Depth classes: a layer of depth d runs the kernel of the first class >= d.
DEPTH_CLASSES = (2, 4, 16)
#: Bytes of the depth-16 kernel's scratch: one input row widened to int16.
SCRATCH_BYTES = 2 * DEPTH_CLASSES[-1]


def _int16_pairs(w: np.ndarray, order: tuple[int, ...]) -> np.ndarray:
    """w: [out_c, depth] int8 -> [out_c, len(order) / 2] int32 words: weights order[0] (low
    half) and order[1], then order[2] and order[3], ... (zero past depth)."""
    out_c, depth = w.shape
    padded = np.zeros((out_c, max(order) + 1), np.int16)
    padded[:, :depth] = w
    return np.ascontiguousarray(padded[:, list(order)]).astype("<i2").view("<i4")


def _sxtb16_order(depth: int) -> tuple[int, ...]:
    """Weights in the order of SXTB16-widened input words: (0, 2), (1, 3), (4, 6), ..."""
    return tuple(4 * g + k for g in range(depth // 4) for k in (0, 2, 1, 3))


def _records(w: np.ndarray, kernel_sum: np.ndarray, requant: np.ndarray) -> np.ndarray:
    """The records (flat int32) of w [out_c, depth] int8, kernel_sum [out_c] and requant
    [out_c, 4] (m, k low, k high, shift - 32)."""
    out_c, depth = w.shape
    ks = kernel_sum.astype(np.int32)[:, None]
    if depth <= 2:
        return np.hstack([ks, _int16_pairs(w, (0, 1)), requant]).reshape(-1)
    if depth <= 4:
        return np.hstack([ks, _int16_pairs(w, _sxtb16_order(4)), requant]).reshape(-1)
    pairs = _int16_pairs(w, _sxtb16_order(16))  # [out_c, 8]
    even = out_c - out_c % 2
    a, b = pairs[0:even:2], pairs[1:even:2]
    # per group of 4 weights: a's two words, then b's
    weights = np.stack([a.reshape(-1, 4, 2), b.reshape(-1, 4, 2)], axis=2).reshape(-1, 16)
    blocks = [ks[0:even:2], ks[1:even:2], weights, requant[0:even:2], requant[1:even:2]]
    records = [np.hstack(blocks).reshape(-1)]
    if out_c % 2:
        last = pairs[-1]
        records.append(np.concatenate([last[:4], ks[-1], last[4:], requant[-1]]))
    return np.concatenate(records)


def shallow_call(
    call: KernelCall, w: np.ndarray, kernel_sum, requant: np.ndarray
) -> KernelCall | None:
    """The shallow kernel's call for w [out_c, depth] int8 and requant [out_c, 4] (m, shift - 32,
    k low, k high: fully_connected.py's high-word records), or None when the layer is deeper
    than 16 or clamps to a range narrower than int8's (the kernels clamp with SSAT only)."""
    out_c, depth = w.shape
    if (
        depth > DEPTH_CLASSES[-1]
        or (call.param("act_min"), call.param("act_max")) != (-128, 127)
        or call.param("batches") < 1  # the kernels run at least one row
    ):
        return None
    depth_class = next(d for d in DEPTH_CLASSES if depth <= d)
    m, shift, low, high = requant[:out_c].T
    records = _records(w, np.asarray(kernel_sum, np.int64), np.stack([m, low, high, shift], axis=1))
    return dataclasses.replace(
        call,
        function=f"adrt_dsp_fully_connected_shallow{depth_class}_s8",
        params_type="adrt_dsp_fully_connected_shallow_params_t",
        params=[
            ("batches", call.param("batches")),
            ("depth", depth),
            ("out_c", out_c),
            ("records", CArray("int32_t", records)),
        ],
        inputs=(call.inputs[0],),
        kernel="dsp",
        scratch_bytes=SCRATCH_BYTES if depth_class == DEPTH_CLASSES[-1] else 0,
    )
