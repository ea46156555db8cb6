"""MEAN with 16-bit activations (int16, zero point 0): the int8 lowering's parameters (TFLite's
QuantizedMeanOrSum multiplier), with the int32 sum limited to 2^16 int16 values."""

from __future__ import annotations

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.lower._s16 import require_int16
from autodeploy.codegen.lower.reduce import mean_call
from autodeploy.codegen.lower.registry import register
from autodeploy.tflite.model import Operator, Subgraph


@register("MEAN", dtype="INT16")
def lower_mean_s16(op: Operator, sg: Subgraph) -> KernelCall:
    require_int16(op, sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]])
    return mean_call(op, sg, "adrt_mean_s16", max_count=1 << 16)
