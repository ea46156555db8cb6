"""Helium AVERAGE_POOL_2D and MAX_POOL_2D (firmware/runtime/src/mve/pooling.c): the portable
parameters unchanged (the average divides exactly without the reciprocal table, so the table is
not emitted)."""

from __future__ import annotations

import dataclasses

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.variants.registry import LayerContext, variant

#: Largest window the vector average divides exactly (its |sum| + count / 2 must stay < 2^24).
MAX_AVERAGE_COUNT = 1 << 16


@variant("adrt_max_pool2d_s8", "mve")
def max_pool_mve(call: KernelCall, layer: LayerContext) -> KernelCall | None:
    return dataclasses.replace(call, function="adrt_mve_max_pool2d_s8", kernel="mve")


@variant("adrt_avg_pool2d_s8", "mve")
def avg_pool_mve(call: KernelCall, layer: LayerContext) -> KernelCall | None:
    if call.param("filter_h") * call.param("filter_w") > MAX_AVERAGE_COUNT:
        return None
    params = [(k, "NULL" if k == "recip" else v) for k, v in call.params]
    params = [(k, 0 if k == "count_lo" else v) for k, v in params]
    return dataclasses.replace(call, function="adrt_mve_avg_pool2d_s8", params=params, kernel="mve")
