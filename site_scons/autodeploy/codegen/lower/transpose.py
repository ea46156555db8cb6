"""TRANSPOSE with a constant permutation -> adrt_transpose (a 6-D strided gather)."""

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
    in_strides = contiguous_strides(x.shape)
    dims, strides = simplify_gather(out_shape, [in_strides[p] for p in perm])
    if len(dims) > TRANSPOSE_DIMS:
        raise Unsupported(f"TRANSPOSE needing {len(dims)} dimensions after merging")
    lead = TRANSPOSE_DIMS - len(dims)
    params = [
        ("elem_size", es),
        ("out_dims", int_array([1] * lead + dims)),
        ("in_strides", int_array([0] * lead + strides)),
    ]
    return KernelCall(
        "adrt_transpose", "adrt_transpose_params_t", params, (op.inputs[0],), (op.outputs[0],)
    )
