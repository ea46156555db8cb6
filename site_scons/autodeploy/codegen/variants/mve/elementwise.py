"""Helium ADD, SUB, MUL, MINIMUM and MAXIMUM (firmware/runtime/src/mve/elementwise.c): the
portable parameters unchanged, another function."""

from __future__ import annotations

import dataclasses

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.variants.registry import LayerContext, variant

HALF_Q31 = 1 << 30  # the multiplier 1/2 of the input with the larger scale


def _add_sub_supported(call: KernelCall) -> bool:
    """The vector path's conditions (add_setup() in elementwise.c), which TFLite's Prepare()
    always meets: one input has the multiplier 1/2 exactly (the larger scale), the other a right
    shift or the same 1/2, the output a right shift."""
    half = [
        call.param(f"input{k}_multiplier") == HALF_Q31 and call.param(f"input{k}_shift") == 0
        for k in (1, 2)
    ]
    general = 1 if half[1] else 2
    return (
        1 <= call.param("left_shift") <= 22
        and call.param("output_shift") < 0
        and any(half)
        and (half[general - 1] or call.param(f"input{general}_shift") < 0)
    )


@variant("adrt_add_s8", "mve")
@variant("adrt_sub_s8", "mve")
def add_sub_mve(call: KernelCall, layer: LayerContext) -> KernelCall | None:
    if not _add_sub_supported(call):
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
