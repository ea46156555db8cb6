"""MEAN, SUM, REDUCE_MAX, ARG_MAX and ARG_MIN (int8 input) over one contiguous block of axes.

MEAN and SUM both run adrt_mean_s8, TFLite's reference QuantizedMeanOrSum: the sum minus the zero
point times the count, times QuantizeMultiplier(input scale / output scale), for MEAN folded with
1/count. REDUCE_MAX takes the raw maximum (TFLite requires equal input and output quantization);
ARG_MAX/ARG_MIN return the first index of the extreme value.
"""

from __future__ import annotations

import numpy as np

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.lower._spatial import const_array, require_int8, scale_zp
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.quant import f32, quantize_multiplier
from autodeploy.tflite.model import Operator, Subgraph, Tensor

MAX_COUNT = 1 << 23  # int8 sums of up to 2^23 values fit the int32 accumulator


def mean_multiplier(input_scale: float, output_scale: float, count: int) -> tuple[int, int]:
    """QuantizeMultiplier(in/out scale in double), then folded with 1/count as TFLite does:
    shift' = min(floor(log2 count), 32, 31 + shift); m' = (m << shift') // count."""
    m, s = quantize_multiplier(f32(input_scale) / f32(output_scale))
    sh = min(count.bit_length() - 1, 32, 31 + s)
    return (m << sh) // count, s - sh


def _axes(op: Operator, sg: Subgraph, rank: int) -> list[int]:
    axes_t = sg.tensors[op.inputs[1]]
    if not axes_t.is_constant or axes_t.dtype not in ("INT32", "INT64"):
        raise Unsupported(f"{op.opcode} with non-constant axes")
    raw = const_array(axes_t, np.int32 if axes_t.dtype == "INT32" else np.int64).reshape(-1)
    if any(not -rank <= int(a) < rank for a in raw):
        raise Unsupported(f"{op.opcode} axes {raw.tolist()} outside a rank-{rank} input")
    return sorted({int(a) % rank for a in raw}) if rank else []


def reduction_layout(
    op: Operator, x: Tensor, y: Tensor, axes: list[int], max_count: int = MAX_COUNT
) -> tuple[int, int, int]:
    """(outer, count, inner): the input as [outer, count, inner] with the reduced axes in the
    middle; size-1 dimensions may join either group, the rest must be adjacent."""
    reduced = [i in axes for i in range(len(x.shape))]
    kinds = [r for r, d in zip(reduced, x.shape, strict=True) if d != 1]
    first = kinds.index(True) if True in kinds else len(kinds)
    last = len(kinds) - kinds[::-1].index(True) if True in kinds else len(kinds)
    if not all(kinds[first:last]):
        raise Unsupported(f"{op.opcode} over non-adjacent axes {axes} of shape {list(x.shape)}")
    dims = [d for d in x.shape if d != 1]
    outer = int(np.prod(dims[:first], dtype=np.int64))
    count = int(np.prod(dims[first:last], dtype=np.int64))
    inner = int(np.prod(dims[last:], dtype=np.int64))
    if y.num_elements != outer * inner:
        raise Unsupported(
            f"{op.opcode} output {list(y.shape)} for input {list(x.shape)} axes {axes}"
        )
    if count < 1 or count > max_count:
        raise Unsupported(f"{op.opcode} over {count} elements")
    return outer, count, inner


def _operands(op: Operator, sg: Subgraph) -> tuple[Tensor, Tensor, int, int, int]:
    x, y = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    require_int8(op, x, y)
    return x, y, *reduction_layout(op, x, y, _axes(op, sg, len(x.shape)))


@register("MEAN", "SUM")
def lower_mean_sum(op: Operator, sg: Subgraph) -> KernelCall:
    require_int8(op, sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]])
    return mean_call(op, sg, "adrt_mean_s8", MAX_COUNT)


def mean_call(op: Operator, sg: Subgraph, function: str, max_count: int) -> KernelCall:
    """MEAN or SUM as `function` (adrt_mean_params_t) over at most `max_count` elements."""
    x, y = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    axes = _axes(op, sg, len(x.shape))
    outer, count, inner = reduction_layout(op, x, y, axes, max_count)
    in_scale, in_zp = scale_zp(x)
    out_scale, out_zp = scale_zp(y)
    if op.opcode == "MEAN":
        mult, shift = mean_multiplier(in_scale, out_scale, count)
    else:
        mult, shift = quantize_multiplier(f32(in_scale) / f32(out_scale))
    params = [
        ("outer", outer),
        ("reduce", count),
        ("inner", inner),
        ("bias", -in_zp * count),
        ("multiplier", mult),
        ("shift", shift),
        ("output_offset", out_zp),
    ]
    return KernelCall(function, "adrt_mean_params_t", params, (op.inputs[0],), (op.outputs[0],))


@register("REDUCE_MAX")
def lower_reduce_max(op: Operator, sg: Subgraph) -> KernelCall:
    x, y, outer, count, inner = _operands(op, sg)
    if scale_zp(x) != scale_zp(y):
        raise Unsupported("REDUCE_MAX with different input and output quantization")
    params = [("outer", outer), ("reduce", count), ("inner", inner)]
    return KernelCall(
        "adrt_reduce_max_s8", "adrt_reduce_params_t", params, (op.inputs[0],), (op.outputs[0],)
    )


@register("ARG_MAX", "ARG_MIN")
def lower_arg_minmax(op: Operator, sg: Subgraph) -> KernelCall:
    x, y = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    if x.dtype != "INT8":
        raise Unsupported(f"{op.opcode} on {x.dtype} input (only int8)")
    if y.dtype not in ("INT32", "INT64"):
        raise Unsupported(f"{op.opcode} with {y.dtype} output")
    axes = _axes(op, sg, len(x.shape))
    if len(axes) != 1:
        raise Unsupported(f"{op.opcode} over {len(axes)} axes")
    outer, count, inner = reduction_layout(op, x, y, axes)
    params = [
        ("outer", outer),
        ("axis_size", count),
        ("inner", inner),
        ("select_min", int(op.opcode == "ARG_MIN")),
        ("output_bytes", 8 if y.dtype == "INT64" else 4),
    ]
    return KernelCall(
        "adrt_arg_minmax_s8",
        "adrt_arg_minmax_params_t",
        params,
        (op.inputs[0],),
        (op.outputs[0],),
    )
