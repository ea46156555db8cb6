"""RESIZE_NEAREST_NEIGHBOR -> adrt_resize_nearest with build-time source index tables.

TFLite picks the source pixel with float32 arithmetic (scale = in/out, or (in-1)/(out-1) with
align_corners; +0.5 with half_pixel_centers; round() with align_corners, floor() otherwise; clamp).
It depends only on sizes and flags, so it is evaluated here in numpy float32, which rounds every
step exactly like the C++ code.
"""

from __future__ import annotations

import math

import numpy as np

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.lower.reshape import (
    const_ints,
    copy_operands,
    int_array,
    shape4,
)


def nearest_source(out_index: int, in_size: int, out_size: int, align: bool, half: bool) -> int:
    if align and out_size > 1:
        scale = np.float32(in_size - 1) / np.float32(out_size - 1)
    else:
        scale = np.float32(in_size) / np.float32(out_size)
    offset = np.float32(0.5 if half else 0.0)
    v = float((np.float32(out_index) + offset) * scale)  # float32 ops, exact in float64
    src = math.floor(v + 0.5) if align else math.floor(v)  # v >= 0: round half away from 0
    src = min(src, in_size - 1)
    if half:
        src = max(0, src)
    return src


@register("RESIZE_NEAREST_NEIGHBOR")
def lower_resize_nearest(op, sg) -> KernelCall:
    x, y, es = copy_operands(op, sg)
    if len(x.shape) != 4 or len(y.shape) != 4:
        raise Unsupported(f"RESIZE_NEAREST_NEIGHBOR on rank {len(x.shape)} tensors")
    n, ih, iw, c = x.shape
    on, oh, ow, oc = y.shape
    if (on, oc) != (n, c):
        raise Unsupported(f"RESIZE_NEAREST_NEIGHBOR from {list(x.shape)} to {list(y.shape)}")
    if len(op.inputs) > 1 and op.inputs[1] >= 0 and sg.tensors[op.inputs[1]].is_constant:
        size = const_ints(op, sg, op.inputs[1], "size")
        if size != [oh, ow]:
            raise Unsupported(f"RESIZE_NEAREST_NEIGHBOR size {size} but output {list(y.shape)}")
    if min(ih, iw, oh, ow) < 1:
        raise Unsupported("RESIZE_NEAREST_NEIGHBOR with an empty dimension")
    align = bool(op.options.get("align_corners", False))
    half = bool(op.options.get("half_pixel_centers", False))
    ys = [nearest_source(i, ih, oh, align, half) * iw * c for i in range(oh)]
    xs = [nearest_source(i, iw, ow, align, half) * c for i in range(ow)]
    params = [
        ("elem_size", es),
        ("input", shape4(x.shape)),
        ("output", shape4(y.shape)),
        ("y_offsets", int_array(ys)),
        ("x_offsets", int_array(xs)),
    ]
    return KernelCall(
        "adrt_resize_nearest",
        "adrt_resize_nearest_params_t",
        params,
        (op.inputs[0],),
        (op.outputs[0],),
    )
