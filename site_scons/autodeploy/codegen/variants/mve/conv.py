"""Helium CONV_2D (firmware/runtime/src/mve/conv.c): weights packed for the 3-pixel x
2-channel dot product, per-channel requantization parameters packed per four channels. Grouped
convolutions whose groups read one input channel each get the channel-wise kernel; other grouped
convolutions stay portable."""

from __future__ import annotations

import dataclasses

import numpy as np

from autodeploy.codegen.kernel_call import CArray, KernelCall
from autodeploy.codegen.variants.mve._packing import (
    BLOCK,
    LANES,
    pack_lanes,
    pack_weights,
    per_channel,
    row_bytes,
)
from autodeploy.codegen.variants.registry import LayerContext, variant


@variant("adrt_conv2d_s8", "mve")
def conv2d_mve(call: KernelCall, layer: LayerContext) -> KernelCall | None:
    geometry = dict(call.param("filter").fields)
    out_c, fh, fw, fc = (geometry[k] for k in ("n", "h", "w", "c"))
    weights = layer.constant(call.inputs[1], np.int8).reshape(out_c, fh * fw * fc)
    shift = per_channel(call, "shift", out_c)
    common = [
        ("input", call.param("input")),
        ("output", call.param("output")),
        ("filter_h", fh),
        ("filter_w", fw),
        *((name, call.param(name)) for name in _GEOMETRY),
        ("right_shifts_only", int(shift.max() <= -1)),
    ]
    quant = pack_lanes(
        per_channel(call, "multiplier", out_c),
        np.maximum(shift, 0),
        -np.maximum(-shift, 0),
        per_channel(call, "kernel_sum", out_c),
    )
    groups = call.param("groups")
    if groups > 1:
        if fc != 1:
            return None  # groups over several input channels stay portable
        return _channelwise(call, weights, common, quant, out_c // groups)
    depth = fh * fw * fc
    in_place = fh == fw == 1 and call.param("pad_h") == call.param("pad_w") == 0
    return dataclasses.replace(
        call,
        function="adrt_mve_conv2d_1x1_s8" if in_place else "adrt_mve_conv2d_s8",
        params_type="adrt_mve_conv2d_params_t",
        params=[*common, ("weights", pack_weights(weights)), ("quant", quant)],
        inputs=(call.inputs[0],),
        kernel="mve",
        scratch_bytes=_scratch_bytes(depth, in_place),
    )


def _channelwise(
    call: KernelCall, weights: np.ndarray, common: list, quant: CArray, per_group: int
) -> KernelCall:
    """One input channel per group: output channels as lanes, weights as [taps][channels]."""
    out_c, taps = weights.shape
    lanes = -(-out_c // LANES) * LANES
    by_tap = np.zeros((taps, lanes), np.int8)
    by_tap[:, :out_c] = weights.T
    channel = np.zeros(lanes, np.int64)
    channel[:out_c] = np.arange(out_c) // per_group
    params = [
        *common,
        ("weights", CArray("int8_t", by_tap.reshape(-1))),
        ("quant", quant),
        ("channel", CArray("int32_t", tuple(int(v) for v in channel))),
    ]
    return dataclasses.replace(
        call,
        function="adrt_mve_conv2d_channelwise_s8",
        params_type="adrt_mve_conv2d_params_t",
        params=params,
        inputs=(call.inputs[0],),
        kernel="mve",
    )


def _scratch_bytes(depth: int, in_place: bool) -> int:
    """Three staged rows and, unless a 1x1 reads its pixels in place, a gathered receptive field
    with a vector of slack (adrt_mve_conv2d_s8's layout)."""
    staged = 3 * row_bytes(depth)
    return staged if in_place else staged + row_bytes(depth) + BLOCK


_GEOMETRY = (
    "stride_h",
    "stride_w",
    "dilation_h",
    "dilation_w",
    "pad_h",
    "pad_w",
    "input_offset",
    "output_offset",
    "act_min",
    "act_max",
)
