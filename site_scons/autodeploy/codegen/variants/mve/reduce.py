"""Helium MEAN (firmware/runtime/src/mve/reduce.c): the portable parameters unchanged."""

from __future__ import annotations

import dataclasses

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.variants.registry import LayerContext, variant


@variant("adrt_mean_s8", "mve")
def mean_mve(call: KernelCall, layer: LayerContext) -> KernelCall | None:
    return dataclasses.replace(call, function="adrt_mve_mean_s8", kernel="mve")
