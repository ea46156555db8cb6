"""STRIDED_SLICE and SLICE with constant indices -> adrt_strided_slice (a 5-D strided gather).

STRIDED_SLICE follows LiteRT's strided_slice.cc: masks are first rewritten over the "effective"
dimensions (ellipsis expanded, new axes inserted as size-1 dimensions), then each axis gets a
clamped start/end (begin_mask/end_mask override after clamping, shrink_axis takes one element,
`offset` makes end relative to begin). The kernel then only needs a start offset plus a count and
an input step per dimension.
"""

from __future__ import annotations

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.lower.reshape import (
    const_ints,
    copy_operands,
    int_array,
    product,
)
from autodeploy.codegen.lower.transpose import contiguous_strides, simplify_gather
from autodeploy.tflite.model import Operator, Subgraph

SLICE_DIMS = 5


def _bit(mask: int, i: int) -> bool:
    return bool((mask >> i) & 1) if i >= 0 else False


def _clamp(v: int, lo: int, hi: int) -> int:
    return hi if v > hi else lo if v < lo else v


def effective_slice_params(
    input_shape, begin, end, strides, options: dict
) -> tuple[list[int], list[int], list[int], list[int], int, int, int]:
    """(effective input shape, starts, stops, strides, begin_mask, end_mask, shrink_mask) with
    ellipsis and new axes resolved, as LiteRT's BuildStridedSliceParams computes them."""
    ellipsis_mask = int(options.get("ellipsis_mask", 0))
    new_axis_mask = int(options.get("new_axis_mask", 0))
    in_begin_mask = int(options.get("begin_mask", 0))
    in_end_mask = int(options.get("end_mask", 0))
    in_shrink_mask = int(options.get("shrink_axis_mask", 0))
    input_dims = len(input_shape)
    begin_count = len(begin)
    num_add_axis = sum(
        1 for i in range(begin_count) if not _bit(ellipsis_mask, i) and _bit(new_axis_mask, i)
    )
    eff = input_dims + num_add_axis

    eff_ellipsis = eff_new_axis = 0
    ellipsis_start, expanded = eff, 0
    i = 0
    while i < eff:
        if _bit(ellipsis_mask, i):
            ellipsis_start = i
            ellipsis_end = max(i + 1, min(i + 1 + num_add_axis + input_dims - begin_count, eff))
            expanded = ellipsis_end - ellipsis_start - 1
            while i < ellipsis_end:
                eff_ellipsis |= 1 << i
                i += 1
            continue
        if _bit(new_axis_mask, i - expanded):
            eff_new_axis |= 1 << i
        i += 1

    starts, stops, steps = [0] * eff, [0] * eff, [1] * eff
    shape = [0] * eff
    begin_mask = end_mask = shrink_mask = 0
    added_ellipsis = added_axes = 0
    for i in range(eff):
        if _bit(eff_ellipsis, i):
            added_ellipsis = max(0, i - ellipsis_start)
            begin_mask |= 1 << i
            end_mask |= 1 << i
            shape[i] = input_shape[i - added_axes]
        elif _bit(eff_new_axis, i):
            stops[i] = 1
            shape[i] = 1
            added_axes += 1
        elif i >= begin_count + expanded:
            begin_mask |= 1 << i
            end_mask |= 1 << i
            shape[i] = input_shape[i - added_axes]
        else:
            orig = i - added_ellipsis
            starts[i], stops[i], steps[i] = begin[orig], end[orig], strides[orig]
            if _bit(in_begin_mask, orig):
                begin_mask |= 1 << i
            if _bit(in_end_mask, orig):
                end_mask |= 1 << i
            if _bit(in_shrink_mask, orig):
                shrink_mask |= 1 << i
            shape[i] = input_shape[i - added_axes]
    return shape, starts, stops, steps, begin_mask, end_mask, shrink_mask


def axis_range(size: int, start: int, stop: int, step: int, begin_m, end_m, shrink, offset):
    """Clamped (start, stop) of one axis, as LiteRT's StartForAxis / EndForAxis."""
    if start < 0:
        start += size
    start = _clamp(start, 0, size) if step > 0 else _clamp(start, -1, size - 1)
    if begin_m:
        start = 0 if step > 0 else size - 1
    if shrink:
        return start, (start if start >= size else start + 1)
    if offset:
        stop += start
    if stop < 0:
        stop += size
    stop = _clamp(stop, 0, size) if step > 0 else _clamp(stop, -1, size - 1)
    if end_m:
        stop = size if step > 0 else -1
    return start, stop


def gather_call(op: Operator, es: int, in_shape, starts, counts, steps) -> KernelCall:
    """KernelCall reading counts[i] elements from starts[i] with steps[i] along each input dim."""
    in_strides = contiguous_strides(in_shape)
    offset = sum(s * st for s, st, c in zip(starts, in_strides, counts, strict=True) if c > 0)
    dims, elem_steps = simplify_gather(
        list(counts), [s * st for s, st in zip(steps, in_strides, strict=True)]
    )
    if dims == [0]:
        offset = 0
    if len(dims) > SLICE_DIMS:
        raise Unsupported(f"{op.opcode} needing {len(dims)} dimensions after merging")
    lead = SLICE_DIMS - len(dims)
    params = [
        ("elem_size", es),
        ("in_offset", offset),
        ("counts", int_array([1] * lead + dims)),
        ("steps", int_array([0] * lead + elem_steps)),
    ]
    return KernelCall(
        "adrt_strided_slice",
        "adrt_strided_slice_params_t",
        params,
        (op.inputs[0],),
        (op.outputs[0],),
    )


@register("STRIDED_SLICE")
def lower_strided_slice(op: Operator, sg: Subgraph) -> KernelCall:
    x, y, es = copy_operands(op, sg)
    if len(op.inputs) < 4:
        raise Unsupported("STRIDED_SLICE without strides")
    begin = const_ints(op, sg, op.inputs[1], "begin")
    end = const_ints(op, sg, op.inputs[2], "end")
    strides = const_ints(op, sg, op.inputs[3], "strides")
    if not len(begin) == len(end) == len(strides):
        raise Unsupported("STRIDED_SLICE with begin/end/strides of different lengths")
    if any(s == 0 for s in strides):
        raise Unsupported("STRIDED_SLICE with a zero stride")
    o = op.options
    if bin(int(o.get("ellipsis_mask", 0))).count("1") > 1:
        raise Unsupported("STRIDED_SLICE with more than one ellipsis")
    try:
        shape, starts, stops, steps, bm, em, sm = effective_slice_params(
            list(x.shape), begin, end, strides, o
        )
    except IndexError as e:
        raise Unsupported("STRIDED_SLICE with masks inconsistent with the input rank") from e
    offset = bool(o.get("offset", False))
    counts, out_shape, first = [], [], []
    for i, size in enumerate(shape):
        start, stop = axis_range(
            size, starts[i], stops[i], steps[i], _bit(bm, i), _bit(em, i), _bit(sm, i), offset
        )
        n = len(range(start, stop, steps[i]))
        if n == 0 and _bit(sm, i):
            # e.g. a negative stride on a shrunk axis: LiteRT writes no output at all
            raise Unsupported("STRIDED_SLICE shrinking an axis to an empty range")
        counts.append(n)
        first.append(start)
        if not _bit(sm, i):
            out_shape.append(n)
    if list(y.shape) != out_shape:
        raise Unsupported(
            f"STRIDED_SLICE: output shape {list(y.shape)}, the slice gives {out_shape}"
        )
    if product(counts) == 0:
        first = [0] * len(first)
    return gather_call(op, es, shape, first, counts, steps)


@register("SLICE")
def lower_slice(op: Operator, sg: Subgraph) -> KernelCall:
    x, y, es = copy_operands(op, sg)
    begin = const_ints(op, sg, op.inputs[1], "begin")
    size = const_ints(op, sg, op.inputs[2], "size")
    rank = len(x.shape)
    if len(begin) != rank or len(size) != rank:
        raise Unsupported(f"SLICE with {len(begin)} begin / {len(size)} size values, rank {rank}")
    counts = [d - b if s == -1 else s for d, b, s in zip(x.shape, begin, size, strict=True)]
    for d, b, c in zip(x.shape, begin, counts, strict=True):
        if b < 0 or c < 0 or b + c > d:
            raise Unsupported(f"SLICE begin {begin} size {size} out of bounds of {list(x.shape)}")
    if list(y.shape) != counts:
        raise Unsupported(f"SLICE: output shape {list(y.shape)}, the slice gives {counts}")
    return gather_call(op, es, list(x.shape), begin, counts, [1] * rank)
