"""SOFTMAX, LOGISTIC, TANH (int8). LOGISTIC/TANH become a 256-entry table
lookup run by adrt_lut_s8 (adrt/activation.h, the activation engineer's kernel).

Tables reproduce LiteRT's int8 lookup-table fill in float32: x = in_scale * (q - in_zp),
f(x) in float32 (expf/tanhf, correctly rounded here from double), round(f * (1 / out_scale)) +
out_zp, clamped. Softmax follows LiteRT's float32 exp-table algorithm (see adrt/softmax.h).
"""

from __future__ import annotations

import math

import numpy as np

from autodeploy.codegen.kernel_call import CArray, KernelCall
from autodeploy.codegen.lower._spatial import require_int8, scale_zp
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.quant import tflite_round
from autodeploy.tflite.model import Operator, Subgraph

F32 = np.float32


def _expf(x) -> np.float32:
    return F32(math.exp(float(x)))


def _logistic(x: np.float32) -> np.float32:
    return F32(F32(1.0) / F32(F32(1.0) + _expf(-x)))


def _tanh(x: np.float32) -> np.float32:
    return F32(math.tanh(float(x)))


def int8_lut(fn, in_scale: float, in_zp: int, out_scale: float, out_zp: int) -> tuple[int, ...]:
    """Table indexed by (uint8)q of clamp(round(fn(in_scale*(q-in_zp)) / out_scale) + out_zp)."""
    inv = F32(F32(1.0) / F32(out_scale))
    s = F32(in_scale)
    table = [0] * 256
    for q in range(-128, 128):
        deq = F32(s * F32(q - in_zp))
        v = tflite_round(float(F32(fn(deq) * inv))) + out_zp
        table[q & 0xFF] = max(-128, min(127, v))
    return tuple(table)


@register("LOGISTIC", "TANH")
def lower_lut_activation(op: Operator, sg: Subgraph) -> KernelCall:
    x, y = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    require_int8(op, x, y)
    fn = _logistic if op.opcode == "LOGISTIC" else _tanh
    table = int8_lut(fn, *scale_zp(x), *scale_zp(y))
    params = [("size", x.num_elements), ("table", CArray("int8_t", table))]
    return KernelCall(
        "adrt_lut_s8", "adrt_lut_s8_params_t", params, (op.inputs[0],), (op.outputs[0],)
    )


def softmax_table(input_scale: float, beta: float) -> tuple[float, ...]:
    """table[255 - d] = expf(-input_scale * beta * d) in float32, as LiteRT fills it."""
    scale = F32(-F32(input_scale) * F32(beta))
    table = [0.0] * 256
    for d in range(256):
        table[255 - d] = float(_expf(F32(scale * F32(d))))
    return tuple(table)


@register("SOFTMAX")
def lower_softmax(op: Operator, sg: Subgraph) -> KernelCall:
    x, y = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    require_int8(op, x, y)
    if not x.shape:
        raise Unsupported("SOFTMAX on a scalar")
    in_scale, _ = scale_zp(x)
    out_scale, out_zp = scale_zp(y)
    if out_zp != -128 or abs(out_scale - 1.0 / 256) > 1e-8:
        raise Unsupported(f"SOFTMAX int8 output quantization ({out_scale}, {out_zp})")
    depth = x.shape[-1]
    beta = float(op.options.get("beta", 1.0))
    params = [
        ("rows", x.num_elements // max(depth, 1)),
        ("depth", depth),
        ("output_scale", out_scale),
        ("output_zero_point", out_zp),
        ("table", CArray("float", softmax_table(in_scale, beta))),
    ]
    return KernelCall(
        "adrt_softmax_s8",
        "adrt_softmax_s8_params_t",
        params,
        (op.inputs[0],),
        (op.outputs[0],),
    )
