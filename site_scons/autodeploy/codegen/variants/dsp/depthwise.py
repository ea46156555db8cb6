"""DEPTHWISE_CONV_2D on the DSP extension (adrt_dsp_depthwise_conv2d_s8); with one input channel
it is a plain convolution of depth_multiplier filters, run as a matrix product
(adrt_dsp_conv2d_s8), as in micro_speech's first layer."""

from __future__ import annotations

import numpy as np

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.variants.dsp._conv import conv_call
from autodeploy.codegen.variants.dsp._depthwise import depthwise_call
from autodeploy.codegen.variants.registry import LayerContext, variant


@variant("adrt_depthwise_conv2d_s8", "dsp")
def depthwise_dsp(call: KernelCall, layer: LayerContext) -> KernelCall | None:
    w = layer.constant(call.inputs[1], np.int8)[0]  # [fh, fw, in_c * dm]
    dm = call.param("depth_multiplier")
    if w.shape[2] == dm:  # one input channel
        return conv_call(call, w.transpose(2, 0, 1)[..., np.newaxis])
    return depthwise_call(call, w, dm)
