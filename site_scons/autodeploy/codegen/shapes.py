"""Output shapes computed from each op's inputs and options, as TFLite's Prepare() computes them.

Shapes stored in a .tflite file can be stale (converters that rewrite a graph, e.g. a dilated
convolution lowered to SPACE_TO_BATCH_ND -> DEPTHWISE_CONV_2D -> BATCH_TO_SPACE_ND, may keep the
pre-rewrite shapes); LiteRT and TFLM run such models because they recompute output shapes. A
rule takes the op and the subgraph's current tensors and returns one shape per output; an op
without a rule keeps its stored shapes. ShapeError means the graph is inconsistent.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autodeploy.tflite.model import Operator, Tensor

Shape = tuple[int, ...]
Rule = Callable[[Operator, list[Tensor]], list[Shape]]
_RULES: dict[str, Rule] = {}


class ShapeError(ValueError):
    """The op's inputs and options admit no output shape (the message says why)."""


def rule(*opcodes: str):
    def deco(fn: Rule) -> Rule:
        for name in opcodes:
            _RULES[name] = fn
        return fn

    return deco


def output_shapes(op: Operator, tensors: list[Tensor]) -> list[Shape] | None:
    """The op's output shapes from its inputs, or None when no rule knows the op (or a rule
    needs a value that is not constant, e.g. a RESHAPE to a computed shape)."""
    fn = _RULES.get(op.opcode)
    return None if fn is None else fn(op, tensors)


# -- helpers ---------------------------------------------------------------------------------


def _input(op: Operator, tensors: list[Tensor], k: int) -> Tensor | None:
    return tensors[op.inputs[k]] if k < len(op.inputs) and op.inputs[k] >= 0 else None


def _values(t: Tensor | None) -> list[int] | None:
    """A constant integer tensor's values (flattened), else None."""
    if t is None or not t.is_constant or t.dtype not in ("INT32", "INT64"):
        return None
    return [int(v) for v in np.frombuffer(t.data, np.int32 if t.dtype == "INT32" else np.int64)]


def _axis(axis: int, rank: int, op: Operator) -> int:
    if not -rank <= axis < rank:
        raise ShapeError(f"{op.opcode}: axis {axis} is outside a rank-{rank} input")
    return axis % rank


def broadcast(op: Operator, *shapes: Shape) -> Shape:
    """NumPy/TFLite broadcasting of several shapes."""
    rank = max(len(s) for s in shapes)
    out = []
    for dims in zip(*((1,) * (rank - len(s)) + tuple(s) for s in shapes), strict=True):
        sizes = {d for d in dims if d != 1}
        if len(sizes) > 1:
            raise ShapeError(f"{op.opcode}: shapes {[list(s) for s in shapes]} do not broadcast")
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


def window_out(padding: str, size: int, filt: int, stride: int, dilation: int) -> int:
    """TFLite ComputeOutSize."""
    effective = (filt - 1) * dilation + 1
    if padding == "SAME":
        return (size + stride - 1) // stride
    return (size + stride - effective) // stride


# -- rules -------------------------------------------------------------------------------------

_SAME_AS_INPUT = (
    "RELU", "RELU6", "RELU_N1_TO_1", "RELU_0_TO_1", "LEAKY_RELU", "HARD_SWISH", "LOGISTIC", "TANH",
    "SOFTMAX", "LOG_SOFTMAX", "QUANTIZE", "DEQUANTIZE", "RSQRT", "SQRT", "ABS", "NEG", "EXP",
    "LOG", "ELU", "GELU", "CAST", "FLOOR", "CEIL", "ROUND", "SQUARE",
)  # fmt: skip


@rule(*_SAME_AS_INPUT)
def _same(op, tensors):
    return [tuple(_input(op, tensors, 0).shape)]


@rule("ADD", "SUB", "MUL", "DIV", "MINIMUM", "MAXIMUM", "SQUARED_DIFFERENCE", "PRELU", "POW")
def _binary(op, tensors):
    return [broadcast(op, _input(op, tensors, 0).shape, _input(op, tensors, 1).shape)]


@rule("CONV_2D", "DEPTHWISE_CONV_2D")
def _conv(op, tensors):
    x, w = _input(op, tensors, 0), _input(op, tensors, 1)
    if len(x.shape) != 4 or len(w.shape) != 4:
        return None
    o = op.options
    padding = o.get("padding", "SAME")
    sh, sw = int(o.get("stride_h", 1)), int(o.get("stride_w", 1))
    dh, dw = int(o.get("dilation_h_factor", 1)), int(o.get("dilation_w_factor", 1))
    n, h, wd, c = x.shape
    channels = w.shape[0] if op.opcode == "CONV_2D" else w.shape[3]
    if op.opcode == "DEPTHWISE_CONV_2D" and channels % max(c, 1):
        raise ShapeError(f"DEPTHWISE_CONV_2D: {channels} filters for {c} input channels")
    oh = window_out(padding, h, w.shape[1], sh, dh)
    ow = window_out(padding, wd, w.shape[2], sw, dw)
    if oh < 1 or ow < 1:
        raise ShapeError(f"{op.opcode}: a {w.shape[1]}x{w.shape[2]} window leaves no output")
    return [(n, oh, ow, channels)]


@rule("AVERAGE_POOL_2D", "MAX_POOL_2D", "L2_POOL_2D")
def _pool(op, tensors):
    x = _input(op, tensors, 0)
    if len(x.shape) != 4:
        return None
    o = op.options
    padding = o.get("padding", "SAME")
    n, h, w, c = x.shape
    oh = window_out(padding, h, int(o["filter_height"]), int(o["stride_h"]), 1)
    ow = window_out(padding, w, int(o["filter_width"]), int(o["stride_w"]), 1)
    return [(n, oh, ow, c)]


@rule("FULLY_CONNECTED")
def _fully_connected(op, tensors):
    x, w = _input(op, tensors, 0), _input(op, tensors, 1)
    if len(w.shape) != 2:
        return None
    units, depth = w.shape
    elements = int(np.prod(x.shape))
    if depth < 1 or elements % depth:
        raise ShapeError(f"FULLY_CONNECTED: input {list(x.shape)} vs weights {list(w.shape)}")
    if op.options.get("keep_num_dims"):
        return [(*x.shape[:-1], units)]
    return [(elements // depth, units)]


@rule("RESHAPE")
def _reshape(op, tensors):
    x, shape_input = _input(op, tensors, 0), _input(op, tensors, 1)
    # the shape input wins over the option (TFLite); a computed one is known only at run time
    target = _values(shape_input) if shape_input is not None else op.options.get("new_shape")
    if target is None:
        return None
    target = [int(d) for d in target]
    elements = int(np.prod(x.shape))
    known = int(np.prod([d for d in target if d != -1]))
    if target.count(-1) > 1:
        raise ShapeError(f"RESHAPE: more than one -1 in {target}")
    if -1 in target:
        if known == 0 or elements % known:
            raise ShapeError(f"RESHAPE: {elements} elements cannot take the shape {target}")
        target[target.index(-1)] = elements // known
    if int(np.prod(target)) != elements:
        raise ShapeError(f"RESHAPE: {list(x.shape)} has {elements} elements, not {target}")
    return [tuple(target)]


@rule("SQUEEZE")
def _squeeze(op, tensors):
    shape = _input(op, tensors, 0).shape
    dims = op.options.get("squeeze_dims") or [i for i, d in enumerate(shape) if d == 1]
    drop = {_axis(int(d), len(shape), op) for d in dims}
    return [tuple(d for i, d in enumerate(shape) if i not in drop)]


@rule("EXPAND_DIMS")
def _expand_dims(op, tensors):
    shape = list(_input(op, tensors, 0).shape)
    axis = _values(_input(op, tensors, 1))
    if axis is None:
        return None
    position = _axis(axis[0], len(shape) + 1, op)
    return [tuple(shape[:position] + [1] + shape[position:])]


@rule("PAD", "PADV2", "MIRROR_PAD")
def _pad(op, tensors):
    shape = _input(op, tensors, 0).shape
    paddings = _values(_input(op, tensors, 1))
    if paddings is None:
        return None
    if len(paddings) != 2 * len(shape):
        raise ShapeError(f"{op.opcode}: {len(paddings)} padding values for rank {len(shape)}")
    return [tuple(d + paddings[2 * i] + paddings[2 * i + 1] for i, d in enumerate(shape))]


@rule("TRANSPOSE")
def _transpose(op, tensors):
    shape = _input(op, tensors, 0).shape
    perm = _values(_input(op, tensors, 1))
    if perm is None:
        return None
    if sorted(perm) != list(range(len(shape))):
        raise ShapeError(f"TRANSPOSE: {perm} is not a permutation of {len(shape)} axes")
    return [tuple(shape[p] for p in perm)]


@rule("CONCATENATION")
def _concatenation(op, tensors):
    shapes = [t.shape for t in (tensors[i] for i in op.inputs)]
    rank = len(shapes[0])
    axis = _axis(int(op.options.get("axis", 0)), rank, op)
    others = [tuple(d for i, d in enumerate(s) if i != axis) for s in shapes]
    if any(len(s) != rank for s in shapes) or len(set(others)) > 1:
        raise ShapeError(f"CONCATENATION: shapes {[list(s) for s in shapes]} on axis {axis}")
    out = list(shapes[0])
    out[axis] = sum(s[axis] for s in shapes)
    return [tuple(out)]


@rule("PACK")
def _pack(op, tensors):
    shape = list(tensors[op.inputs[0]].shape)
    if any(tensors[i].shape != tuple(shape) for i in op.inputs):
        raise ShapeError("PACK: inputs of different shapes")
    axis = _axis(int(op.options.get("axis", 0)), len(shape) + 1, op)
    return [tuple(shape[:axis] + [len(op.inputs)] + shape[axis:])]


@rule("UNPACK")
def _unpack(op, tensors):
    shape = list(_input(op, tensors, 0).shape)
    axis = _axis(int(op.options.get("axis", 0)), len(shape), op)
    return [tuple(shape[:axis] + shape[axis + 1 :])] * len(op.outputs)


@rule("SPLIT")
def _split(op, tensors):
    axis_values, x = _values(_input(op, tensors, 0)), _input(op, tensors, 1)
    if axis_values is None:
        return None
    axis = _axis(axis_values[0], len(x.shape), op)
    parts = len(op.outputs)
    if x.shape[axis] % parts:
        raise ShapeError(f"SPLIT: axis {axis} of size {x.shape[axis]} into {parts} parts")
    out = list(x.shape)
    out[axis] //= parts
    return [tuple(out)] * parts


@rule("SPLIT_V")
def _split_v(op, tensors):
    x = _input(op, tensors, 0)
    sizes, axis_values = _values(_input(op, tensors, 1)), _values(_input(op, tensors, 2))
    if sizes is None or axis_values is None:
        return None
    axis = _axis(axis_values[0], len(x.shape), op)
    if sizes.count(-1) == 1:
        sizes[sizes.index(-1)] = x.shape[axis] - (sum(sizes) + 1)
    if sum(sizes) != x.shape[axis] or min(sizes) < 0:
        raise ShapeError(f"SPLIT_V: sizes {sizes} do not split {x.shape[axis]}")
    return [tuple(x.shape[:axis]) + (s,) + tuple(x.shape[axis + 1 :]) for s in sizes]


@rule("MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN", "REDUCE_PROD", "REDUCE_ANY")
def _reduce(op, tensors):
    shape = _input(op, tensors, 0).shape
    axes = _values(_input(op, tensors, 1))
    if axes is None:
        return None
    reduced = {_axis(a, len(shape), op) for a in axes}
    if op.options.get("keep_dims"):
        return [tuple(1 if i in reduced else d for i, d in enumerate(shape))]
    return [tuple(d for i, d in enumerate(shape) if i not in reduced)]


@rule("ARG_MAX", "ARG_MIN")
def _arg(op, tensors):
    shape = _input(op, tensors, 0).shape
    axis = _values(_input(op, tensors, 1))
    if axis is None:
        return None
    dropped = _axis(axis[0], len(shape), op)
    return [tuple(d for i, d in enumerate(shape) if i != dropped)]


@rule("SLICE")
def _slice(op, tensors):
    shape = _input(op, tensors, 0).shape
    begin, size = _values(_input(op, tensors, 1)), _values(_input(op, tensors, 2))
    if begin is None or size is None:
        return None
    out = tuple(d - b if s == -1 else s for d, b, s in zip(shape, begin, size, strict=True))
    if any(b < 0 or o < 0 or b + o > d for d, b, o in zip(shape, begin, out, strict=True)):
        raise ShapeError(f"SLICE: begin {begin} size {size} outside {list(shape)}")
    return [out]


@rule("STRIDED_SLICE")
def _strided_slice(op, tensors):
    from autodeploy.codegen.lower.slice import axis_range, effective_slice_params

    x = _input(op, tensors, 0)
    begin, end, strides = (_values(_input(op, tensors, k)) for k in (1, 2, 3))
    if begin is None or end is None or strides is None:
        return None
    if 0 in strides:
        raise ShapeError("STRIDED_SLICE: a stride of 0")
    shape, starts, stops, steps, begin_m, end_m, shrink = effective_slice_params(
        x.shape, begin, end, strides, op.options
    )
    out = []
    for i, size in enumerate(shape):
        if shrink >> i & 1:
            continue
        start, stop = axis_range(
            size, starts[i], stops[i], steps[i], begin_m >> i & 1, end_m >> i & 1, False,
            op.options.get("offset", False),
        )  # fmt: skip
        out.append(max(0, -(-(stop - start) // steps[i])))
    return [tuple(out)]


@rule("RESIZE_NEAREST_NEIGHBOR", "RESIZE_BILINEAR")
def _resize(op, tensors):
    x, size = _input(op, tensors, 0), _values(_input(op, tensors, 1))
    if size is None or len(x.shape) != 4:
        return None
    return [(x.shape[0], size[0], size[1], x.shape[3])]


def _nhwc(shape: Shape) -> list[int]:
    return [shape[0], shape[1], 1, shape[2]] if len(shape) == 3 else list(shape)


@rule("SPACE_TO_BATCH_ND", "BATCH_TO_SPACE_ND")
def _space_batch(op, tensors):
    x = _input(op, tensors, 0)
    block, edges = _values(_input(op, tensors, 1)), _values(_input(op, tensors, 2))
    if block is None or edges is None or len(x.shape) not in (3, 4):
        return None
    if len(x.shape) == 3:
        block, edges = block + [1], edges + [0, 0]
    n, h, w, c = _nhwc(x.shape)
    bh, bw = block
    if op.opcode == "SPACE_TO_BATCH_ND":
        ph, pw = h + edges[0] + edges[1], w + edges[2] + edges[3]
        if ph % bh or pw % bw:
            raise ShapeError(f"SPACE_TO_BATCH_ND: padded {ph}x{pw} not divisible by {block}")
        out = [n * bh * bw, ph // bh, pw // bw, c]
    else:
        if n % (bh * bw):
            raise ShapeError(f"BATCH_TO_SPACE_ND: batch {n} not divisible by {bh * bw}")
        out = [n // (bh * bw), h * bh - edges[0] - edges[1], w * bw - edges[2] - edges[3], c]
    return [tuple(out) if len(x.shape) == 4 else (out[0], out[1], out[3])]


@rule("DEPTH_TO_SPACE", "SPACE_TO_DEPTH")
def _depth_space(op, tensors):
    shape = _input(op, tensors, 0).shape
    b = int(op.options.get("block_size", 1))
    if len(shape) != 4 or b < 1:
        raise ShapeError(f"{op.opcode}: block size {b} on a rank-{len(shape)} input (needs 4)")
    n, h, w, c = shape
    if op.opcode == "DEPTH_TO_SPACE":
        if c % (b * b):
            raise ShapeError(f"DEPTH_TO_SPACE: {c} channels not divisible by {b * b}")
        return [(n, h * b, w * b, c // (b * b))]
    if h % b or w % b:
        raise ShapeError(f"SPACE_TO_DEPTH: {h}x{w} not divisible by block {b}")
    return [(n, h // b, w // b, c * b * b)]


@rule("GATHER")
def _gather(op, tensors):
    params, indices = _input(op, tensors, 0), _input(op, tensors, 1)
    axis = _axis(int(op.options.get("axis", 0)), len(params.shape), op)
    batch = int(op.options.get("batch_dims", 0))
    p, i = list(params.shape), list(indices.shape)
    return [tuple(p[:axis] + i[batch:] + p[axis + 1 :])]


@rule("BATCH_MATMUL")
def _batch_matmul(op, tensors):
    a, b = list(_input(op, tensors, 0).shape), list(_input(op, tensors, 1).shape)
    if len(a) < 2 or len(b) < 2:
        raise ShapeError(f"BATCH_MATMUL: operands of rank {len(a)} and {len(b)} (needs 2 or more)")
    if op.options.get("adj_x"):
        a[-1], a[-2] = a[-2], a[-1]
    if op.options.get("adj_y"):
        b[-1], b[-2] = b[-2], b[-1]
    if a[-1] != b[-2]:
        raise ShapeError(f"BATCH_MATMUL: inner dimensions {a[-1]} and {b[-2]} differ")
    batch = broadcast(op, tuple(a[:-2]), tuple(b[:-2]))
    return [(*batch, a[-2], b[-1])]


@rule("TRANSPOSE_CONV")
def _transpose_conv(op, tensors):
    shape = _values(_input(op, tensors, 0))
    if shape is not None and (len(shape) != 4 or min(shape) < 1):
        raise ShapeError(f"TRANSPOSE_CONV: output shape {shape} is not a 4-D image")
    return None if shape is None else [tuple(shape)]


@rule("SHAPE")
def _shape(op, tensors):
    return [(len(_input(op, tensors, 0).shape),)]


@rule("UNIDIRECTIONAL_SEQUENCE_LSTM")
def _lstm(op, tensors):
    # the output keeps the input's layout with the last dimension the output state's size
    x, recurrent = _input(op, tensors, 0), _input(op, tensors, 8)
    if recurrent is None or len(recurrent.shape) != 2 or not x.shape:
        return None
    return [(*x.shape[:-1], recurrent.shape[1])]


@rule("SVDF")
def _svdf(op, tensors):
    x, features, time = (_input(op, tensors, k) for k in range(3))
    rank = int(op.options.get("rank", 0))
    if len(x.shape) != 2 or len(features.shape) != 2 or rank < 1:
        return None
    if features.shape[0] % rank:
        raise ShapeError(f"SVDF: {features.shape[0]} filters are not a multiple of rank {rank}")
    return [(x.shape[0], features.shape[0] // rank)]
