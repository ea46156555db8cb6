"""Build-time shape inference and folding of shape-only subgraphs.

Every op's output shapes are recomputed from the graph inputs (codegen/shapes.py), as TFLite's
Prepare() does: shapes stored in the file may be stale.

All shapes are static, so a SHAPE op and the int32 arithmetic on its result (STRIDED_SLICE,
PACK, CONCATENATION, ...; the SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE prologue of Keras
exports) compute constants. They are evaluated here with numpy, their outputs become constant
tensors and the ops disappear from the program. Ops that cannot be evaluated stay as they are.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from autodeploy.codegen.shapes import ShapeError, output_shapes
from autodeploy.errors import TfliteFormatError
from autodeploy.memory.lifetimes import execution_order
from autodeploy.tflite.model import Model, Operator, Subgraph, Tensor

_NP = {"INT32": np.int32, "INT64": np.int64}
_SHAPE_TYPES = frozenset(_NP)


def _value(t: Tensor) -> np.ndarray:
    return np.frombuffer(t.data, dtype=_NP[t.dtype]).reshape(t.shape)


def _strided_slice(op: Operator, x, begin, end, strides):
    opts = op.options
    if opts.get("ellipsis_mask") or opts.get("new_axis_mask"):
        return None
    index = []
    for axis in range(x.ndim):
        b, e, s = int(begin[axis]), int(end[axis]), int(strides[axis])
        if opts.get("offset"):
            e = b + e
        if opts.get("shrink_axis_mask", 0) >> axis & 1:
            index.append(b)
            continue
        start = None if opts.get("begin_mask", 0) >> axis & 1 else b
        stop = None if opts.get("end_mask", 0) >> axis & 1 else e
        index.append(slice(start, stop, s))
    return x[tuple(index)]


def _evaluate(op: Operator, sub: Subgraph):
    """numpy value of the op's single output, or None if this op is not folded."""
    ins = [sub.tensors[i] for i in op.inputs if i >= 0]
    if op.opcode == "SHAPE":
        return np.array(ins[0].shape, dtype=_NP.get(op.options.get("out_type"), np.int32))
    if not ins or not all(t.is_constant and t.dtype in _SHAPE_TYPES for t in ins):
        return None
    vals = [_value(t) for t in ins]
    if op.opcode == "STRIDED_SLICE":
        return _strided_slice(op, *vals)
    if op.opcode == "PACK":
        return np.stack(vals, axis=op.options.get("axis", 0))
    if op.opcode == "CONCATENATION":
        return np.concatenate(vals, axis=op.options.get("axis", 0))
    if op.opcode in ("RESHAPE", "SQUEEZE", "EXPAND_DIMS"):
        return vals[0]  # the output tensor's static shape is applied below
    return None


@dataclass(frozen=True)
class ShapeFix:
    """A tensor whose stored shape disagrees with the one its producer computes."""

    tensor: int
    name: str
    layer: int  # the producing op's index
    stored: tuple[int, ...]
    inferred: tuple[int, ...]


def _infer(op: Operator, tensors: list[Tensor], fixes: list[ShapeFix], path: str) -> None:
    """Set the op's output shapes to what its inputs and options give (tensors updated in place)."""
    try:
        shapes = output_shapes(op, tensors)
    except ShapeError as err:
        raise TfliteFormatError(
            f"{path}: layer {op.index} {op.opcode} is inconsistent: {err}; inputs "
            f"{[list(tensors[i].shape) for i in op.inputs if i >= 0]}. Re-export the model."
        ) from None
    if shapes is None or len(shapes) != len(op.outputs):
        return
    for index, shape in zip(op.outputs, shapes, strict=True):
        out = tensors[index]
        if tuple(out.shape) != tuple(shape):
            fixes.append(ShapeFix(index, out.name, op.index, tuple(out.shape), tuple(shape)))
            tensors[index] = dataclasses.replace(out, shape=tuple(shape))


def fold_shape_ops(model: Model) -> tuple[Model, list[int], list[ShapeFix]]:
    """A copy of the model with every output shape inferred from the graph inputs (in execution
    order) and foldable ops evaluated; returns it, the folded op indices and the shape fixes."""
    sub = model.main
    tensors = list(sub.tensors)
    work = dataclasses.replace(sub, tensors=tensors)
    kept, folded, fixes = [], [], []
    for pos in execution_order(sub, model.path):
        op = sub.operators[pos]
        _infer(op, tensors, fixes, model.path)
        out = tensors[op.outputs[0]] if len(op.outputs) == 1 else None
        value = _evaluate(op, work) if out is not None and out.dtype in _SHAPE_TYPES else None
        if value is None or value.size != out.num_elements:
            kept.append(op)
            continue
        data = np.ascontiguousarray(value, dtype=_NP[out.dtype]).reshape(out.shape).tobytes()
        tensors[out.index] = dataclasses.replace(out, data=data)
        folded.append(op.index)
    kept.sort(key=lambda op: op.index)  # file order, as the rest of the pipeline expects
    subgraphs = [dataclasses.replace(work, operators=kept), *model.subgraphs[1:]]
    return dataclasses.replace(model, subgraphs=subgraphs), folded, fixes
