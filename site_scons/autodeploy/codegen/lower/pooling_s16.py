"""AVERAGE_POOL_2D and MAX_POOL_2D with 16-bit activations (int16, zero point 0): the int8
lowering's parameters, with reciprocals only for windows of up to 4096 taps (exact division while
|sum| x count < 2^40, and int16 sums are up to 2^15 x count) and int32 sums (count <= 2^16)."""

from __future__ import annotations

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.lower._s16 import act_range_s16, require_int16
from autodeploy.codegen.lower.pooling import pool_call
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.tflite.model import Operator, Subgraph

MAX_WINDOW = 1 << 16


@register("AVERAGE_POOL_2D", "MAX_POOL_2D", dtype="INT16")
def lower_pool_s16(op: Operator, sg: Subgraph) -> KernelCall:
    x, y = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    require_int16(op, x, y)
    o = op.options
    if int(o.get("filter_height", 1)) * int(o.get("filter_width", 1)) > MAX_WINDOW:
        raise Unsupported(f"{op.opcode} int16 window of more than {MAX_WINDOW} taps")
    return pool_call(op, sg, act_range_s16(op, y), "s16", max_recip_count=1 << 12)
