"""SPLIT, SPLIT_V and UNPACK -> adrt_split_<type> (the inverse of CONCATENATION: each output
takes its block of every input row)."""

from __future__ import annotations

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.lower.reshape import const_ints, elem_size, int_array, product
from autodeploy.tflite.model import Operator, Subgraph, Tensor

FUNCTIONS = {
    "INT8": "adrt_split_s8",
    "INT16": "adrt_split_s16",
    "INT32": "adrt_split_s32",
    "FLOAT32": "adrt_split_f32",
}


def _axis(op: Operator, axis: int, rank: int) -> int:
    if not -rank <= axis < rank:
        raise Unsupported(f"{op.opcode} on axis {axis} of a rank-{rank} input")
    return axis % rank


def split_call(op: Operator, sg: Subgraph, x: Tensor, axis: int, sizes: list[int]) -> KernelCall:
    """Input `x` cut along `axis` into pieces of `sizes`, one per output (in order)."""
    outputs = [sg.tensors[i] for i in op.outputs]
    if any(i < 0 for i in op.outputs) or len(outputs) != len(sizes):
        raise Unsupported(f"{op.opcode} with {len(outputs)} outputs for {len(sizes)} pieces")
    es = elem_size(op, x, *outputs)
    fn = FUNCTIONS.get(x.dtype)
    if fn is None:
        raise Unsupported(f"{op.opcode} on {x.dtype} tensors")
    if sum(sizes) != x.shape[axis] or min(sizes) < 0:
        raise Unsupported(f"{op.opcode}: pieces {sizes} do not split {x.shape[axis]}")
    inner = product(x.shape[axis + 1 :])
    for t, size in zip(outputs, sizes, strict=True):
        if t.num_elements != product(x.shape[:axis]) * size * inner:
            raise Unsupported(f"{op.opcode}: output {list(t.shape)} is not a {size}-piece")
    copy_bytes = [size * inner * es for size in sizes]
    params = [
        ("num_outputs", len(outputs)),
        ("outer", product(x.shape[:axis])),
        ("in_row_bytes", sum(copy_bytes)),
        ("copy_bytes", int_array(copy_bytes)),
    ]
    return KernelCall(fn, "adrt_split_params_t", params, (x.index,), tuple(op.outputs))


@register("SPLIT")
def lower_split(op: Operator, sg: Subgraph) -> KernelCall:
    x = sg.tensors[op.inputs[1]]
    axis = _axis(op, const_ints(op, sg, op.inputs[0], "axis")[0], len(x.shape))
    parts = len(op.outputs)
    if x.shape[axis] % parts:
        raise Unsupported(f"SPLIT of {x.shape[axis]} elements into {parts} pieces")
    return split_call(op, sg, x, axis, [x.shape[axis] // parts] * parts)


@register("SPLIT_V")
def lower_split_v(op: Operator, sg: Subgraph) -> KernelCall:
    x = sg.tensors[op.inputs[0]]
    sizes = const_ints(op, sg, op.inputs[1], "size_splits")
    axis = _axis(op, const_ints(op, sg, op.inputs[2], "axis")[0], len(x.shape))
    if sizes.count(-1) == 1:  # the one -1 takes what the others leave
        sizes[sizes.index(-1)] = x.shape[axis] - (sum(sizes) + 1)
    return split_call(op, sg, x, axis, sizes)


@register("UNPACK")
def lower_unpack(op: Operator, sg: Subgraph) -> KernelCall:
    x = sg.tensors[op.inputs[0]]
    axis = _axis(op, int(op.options.get("axis", 0)), len(x.shape))
    return split_call(op, sg, x, axis, [1] * x.shape[axis])
