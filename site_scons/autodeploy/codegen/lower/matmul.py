"""BATCH_MATMUL (int8 x int8 -> int8) -> adrt_batch_matmul_s8.

As LiteRT's reference: both operands per-tensor quantized, one multiplier
QuantizeMultiplier(float32(lhs scale * rhs scale) / output scale) (as for a per-tensor
FULLY_CONNECTED), no fused activation. Shapes are extended to rank 5: three batch dimensions
(broadcast where an operand has extent 1) and the matrices, adj_x / adj_y read as strides.
"""

from __future__ import annotations

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.lower._spatial import per_tensor, require_int8
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.lower.reshape import product
from autodeploy.codegen.quant import conv_per_tensor_multiplier
from autodeploy.tflite.model import Operator, Subgraph

BATCH_DIMS = 3  # ADRT_MATMUL_BATCH_DIMS


def _batch_steps(shape: list[int]) -> list[int]:
    """Element stride of each of the three batch dimensions of a rank-5 shape (0 if extent 1)."""
    return [0 if shape[d] == 1 else product(shape[d + 1 :]) for d in range(BATCH_DIMS)]


@register("BATCH_MATMUL")
def lower_batch_matmul(op: Operator, sg: Subgraph) -> KernelCall:
    lhs, rhs, y = (sg.tensors[i] for i in (*op.inputs[:2], op.outputs[0]))
    require_int8(op, lhs, rhs, y)
    if not (2 <= len(lhs.shape) <= 5 and 2 <= len(rhs.shape) <= 5):
        raise Unsupported(f"BATCH_MATMUL of rank {len(lhs.shape)} and {len(rhs.shape)} operands")
    a = [1] * (5 - len(lhs.shape)) + list(lhs.shape)
    b = [1] * (5 - len(rhs.shape)) + list(rhs.shape)
    adj_x, adj_y = bool(op.options.get("adj_x")), bool(op.options.get("adj_y"))
    rows, depth = (a[4], a[3]) if adj_x else (a[3], a[4])
    depth_b, cols = (b[4], b[3]) if adj_y else (b[3], b[4])
    batch = []
    for da, db in zip(a[:BATCH_DIMS], b[:BATCH_DIMS], strict=True):
        if da != db and 1 not in (da, db):
            raise Unsupported(f"BATCH_MATMUL batch dimensions {lhs.shape} and {rhs.shape}")
        batch.append(max(da, db))
    if depth != depth_b:
        raise Unsupported(f"BATCH_MATMUL of {list(lhs.shape)} and {list(rhs.shape)}")
    if y.num_elements != product(batch) * rows * cols:
        raise Unsupported(f"BATCH_MATMUL output {list(y.shape)}")
    s_lhs, z_lhs = per_tensor(lhs, "lhs")
    s_rhs, z_rhs = per_tensor(rhs, "rhs")
    s_out, z_out = per_tensor(y, "output")
    mult, shift = conv_per_tensor_multiplier(s_lhs, s_rhs, s_out)
    params = [
        ("batch", tuple(batch)),
        ("lhs_batch_step", tuple(_batch_steps(a))),
        ("rhs_batch_step", tuple(_batch_steps(b))),
        ("rows", rows),
        ("cols", cols),
        ("depth", depth),
        ("lhs_row_stride", 1 if adj_x else depth),
        ("lhs_depth_stride", rows if adj_x else 1),
        ("rhs_depth_stride", 1 if adj_y else cols),
        ("rhs_col_stride", depth if adj_y else 1),
        ("lhs_offset", -z_lhs),
        ("rhs_offset", -z_rhs),
        ("output_multiplier", mult),
        ("output_shift", shift),
        ("output_offset", z_out),
    ]
    return KernelCall(
        "adrt_batch_matmul_s8",
        "adrt_batch_matmul_s8_params_t",
        params,
        tuple(op.inputs[:2]),
        (op.outputs[0],),
    )
