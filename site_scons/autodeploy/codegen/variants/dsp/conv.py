"""CONV_2D (one group) on the DSP extension: adrt_dsp_conv2d_s8 (firmware/runtime/src/dsp/conv.c).

Each output pixel's receptive field becomes an int16 column, zero-point padded, so every pixel
starts from the kernel sum; columns are multiplied two at a time by the packed weights.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from autodeploy.codegen.kernel_call import CArray, CStruct, KernelCall
from autodeploy.codegen.variants.dsp._gemm import groups, pack_weights, pad_even
from autodeploy.codegen.variants.dsp._requant import accumulator_bound, requant_records
from autodeploy.codegen.variants.registry import LayerContext, variant


def _dim(shape: CStruct, name: str) -> int:
    return dict(shape.fields)[name]


@variant("adrt_conv2d_s8", "dsp")
def conv2d_dsp(call: KernelCall, layer: LayerContext) -> KernelCall | None:
    if call.param("groups") != 1:
        return None
    w = layer.constant(call.inputs[1], np.int8)
    out_c, fh, fw, in_c = w.shape
    w = w.reshape(out_c, -1)
    depth = w.shape[1]
    kernel_sum = np.asarray(call.param("kernel_sum").values, dtype=np.int64)
    bound = accumulator_bound(kernel_sum, np.abs(w.astype(np.int64)).sum(axis=1))
    requant = requant_records(
        pad_even(call.param("multiplier").values),
        pad_even(call.param("shift").values),
        pad_even(bound),
    )
    if requant is None:
        return None
    pads = (call.param("pad_h"), call.param("pad_w"))
    strides = (call.param("stride_h"), call.param("stride_w"))
    pointwise = fh == fw == 1 and pads == (0, 0) and strides == (1, 1)
    col_bytes = 4 * groups(depth)
    params = [
        ("input", call.param("input")),
        ("output", call.param("output")),
        ("filter_h", fh),
        ("filter_w", fw),
        ("stride_h", strides[0]),
        ("stride_w", strides[1]),
        ("dilation_h", call.param("dilation_h")),
        ("dilation_w", call.param("dilation_w")),
        ("pad_h", pads[0]),
        ("pad_w", pads[1]),
        ("depth", depth),
        ("pointwise", int(pointwise)),
        ("input_zero_point", -call.param("input_offset")),
        ("output_offset", call.param("output_offset")),
        ("act_min", call.param("act_min")),
        ("act_max", call.param("act_max")),
        ("weights", CArray("uint32_t", pack_weights(w))),
        ("kernel_sum", CArray("int32_t", pad_even(kernel_sum))),
        ("requant", CArray("int32_t", requant)),
    ]
    return dataclasses.replace(
        call,
        function="adrt_dsp_conv2d_s8",
        params_type="adrt_dsp_conv2d_params_t",
        params=params,
        inputs=(call.inputs[0],),
        kernel="dsp",
        scratch_bytes=4 * col_bytes + (0 if pointwise else col_bytes),
    )
