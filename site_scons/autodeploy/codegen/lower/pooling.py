"""AVERAGE_POOL_2D and MAX_POOL_2D (int8) -> adrt_avg_pool2d_s8 / adrt_max_pool2d_s8."""

from __future__ import annotations

from autodeploy.codegen.kernel_call import CArray, KernelCall
from autodeploy.codegen.lower._spatial import (
    act_range,
    require_int8,
    scale_zp,
    shape4,
    window_geometry,
)
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.tflite.model import Operator, Subgraph

RECIP_SHIFT = 40
MAX_RECIP_TABLE = 4096


def _window_counts(in_size: int, out_n: int, filt: int, stride: int, pad: int) -> set[int]:
    counts = set()
    for o in range(out_n):
        i0 = o * stride - pad
        counts.add(min(filt, in_size - i0) - max(0, -i0))
    return counts


@register("AVERAGE_POOL_2D", "MAX_POOL_2D")
def lower_pool(op: Operator, sg: Subgraph) -> KernelCall:
    x = sg.tensors[op.inputs[0]]
    y = sg.tensors[op.outputs[0]]
    require_int8(op, x, y)
    return pool_call(op, sg, act_range(op, y), "s8", max_recip_count=1 << 16)


def pool_call(
    op: Operator, sg: Subgraph, act: tuple[int, int], suffix: str, max_recip_count: int
) -> KernelCall:
    """The adrt_<max|avg>_pool2d_<suffix> call; an average pool's window sizes up to
    `max_recip_count` divide by reciprocal (exact while |sum| x count < 2^40)."""
    x = sg.tensors[op.inputs[0]]
    y = sg.tensors[op.outputs[0]]
    if len(x.shape) != 4:
        raise Unsupported(f"{op.opcode} on rank {len(x.shape)} input")
    if scale_zp(x) != scale_zp(y):
        raise Unsupported(f"{op.opcode} with different input and output quantization")
    o = op.options
    sh, sw = int(o.get("stride_h", 1)), int(o.get("stride_w", 1))
    fh, fw = int(o.get("filter_height", 1)), int(o.get("filter_width", 1))
    if min(sh, sw, fh, fw) < 1:
        raise Unsupported(f"{op.opcode} with stride {sh}x{sw} filter {fh}x{fw}")
    _, ih, iw, _ = x.shape
    oh, ow, ph, pw = window_geometry(op, x, y, fh, fw, sh, sw, 1, 1)
    lo, hi = act
    params: list[tuple[str, object]] = [
        ("input", shape4(x.shape)),
        ("output", shape4(y.shape)),
        ("filter_h", fh),
        ("filter_w", fw),
        ("stride_h", sh),
        ("stride_w", sw),
        ("pad_h", ph),
        ("pad_w", pw),
        ("act_min", lo),
        ("act_max", hi),
    ]
    if op.opcode == "MAX_POOL_2D":
        params += [("recip", "NULL"), ("count_lo", 0)]
        fn = f"adrt_max_pool2d_{suffix}"
    else:
        rows = _window_counts(ih, oh, fh, sh, ph)
        cols = _window_counts(iw, ow, fw, sw, pw)
        counts = {r * c_ for r in rows for c_ in cols}
        if min(counts) < 1:
            raise Unsupported(f"{op.opcode} with an empty pooling window")
        lo_c, hi_c = min(counts), max(counts)
        if hi_c - lo_c + 1 <= MAX_RECIP_TABLE and hi_c <= max_recip_count:
            recip = tuple(-(-(1 << RECIP_SHIFT) // d) for d in range(lo_c, hi_c + 1))
            params += [("recip", CArray("uint64_t", recip)), ("count_lo", lo_c)]
        else:
            params += [("recip", "NULL"), ("count_lo", 0)]
        fn = f"adrt_avg_pool2d_{suffix}"
    return KernelCall(fn, "adrt_pool_params_t", params, (op.inputs[0],), (op.outputs[0],))
