"""TRANSPOSE with a constant permutation, DEPTH_TO_SPACE and SPACE_TO_DEPTH -> adrt_transpose
(a 6-D strided gather). The block rearrangements are transposes of a 6-D view of NHWC tensors:
SPACE_TO_DEPTH reads [n, h/b, b, w/b, b, c] in the order (0, 1, 3, 2, 4, 5), and DEPTH_TO_SPACE
reads [n, h, w, b, b, c/b^2] in that same order (channel (i * b + j) * c' + k of input pixel
(y, x) lands at (y * b + i, x * b + j), channel k)."""

from __future__ import annotations

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.lower.reshape import (
    const_ints,
    copy_operands,
    int_array,
)
from autodeploy.tflite.model import Operator, Subgraph

TRANSPOSE_DIMS = 6


def contiguous_strides(shape) -> list[int]:
    strides, acc = [], 1
    for d in reversed(list(shape)):
        strides.append(acc)
        acc *= int(d)
    return strides[::-1]


def simplify_gather(dims: list[int], strides: list[int]) -> tuple[list[int], list[int]]:
    """Drop size-1 dimensions and merge neighbours that are contiguous in the input too."""
    pairs = [(d, s) for d, s in zip(dims, strides, strict=True) if d != 1]
    if any(d == 0 for d, _ in pairs):
        return [0], [1]
    merged: list[tuple[int, int]] = []
    for d, s in pairs:
        if merged and merged[-1][1] == s * d:
            merged[-1] = (merged[-1][0] * d, s)
        else:
            merged.append((d, s))
    if not merged:
        merged = [(1, 1)]
    return [d for d, _ in merged], [s for _, s in merged]


def transpose_call(op: Operator, es: int, shape, perm) -> KernelCall:
    """adrt_transpose call writing input 0 (viewed with `shape`) permuted by `perm` to output 0."""
    out_shape = [shape[p] for p in perm]
    in_strides = contiguous_strides(shape)
    dims, strides = simplify_gather(out_shape, [in_strides[p] for p in perm])
    if len(dims) > TRANSPOSE_DIMS:
        raise Unsupported(f"{op.opcode} needing {len(dims)} dimensions after merging")
    lead = TRANSPOSE_DIMS - len(dims)
    params = [
        ("elem_size", es),
        ("out_dims", int_array([1] * lead + dims)),
        ("in_strides", int_array([0] * lead + strides)),
    ]
    return KernelCall(
        "adrt_transpose", "adrt_transpose_params_t", params, (op.inputs[0],), (op.outputs[0],)
    )


@register("TRANSPOSE")
def lower_transpose(op: Operator, sg: Subgraph) -> KernelCall:
    x, y, es = copy_operands(op, sg)
    perm = const_ints(op, sg, op.inputs[1], "perm")
    rank = len(x.shape)
    if sorted(perm) != list(range(rank)):
        raise Unsupported(f"TRANSPOSE with permutation {perm} of a rank-{rank} tensor")
    out_shape = [x.shape[p] for p in perm]
    if list(y.shape) != out_shape:
        raise Unsupported(f"TRANSPOSE: output shape {list(y.shape)}, expected {out_shape}")
    return transpose_call(op, es, x.shape, perm)


@register("DEPTH_TO_SPACE", "SPACE_TO_DEPTH")
def lower_depth_space(op: Operator, sg: Subgraph) -> KernelCall:
    x, y, es = copy_operands(op, sg)
    b = int(op.options.get("block_size", 0))
    if len(x.shape) != 4 or b < 1:
        raise Unsupported(f"{op.opcode} with block size {b} on a rank-{len(x.shape)} input")
    n, h, w, c = x.shape
    if op.opcode == "DEPTH_TO_SPACE":
        if c % (b * b):
            raise Unsupported(f"DEPTH_TO_SPACE of {c} channels with block size {b}")
        view, expected = [n, h, w, b, b, c // (b * b)], [n, h * b, w * b, c // (b * b)]
    else:
        if h % b or w % b:
            raise Unsupported(f"SPACE_TO_DEPTH of {h}x{w} with block size {b}")
        view, expected = [n, h // b, b, w // b, b, c], [n, h // b, w // b, c * b * b]
    if list(y.shape) != expected:
        raise Unsupported(f"{op.opcode}: output shape {list(y.shape)}, expected {expected}")
    return transpose_call(op, es, view, (0, 1, 3, 2, 4, 5))
