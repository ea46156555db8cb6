"""Helium table lookups (firmware/runtime/src/mve/activation.c): every adrt_lut_* call (RELU
family, LEAKY_RELU, HARD_SWISH, LOGISTIC, TANH, 8-bit requantization) with the same table."""

from __future__ import annotations

import dataclasses

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.variants.registry import LayerContext, variant


@variant("adrt_lut_s8", "mve")
@variant("adrt_lut_s8_u8", "mve")
@variant("adrt_lut_u8_s8", "mve")
@variant("adrt_lut_u8", "mve")
def lut_mve(call: KernelCall, layer: LayerContext) -> KernelCall | None:
    function = call.function.replace("adrt_", "adrt_mve_", 1)
    return dataclasses.replace(call, function=function, kernel="mve")
