"""The call of adrt_dsp_conv2d_s8 (firmware/runtime/src/dsp/conv.c) for a convolution of one group.

Each output pixel's receptive field becomes an int16 column, zero-point padded, so every pixel
starts from the kernel sum; columns are multiplied two at a time by the packed weights.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from autodeploy.codegen.kernel_call import CArray, KernelCall
from autodeploy.codegen.variants.dsp._gemm import groups, pack_weights, pad_even
from autodeploy.codegen.variants.dsp._requant import requant_records

#: Parameters the portable CONV_2D and DEPTHWISE_CONV_2D calls share and the DSP kernels take.
GEOMETRY = ("stride_h", "stride_w", "dilation_h", "dilation_w", "pad_h", "pad_w")


def quantization(call: KernelCall) -> list[tuple[str, int]]:
    """The DSP convolutions' scalar quantization parameters (the output zero point is in the
    requantization records)."""
    return [
        ("input_zero_point", -call.param("input_offset")),
        ("act_min", call.param("act_min")),
        ("act_max", call.param("act_max")),
    ]


def conv_call(call: KernelCall, w: np.ndarray) -> KernelCall | None:
    """`call` (a portable convolution: its geometry, quantization and kernel sums) as a DSP
    convolution with filter w [out_c, fh, fw, in_c]; None if its accumulators are too large."""
    out_c, fh, fw, _ = w.shape
    w = w.reshape(out_c, -1)
    depth = w.shape[1]
    kernel_sum = np.asarray(call.param("kernel_sum").values, dtype=np.int64)
    requant = requant_records(
        pad_even(call.param("multiplier").values),
        pad_even(call.param("shift").values),
        pad_even(kernel_sum),
        pad_even(np.abs(w.astype(np.int64)).sum(axis=1)),
        call.param("output_offset"),
    )
    if requant is None:
        return None
    geometry = [(name, call.param(name)) for name in GEOMETRY]
    strides_pads = [call.param(name) for name in ("stride_h", "stride_w", "pad_h", "pad_w")]
    pointwise = fh == fw == 1 and strides_pads == [1, 1, 0, 0]
    col_bytes = 4 * groups(depth)
    params = [
        ("input", call.param("input")),
        ("output", call.param("output")),
        ("filter_h", fh),
        ("filter_w", fw),
        *geometry,
        ("depth", depth),
        ("pointwise", int(pointwise)),
        *quantization(call),
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
        # two interleaved int16 columns, and the int8 column a pixel is gathered in
        scratch_bytes=4 * col_bytes + (0 if pointwise else col_bytes),
    )
