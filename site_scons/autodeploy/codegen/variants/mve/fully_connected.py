"""Helium FULLY_CONNECTED (firmware/runtime/src/mve/fully_connected.c): weights packed for the
3-batch x 2-channel and 1-batch x 4-channel dot products, requantization parameters packed per
four channels."""

from __future__ import annotations

import dataclasses

import numpy as np

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.variants.mve._packing import (
    BLOCK,
    LANES,
    pack_lanes,
    pack_weights,
    per_channel,
    row_bytes,
)
from autodeploy.codegen.variants.registry import LayerContext, variant


@variant("adrt_fully_connected_s8", "mve")
def fully_connected_mve(call: KernelCall, layer: LayerContext) -> KernelCall | None:
    out_c, depth = call.param("out_c"), call.param("depth")
    weights = layer.constant(call.inputs[1], np.int8).reshape(out_c, depth)
    shift = per_channel(call, "shift", out_c)
    quant = pack_lanes(
        per_channel(call, "multiplier", out_c), shift, per_channel(call, "kernel_sum", out_c)
    )
    params = [
        *((name, call.param(name)) for name in ("batches", "depth", "out_c", "output_offset")),
        ("act_min", call.param("act_min")),
        ("act_max", call.param("act_max")),
        ("right_shifts_only", int(shift.max() <= -1)),
        ("weights", pack_weights(weights, channel_multiple=LANES)),
        ("quant", quant),
    ]
    # one batch over whole blocks is read in place; other rows are copied (padded) first
    rows = 1 if call.param("batches") == 1 else 3
    staged = rows > 1 or depth % BLOCK != 0
    return dataclasses.replace(
        call,
        function="adrt_mve_fully_connected_staged_s8" if staged else "adrt_mve_fully_connected_s8",
        params_type="adrt_mve_fully_connected_params_t",
        params=params,
        inputs=(call.inputs[0],),
        kernel="mve",
        scratch_bytes=rows * row_bytes(depth) if staged else 0,
    )
