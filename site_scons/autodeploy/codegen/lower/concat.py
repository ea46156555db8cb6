"""CONCATENATION and PACK -> adrt_concat_<type> (interleaved row copies, variadic inputs)."""

from __future__ import annotations

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.lower.reshape import elem_size, int_array, product, same_quantization
from autodeploy.tflite.model import Operator, Subgraph, Tensor

FUNCTIONS = {
    "INT8": "adrt_concat_s8",
    "INT16": "adrt_concat_s16",
    "INT32": "adrt_concat_s32",
    "FLOAT32": "adrt_concat_f32",
}


def _check_quantization(op: Operator, inputs: list[Tensor], y: Tensor) -> None:
    # LiteRT requires int8/int16 inputs to share the output's scale and zero point (no
    # requantization), so the kernel is a pure copy.
    if y.dtype in ("INT8", "INT16"):
        for t in inputs:
            if not same_quantization(t, y):
                raise Unsupported(f"{op.opcode} of inputs with different quantization")


def concat_call(op: Operator, y: Tensor, inputs: list[Tensor], outer: int, blocks: list[int]):
    es = elem_size(op, y, *inputs)
    fn = FUNCTIONS.get(y.dtype)
    if fn is None:
        raise Unsupported(f"{op.opcode} on {y.dtype} tensors")
    copy_bytes = [b * es for b in blocks]
    params = [
        ("num_inputs", len(inputs)),
        ("outer", outer),
        ("out_row_bytes", sum(copy_bytes)),
        ("copy_bytes", int_array(copy_bytes)),
    ]
    return KernelCall(
        fn, "adrt_concat_params_t", params, tuple(t.index for t in inputs), (op.outputs[0],)
    )


@register("CONCATENATION")
def lower_concatenation(op: Operator, sg: Subgraph) -> KernelCall:
    inputs = [sg.tensors[i] for i in op.inputs]
    y = sg.tensors[op.outputs[0]]
    rank = len(y.shape)
    act = op.options.get("fused_activation_function", "NONE")
    if act != "NONE":
        raise Unsupported(f"CONCATENATION with fused {act}")
    axis = int(op.options.get("axis", 0))
    if axis < 0:
        axis += rank
    if not 0 <= axis < max(rank, 1):
        raise Unsupported(f"CONCATENATION on axis {op.options.get('axis')} of rank {rank}")
    for t in inputs:
        if len(t.shape) != rank or any(t.shape[d] != y.shape[d] for d in range(rank) if d != axis):
            raise Unsupported(f"CONCATENATION of {list(t.shape)} into {list(y.shape)}")
    if rank and sum(t.shape[axis] for t in inputs) != y.shape[axis]:
        raise Unsupported("CONCATENATION with inconsistent axis sizes")
    _check_quantization(op, inputs, y)
    outer = product(y.shape[:axis])
    return concat_call(op, y, inputs, outer, [product(t.shape[axis:]) for t in inputs])


@register("PACK")
def lower_pack(op: Operator, sg: Subgraph) -> KernelCall:
    inputs = [sg.tensors[i] for i in op.inputs]
    y = sg.tensors[op.outputs[0]]
    shape = list(inputs[0].shape)
    axis = int(op.options.get("axis", 0))
    if axis < 0:
        axis += len(shape) + 1
    if not 0 <= axis <= len(shape):
        raise Unsupported(f"PACK on axis {op.options.get('axis')} of rank {len(shape)} inputs")
    if any(list(t.shape) != shape for t in inputs):
        raise Unsupported("PACK of inputs with different shapes")
    expected = shape[:axis] + [len(inputs)] + shape[axis:]
    if list(y.shape) != expected:
        raise Unsupported(f"PACK: output shape {list(y.shape)}, expected {expected}")
    # LiteRT refuses int8 inputs quantized differently from the output; TFLM copies the bytes
    # unchanged, and so do we.
    outer = product(shape[:axis])
    return concat_call(op, y, inputs, outer, [product(shape[axis:])] * len(inputs))
