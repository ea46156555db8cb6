"""RESHAPE, SQUEEZE, EXPAND_DIMS -> adrt_reshape (a byte copy), plus helpers shared by the other
data-movement lowerings (pad, transpose, slice, concat, resize, space_batch).

Data-movement kernels are type-agnostic: they take `void *` tensors and an element size, so they
run on INT8 activations as well as INT32 shape tensors (and INT16/FLOAT32 where TFLite allows).
"""

from __future__ import annotations

import numpy as np

from autodeploy.codegen.kernel_call import CArray, CStruct, KernelCall
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.tflite.model import DTYPE_BYTES, Operator, Subgraph, Tensor

# Element types the byte-moving kernels handle, with their sizes.
MOVABLE_DTYPES = {"INT8": 1, "UINT8": 1, "BOOL": 1, "INT16": 2, "INT32": 4, "FLOAT32": 4}


def elem_size(op: Operator, *tensors: Tensor) -> int:
    """Element size shared by `tensors`; Unsupported for other dtypes or mixed dtypes."""
    dtypes = {t.dtype for t in tensors}
    if len(dtypes) != 1:
        raise Unsupported(f"{op.opcode} with mixed dtypes {sorted(dtypes)}")
    dtype = dtypes.pop()
    if dtype not in MOVABLE_DTYPES:
        raise Unsupported(f"{op.opcode} on {dtype} tensors")
    return MOVABLE_DTYPES[dtype]


def copy_operands(op: Operator, sg: Subgraph) -> tuple[Tensor, Tensor, int]:
    """Input 0 and output 0 of a data-movement op, and their shared element size."""
    x = sg.tensors[op.inputs[0]]
    y = sg.tensors[op.outputs[0]]
    return x, y, elem_size(op, x, y)


def const_ints(op: Operator, sg: Subgraph, index: int, what: str) -> list[int]:
    """Values of a constant INT32/INT64 tensor (flattened); Unsupported if not constant."""
    if index < 0:
        raise Unsupported(f"{op.opcode} without {what}")
    t = sg.tensors[index]
    if not t.is_constant:
        raise Unsupported(f"{op.opcode} with non-constant {what}")
    if t.dtype not in ("INT32", "INT64"):
        raise Unsupported(f"{op.opcode} with {t.dtype} {what}")
    arr = np.frombuffer(t.data, dtype=np.int32 if t.dtype == "INT32" else np.int64)
    if arr.size != t.num_elements:
        raise Unsupported(f"{op.opcode}: {what} has {arr.size} values for shape {t.shape}")
    return [int(v) for v in arr]


def zero_point(t: Tensor) -> int:
    """Per-tensor zero point of a quantized tensor, 0 for unquantized ones."""
    q = t.quantization
    if q is None or not q.zero_point:
        return 0
    return int(q.zero_point[0])


def same_quantization(a: Tensor, b: Tensor) -> bool:
    qa, qb = a.quantization, b.quantization
    sa = (tuple(qa.scale), tuple(qa.zero_point)) if qa and qa.scale else None
    sb = (tuple(qb.scale), tuple(qb.zero_point)) if qb and qb.scale else None
    return sa == sb


def int_array(values) -> CArray:
    return CArray("int32_t", tuple(int(v) for v in values))


def shape4(shape) -> CStruct:
    """adrt_shape4_t of a shape of rank <= 4 (leading 1s added)."""
    dims = [1] * (4 - len(shape)) + [int(d) for d in shape]
    return CStruct(tuple(zip(("n", "h", "w", "c"), dims, strict=True)))


def product(dims) -> int:
    n = 1
    for d in dims:
        n *= int(d)
    return n


@register("RESHAPE", "SQUEEZE", "EXPAND_DIMS")
def lower_reshape(op: Operator, sg: Subgraph) -> KernelCall:
    x = sg.tensors[op.inputs[0]]
    y = sg.tensors[op.outputs[0]]
    if x.dtype != y.dtype or x.dtype not in DTYPE_BYTES or x.dtype in ("INT4", "STRING"):
        raise Unsupported(f"{op.opcode} from {x.dtype} to {y.dtype}")
    if x.nbytes != y.nbytes:
        raise Unsupported(f"{op.opcode} from shape {list(x.shape)} to {list(y.shape)}")
    # The shape/axis operand (constant or computed) is not needed: the output shape is static.
    return KernelCall(
        "adrt_reshape", "adrt_reshape_params_t", [("bytes", y.nbytes)], (x.index,), (y.index,)
    )
