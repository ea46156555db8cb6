"""MEAN (int8) -> adrt_mean_s8, with TFLite's reference QuantizedMeanOrSum multiplier."""

from __future__ import annotations

import numpy as np

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.lower._spatial import const_array, require_int8, scale_zp
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.quant import f32, quantize_multiplier
from autodeploy.tflite.model import Operator, Subgraph


def mean_multiplier(input_scale: float, output_scale: float, count: int) -> tuple[int, int]:
    """QuantizeMultiplier(in/out scale in double), then folded with 1/count as TFLite does:
    shift' = min(floor(log2 count), 32, 31 + shift); m' = (m << shift') // count."""
    m, s = quantize_multiplier(f32(input_scale) / f32(output_scale))
    sh = min(count.bit_length() - 1, 32, 31 + s)
    return (m << sh) // count, s - sh


@register("MEAN")
def lower_mean(op: Operator, sg: Subgraph) -> KernelCall:
    x, y = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    require_int8(op, x, y)
    return mean_call(op, sg, "adrt_mean_s8", max_count=1 << 23)


def mean_call(op: Operator, sg: Subgraph, function: str, max_count: int) -> KernelCall:
    """`function` over one contiguous block of axes of at most `max_count` elements."""
    x, y = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    axes_t = sg.tensors[op.inputs[1]]
    if not axes_t.is_constant or axes_t.dtype not in ("INT32", "INT64"):
        raise Unsupported("MEAN with non-constant axes")
    rank = len(x.shape)
    raw = const_array(axes_t, np.int32 if axes_t.dtype == "INT32" else np.int64).reshape(-1)
    axes = sorted({int(a) % rank for a in raw}) if rank else []
    reduced = [i in axes for i in range(rank)]
    # Size-1 dims may join either group; the rest must form outer | reduced | inner.
    kinds = [r for r, d in zip(reduced, x.shape, strict=True) if d != 1]
    first = kinds.index(True) if True in kinds else len(kinds)
    last = len(kinds) - kinds[::-1].index(True) if True in kinds else len(kinds)
    if not all(kinds[first:last]):
        raise Unsupported(f"MEAN over non-adjacent axes {axes} of shape {list(x.shape)}")
    dims = [d for d in x.shape if d != 1]
    outer = int(np.prod(dims[:first], dtype=np.int64))
    count = int(np.prod(dims[first:last], dtype=np.int64))
    inner = int(np.prod(dims[last:], dtype=np.int64))
    if y.num_elements != outer * inner:
        raise Unsupported(f"MEAN output {list(y.shape)} for input {list(x.shape)} axes {axes}")
    if count < 1 or count > max_count:
        raise Unsupported(f"MEAN over {count} elements")
    in_scale, in_zp = scale_zp(x)
    out_scale, out_zp = scale_zp(y)
    mult, shift = mean_multiplier(in_scale, out_scale, count)
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
