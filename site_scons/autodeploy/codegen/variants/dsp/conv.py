"""CONV_2D on the DSP extension: one group as a matrix product (adrt_dsp_conv2d_s8); groups of
one input channel each (a depthwise convolution written as CONV_2D, as in HeartKit) on the
depthwise kernel (adrt_dsp_depthwise_conv2d_s8). Other grouped convolutions stay portable."""

from __future__ import annotations

import numpy as np

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.variants.dsp._conv import conv_call
from autodeploy.codegen.variants.dsp._depthwise import depthwise_call
from autodeploy.codegen.variants.registry import LayerContext, variant


@variant("adrt_conv2d_s8", "dsp")
def conv2d_dsp(call: KernelCall, layer: LayerContext) -> KernelCall | None:
    w = layer.constant(call.inputs[1], np.int8)  # [out_c, fh, fw, in_c / groups]
    groups = call.param("groups")
    if groups == 1:
        return conv_call(call, w)
    if w.shape[3] == 1:  # group g: input channel g -> output channels g * dm .. g * dm + dm - 1
        return depthwise_call(call, w[..., 0].transpose(1, 2, 0), w.shape[0] // groups)
    return None
