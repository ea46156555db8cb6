"""FULLY_CONNECTED on the DSP extension: adrt_dsp_fully_connected_s8
(firmware/runtime/src/dsp/fully_connected.c), the weights packed for the DSP matrix product."""

from __future__ import annotations

import dataclasses

import numpy as np

from autodeploy.codegen.kernel_call import CArray, KernelCall
from autodeploy.codegen.variants.dsp._gemm import groups, pack_weights, pad_even
from autodeploy.codegen.variants.registry import LayerContext, variant


@variant("adrt_fully_connected_s8", "dsp")
def fully_connected_dsp(call: KernelCall, layer: LayerContext) -> KernelCall | None:
    w = layer.constant(call.inputs[1], np.int8)
    out_c, depth = w.shape
    per_tensor = call.param("multiplier_stride") == 0
    mults = np.asarray(call.param("multiplier").values, dtype=np.int64)
    shifts = np.asarray(call.param("shift").values, dtype=np.int64)
    if per_tensor:
        mults, shifts = np.repeat(mults, out_c), np.repeat(shifts, out_c)
    requant = np.stack([pad_even(mults), pad_even(shifts)], axis=1).reshape(-1)
    params = [
        ("batches", call.param("batches")),
        ("depth", depth),
        ("out_c", out_c),
        ("output_offset", call.param("output_offset")),
        ("act_min", call.param("act_min")),
        ("act_max", call.param("act_max")),
        ("weights", CArray("uint32_t", pack_weights(w))),
        ("kernel_sum", CArray("int32_t", pad_even(call.param("kernel_sum").values))),
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
