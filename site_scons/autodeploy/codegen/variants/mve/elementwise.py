"""Helium ADD, SUB, MUL, MINIMUM and MAXIMUM (firmware/runtime/src/mve/elementwise.c): the
portable parameters unchanged, another function."""

from __future__ import annotations

import dataclasses

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.variants.registry import LayerContext, variant

HALF_Q31 = 1 << 30  # the multiplier 1/2 of the input with the larger scale


def _input_scaling_supported(call: KernelCall, which: int) -> bool:
    """The vector path rescales an input with a right shift of at least 1 (see input_scale()
    in elementwise.c); TFLite's Prepare() gives that or the exact 1/2 multiplier with shift 0."""
    shift = call.param(f"input{which}_shift")
    multiplier = call.param(f"input{which}_multiplier")
    return shift < 0 or (shift == 0 and multiplier == HALF_Q31)


@variant("adrt_add_s8", "mve")
@variant("adrt_sub_s8", "mve")
def add_sub_mve(call: KernelCall, layer: LayerContext) -> KernelCall | None:
    supported = (
        1 <= call.param("left_shift") <= 22
        and call.param("output_shift") < 0
        and _input_scaling_supported(call, 1)
        and _input_scaling_supported(call, 2)
    )
    if not supported:
        return None
    function = call.function.replace("adrt_", "adrt_mve_", 1)
    return dataclasses.replace(call, function=function, kernel="mve")


@variant("adrt_mul_s8", "mve")
def mul_mve(call: KernelCall, layer: LayerContext) -> KernelCall | None:
    return dataclasses.replace(call, function="adrt_mve_mul_s8", kernel="mve")


@variant("adrt_minimum_s8", "mve")
@variant("adrt_maximum_s8", "mve")
def min_max_mve(call: KernelCall, layer: LayerContext) -> KernelCall | None:
    function = call.function.replace("adrt_", "adrt_mve_", 1)
    return dataclasses.replace(call, function=function, kernel="mve")
