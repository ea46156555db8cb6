"""SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND with constant block shape / paddings / crops.

4-D NHWC and 3-D NHC inputs (the latter run as NH1C with block width 1, like TFLite). Padding
uses the output zero point for quantized tensors. Data bytes are copied unchanged even when input
and output quantization differ (LiteRT refuses that case, TFLM copies like this).
"""

from __future__ import annotations

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.lower.reshape import (
    const_ints,
    copy_operands,
    shape4,
    zero_point,
)
from autodeploy.tflite.model import Operator, Subgraph


def _nhwc(shape) -> list[int]:
    return [shape[0], shape[1], 1, shape[2]] if len(shape) == 3 else list(shape)


def _operands(op: Operator, sg: Subgraph, what: str):
    """Input, output, element size, (block_h, block_w) and the four `what` edges (paddings or
    crops: top, bottom, left, right); a rank-3 op gets block width 1 and no width edges."""
    x, y, es = copy_operands(op, sg)
    rank = len(x.shape)
    if rank not in (3, 4) or len(y.shape) != rank:
        raise Unsupported(f"{op.opcode} on rank {rank}")
    spatial = rank - 2
    block = const_ints(op, sg, op.inputs[1], "block_shape")
    edges = const_ints(op, sg, op.inputs[2], what)
    if len(block) != spatial or len(edges) != 2 * spatial:
        raise Unsupported(f"{op.opcode} with {len(block)} block dims on a rank-{rank} input")
    if min(block) < 1 or min(edges) < 0:
        raise Unsupported(f"{op.opcode} with block {block} and {what} {edges}")
    if spatial == 1:
        block, edges = block + [1], edges + [0, 0]
    return x, y, es, block, edges


@register("SPACE_TO_BATCH_ND")
def lower_space_to_batch(op: Operator, sg: Subgraph) -> KernelCall:
    x, y, es, (bh, bw), (pt, pb, pl, pr) = _operands(op, sg, "paddings")
    n, h, w, c = _nhwc(x.shape)
    if (h + pt + pb) % bh or (w + pl + pr) % bw:
        raise Unsupported("SPACE_TO_BATCH_ND with padded size not divisible by the block")
    expected = [n * bh * bw, (h + pt + pb) // bh, (w + pl + pr) // bw, c]
    if _nhwc(y.shape) != expected:
        raise Unsupported(f"SPACE_TO_BATCH_ND: output shape {list(y.shape)}, expected {expected}")
    params = [
        ("elem_size", es),
        ("pad_value", zero_point(y)),
        ("input", shape4(_nhwc(x.shape))),
        ("output", shape4(expected)),
        ("block_h", bh),
        ("block_w", bw),
        ("pad_top", pt),
        ("pad_left", pl),
    ]
    return KernelCall(
        "adrt_space_to_batch",
        "adrt_space_to_batch_params_t",
        params,
        (op.inputs[0],),
        (op.outputs[0],),
    )


@register("BATCH_TO_SPACE_ND")
def lower_batch_to_space(op: Operator, sg: Subgraph) -> KernelCall:
    x, y, es, (bh, bw), (ct, cb, cl, cr) = _operands(op, sg, "crops")
    n, h, w, c = _nhwc(x.shape)
    if n % (bh * bw):
        raise Unsupported("BATCH_TO_SPACE_ND with batch not divisible by the block")
    expected = [n // (bh * bw), h * bh - ct - cb, w * bw - cl - cr, c]
    if min(expected) < 0 or _nhwc(y.shape) != expected:
        raise Unsupported(f"BATCH_TO_SPACE_ND: output shape {list(y.shape)}, expected {expected}")
    params = [
        ("elem_size", es),
        ("input", shape4(_nhwc(x.shape))),
        ("output", shape4(expected)),
        ("block_h", bh),
        ("block_w", bw),
        ("crop_top", ct),
        ("crop_left", cl),
    ]
    return KernelCall(
        "adrt_batch_to_space",
        "adrt_batch_to_space_params_t",
        params,
        (op.inputs[0],),
        (op.outputs[0],),
    )
