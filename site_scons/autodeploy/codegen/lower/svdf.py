"""SVDF (int8 input/output, int8 feature weights, int16 time weights and state) -> adrt_svdf_s8.

Multipliers as TFLite's Prepare(): input * feature scale / state scale and state * time scale /
output scale, each a float32 expression quantized as a double. The state (input 4) is a variable
tensor the kernel rewrites every invocation.
"""

from __future__ import annotations

import numpy as np

from autodeploy.codegen.kernel_call import CArray, KernelCall
from autodeploy.codegen.lower._spatial import const_array, per_tensor
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.quant import quantize_multiplier
from autodeploy.tflite.model import Operator, Subgraph, Tensor


def _constant(t: Tensor, dtype: str, what: str) -> np.ndarray:
    if t.dtype != dtype or not t.is_constant:
        kind = "constant" if t.is_constant else "non-constant"
        raise Unsupported(f"SVDF with {kind} {t.dtype} {what} (needs constant {dtype})")
    if len(t.shape) != 2:
        raise Unsupported(f"SVDF {what} of shape {list(t.shape)}")
    return const_array(t, np.int8 if dtype == "INT8" else np.int16)


@register("SVDF")
def lower_svdf(op: Operator, sg: Subgraph) -> KernelCall:
    if len(op.inputs) != 5:
        raise Unsupported(f"SVDF with {len(op.inputs)} inputs (expected 5)")
    x, y = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    if x.dtype != "INT8" or y.dtype != "INT8":
        raise Unsupported(f"SVDF with {x.dtype} input and {y.dtype} output (only int8)")
    features = _constant(sg.tensors[op.inputs[1]], "INT8", "feature weights")
    times = _constant(sg.tensors[op.inputs[2]], "INT16", "time weights")
    state = sg.tensors[op.inputs[4]]
    rank = int(op.options.get("rank", 0))
    filters, memory = times.shape
    if len(x.shape) != 2 or features.shape != (filters, x.shape[1]):
        raise Unsupported(
            f"SVDF input {list(x.shape)} with feature weights {list(features.shape)} and time "
            f"weights {list(times.shape)}"
        )
    if rank < 1 or filters % rank:
        raise Unsupported(f"SVDF rank {rank} with {filters} filters")
    batches, units = x.shape[0], filters // rank
    if (
        state.dtype != "INT16"
        or not state.is_variable
        or state.num_elements != batches * filters * memory
    ):
        raise Unsupported(
            f"SVDF state '{state.name}' {state.dtype} {list(state.shape)} (needs an int16 "
            f"variable of {batches * filters * memory} elements)"
        )
    bias = CArray("int32_t", ())
    if op.inputs[3] >= 0:
        b = sg.tensors[op.inputs[3]]
        if b.dtype != "INT32" or not b.is_constant or b.num_elements != units:
            raise Unsupported(f"SVDF bias {b.dtype} {list(b.shape)} (needs {units} int32)")
        bias = CArray("int32_t", tuple(int(v) for v in const_array(b, np.int32).reshape(-1)))
    in_scale, in_zp = per_tensor(x, "input")
    out_scale, out_zp = per_tensor(y, "output")
    state_scale, state_zp = per_tensor(state, "state")
    if state_zp != 0:
        raise Unsupported(f"SVDF state with zero point {state_zp} (TFLite assumes 0)")
    f_scale, _ = per_tensor(sg.tensors[op.inputs[1]], "feature weights")
    t_scale, _ = per_tensor(sg.tensors[op.inputs[2]], "time weights")
    s = np.float32
    feature_m = quantize_multiplier(float(s(in_scale) * s(f_scale) / s(state_scale)))
    output_m = quantize_multiplier(float(s(state_scale) * s(t_scale) / s(out_scale)))
    params = [
        ("batches", batches),
        ("input_size", x.shape[1]),
        ("filters", filters),
        ("rank", rank),
        ("memory", memory),
        ("feature_weights", CArray("int8_t", features.reshape(-1))),
        ("time_weights", CArray("int16_t", times.reshape(-1))),
        ("bias", bias),
        ("input_zero_point", in_zp),
        ("feature_multiplier", feature_m[0]),
        ("feature_shift", feature_m[1]),
        ("output_multiplier", output_m[0]),
        ("output_shift", output_m[1]),
        ("output_zero_point", out_zp),
    ]
    return KernelCall(
        "adrt_svdf_s8", "adrt_svdf_params_t", params, (op.inputs[0],), (op.outputs[0], state.index)
    )
