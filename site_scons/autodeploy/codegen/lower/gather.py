"""GATHER -> adrt_gather: slices of the params tensor picked by an int16/int32/int64 index
tensor (constant or computed), with TFLite's axis and batch_dims."""

from __future__ import annotations

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.lower.reshape import elem_size, product
from autodeploy.tflite.model import Operator, Subgraph

INDEX_BYTES = {"INT16": 2, "INT32": 4, "INT64": 8}


@register("GATHER")
def lower_gather(op: Operator, sg: Subgraph) -> KernelCall:
    params_t, indices = sg.tensors[op.inputs[0]], sg.tensors[op.inputs[1]]
    y = sg.tensors[op.outputs[0]]
    es = elem_size(op, params_t, y)
    if indices.dtype not in INDEX_BYTES:
        raise Unsupported(f"GATHER with {indices.dtype} indices")
    p, i = list(params_t.shape), list(indices.shape)
    axis = int(op.options.get("axis", 0))
    axis = axis + len(p) if axis < 0 else axis
    batch_dims = int(op.options.get("batch_dims", 0))
    batch_dims = batch_dims + len(i) if batch_dims < 0 else batch_dims
    if (
        not 0 <= batch_dims <= axis < len(p)
        or batch_dims > len(i)
        or p[:batch_dims] != i[:batch_dims]
    ):
        raise Unsupported(
            f"GATHER on axis {op.options.get('axis', 0)} with batch_dims "
            f"{op.options.get('batch_dims', 0)} of params {p} and indices {i}"
        )
    expected = p[:axis] + i[batch_dims:] + p[axis + 1 :]
    if list(y.shape) != expected:
        raise Unsupported(f"GATHER: output shape {list(y.shape)}, expected {expected}")
    params = [
        ("elem_size", es),
        ("index_bytes", INDEX_BYTES[indices.dtype]),
        ("batches", product(p[:batch_dims])),
        ("outer", product(p[batch_dims:axis])),
        ("axis_size", p[axis]),
        ("coords", product(i[batch_dims:])),
        ("inner", product(p[axis + 1 :])),
    ]
    return KernelCall(
        "adrt_gather", "adrt_gather_params_t", params, tuple(op.inputs[:2]), (op.outputs[0],)
    )
