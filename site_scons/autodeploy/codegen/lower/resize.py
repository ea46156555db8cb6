"""RESIZE_NEAREST_NEIGHBOR -> adrt_resize_nearest and RESIZE_BILINEAR (int8) ->
adrt_resize_bilinear_s8, with build-time source index (and weight) tables.

Nearest: TFLite picks the source pixel with float32 arithmetic (scale = in/out, or (in-1)/(out-1)
with align_corners; +0.5 with half_pixel_centers; round() with align_corners, floor() otherwise;
clamp). It depends only on sizes and flags, so it is evaluated here in numpy float32, which rounds
every step exactly like the C++ code.

Bilinear int8: TFLite's integer reference (ResizeBilinearInteger) uses a scale with 10 fractional
bits, round(1024 * in / out) (align_corners: (in-1)/(out-1)), source position p = i * scale
(half_pixel_centers: + scale / 2 - 512), lower source max(p / 1024, 0) and upper
min((p + 1023) / 1024, in - 1) (p >= -512, so C's truncating division and a floor give the same
bounds), and weights 1024 - f and f for f = p - 1024 * lower. No requantization: TFLite
interpolates the raw values whatever the input and output scales.
"""

from __future__ import annotations

import math

import numpy as np

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.lower._spatial import require_int8
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


def bilinear_axis(in_size: int, out_size: int, align: bool, half: bool) -> list[tuple]:
    """(lower source, upper source, lower weight, upper weight) of every output index."""
    if align and out_size > 1:
        scale = ((in_size - 1) * 1024 + (out_size - 1) // 2) // (out_size - 1)
    else:
        scale = (in_size * 1024 + out_size // 2) // out_size
    table = []
    for i in range(out_size):
        pos = i * scale + scale // 2 - 512 if half else i * scale
        lower = max(pos // 1024, 0)
        upper = min((pos + 1023) // 1024, in_size - 1)
        if lower > in_size - 1:  # the reference would read past the input
            raise Unsupported(f"RESIZE_BILINEAR from {in_size} to {out_size}: source out of range")
        frac = pos - 1024 * lower
        table.append((lower, upper, 1024 - frac, frac))
    return table


@register("RESIZE_BILINEAR")
def lower_resize_bilinear(op, sg) -> KernelCall:
    x, y = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    require_int8(op, x, y)
    if len(x.shape) != 4 or len(y.shape) != 4:
        raise Unsupported(f"RESIZE_BILINEAR on rank {len(x.shape)} tensors")
    n, ih, iw, c = x.shape
    on, oh, ow, oc = y.shape
    if (on, oc) != (n, c) or min(ih, iw, oh, ow) < 1:
        raise Unsupported(f"RESIZE_BILINEAR from {list(x.shape)} to {list(y.shape)}")
    size = const_ints(op, sg, op.inputs[1], "size")
    if size != [oh, ow]:
        raise Unsupported(f"RESIZE_BILINEAR size {size} but output {list(y.shape)}")
    align = bool(op.options.get("align_corners", False))
    half = bool(op.options.get("half_pixel_centers", False))
    if align and half:
        raise Unsupported("RESIZE_BILINEAR with both align_corners and half_pixel_centers")
    rows = bilinear_axis(ih, oh, align, half)
    cols = bilinear_axis(iw, ow, align, half)
    params = [
        ("input", shape4(x.shape)),
        ("output", shape4(y.shape)),
        ("y_rows", int_array([r * iw * c for lo, hi, _, _ in rows for r in (lo, hi)])),
        ("y_weight", int_array([w for _, _, w0, w1 in rows for w in (w0, w1)])),
        ("x_cols", int_array([p * c for lo, hi, _, _ in cols for p in (lo, hi)])),
        ("x_weight", int_array([w for _, _, w0, w1 in cols for w in (w0, w1)])),
    ]
    return KernelCall(
        "adrt_resize_bilinear_s8",
        "adrt_resize_bilinear_params_t",
        params,
        (op.inputs[0],),
        (op.outputs[0],),
    )
