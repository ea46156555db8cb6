"""Lowering of QUANTIZE (float32 -> int8, int8/uint8 -> int8/uint8; to int16 in quantize_s16.py)
and DEQUANTIZE (int8/uint8/int16 -> float32, per tensor or per channel).

float32 -> int8 reproduces LiteRT's reference AffineQuantize: round(x / scale) + zero_point, the
division in float32 (measured: a double division does not match LiteRT at rounding boundaries),
halves away from zero, then clamped. A float32 division is monotone in x, so each output value q
has a least input x giving an output >= q; the generator finds those thresholds by evaluating the
same float32 division on neighbouring floats, and the kernel needs no division at all (see
adrt/quantize.h). Requantization between 8-bit types is TFLite's Requantize evaluated into a table.
"""

from __future__ import annotations

import numpy as np

from autodeploy.codegen.kernel_call import CArray, KernelCall
from autodeploy.codegen.lower._spatial import per_tensor
from autodeploy.codegen.lower.activation import (
    LUT_TYPES,
    lut_call,
    mul_by_quantized_multiplier,
    unary_tensors,
)
from autodeploy.codegen.lower.quantize_s16 import lower_quantize_to_s16
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.quant import f32, quantize_multiplier
from autodeploy.tflite.model import Operator, Subgraph


def _least_float(pred, guess: float) -> float:
    """The least float32 x for which the monotone predicate `pred(x)` holds (near `guess`)."""
    with np.errstate(over="ignore"):
        c = np.float32(guess)
    up, down = np.float32(np.inf), np.float32(-np.inf)
    while not pred(c):
        c = np.nextafter(c, up)
    while True:
        p = np.nextafter(c, down)
        if np.isinf(p) or not pred(p):
            return float(c)
        c = p


def quantize_thresholds(scale: float, zero_point: int) -> list[float]:
    """thresholds[q + 127], q in [-127, 127]: the least float32 x with
    clamp(round_half_away(float32(x / scale)) + zero_point) >= q."""
    s = np.float32(scale)
    out = []
    for q in range(-127, 128):
        n = q - zero_point  # need round(x / s) >= n
        half = np.float32(n - 0.5)
        # Halves round away from zero: x / s == n - 1/2 gives n when n >= 1, n - 1 otherwise.
        if n >= 1:

            def pred(x, half=half):
                return bool(np.float32(x) / s >= half)

        else:

            def pred(x, half=half):
                return bool(np.float32(x) / s > half)

        with np.errstate(over="ignore"):
            out.append(_least_float(pred, float(half) * float(s)))
    return out


@register("QUANTIZE")
def lower_quantize(op: Operator, sg: Subgraph) -> KernelCall:
    t_in, t_out = unary_tensors(op, sg)
    if t_out.dtype == "INT16":
        return lower_quantize_to_s16(op, sg)
    if t_out.quantization is not None and len(t_out.quantization.scale) > 1:
        raise Unsupported("QUANTIZE to a per-channel quantized output")
    so, zo = per_tensor(t_out, "output")
    if t_in.dtype == "FLOAT32":
        if t_out.dtype != "INT8":
            raise Unsupported(f"QUANTIZE FLOAT32 -> {t_out.dtype}")
        if not 1e-30 < so < 1e30:
            raise Unsupported(f"QUANTIZE output scale {so}")
        params = [
            ("size", t_in.num_elements),
            ("inv_scale", f32(1.0 / so)),
            ("zero_point", float(zo)),
            ("thresholds", CArray("float", tuple(quantize_thresholds(so, zo)))),
        ]
        return KernelCall(
            "adrt_quantize_f32_s8",
            "adrt_quantize_f32_s8_params_t",
            params,
            (op.inputs[0],),
            (op.outputs[0],),
        )
    if t_in.dtype in LUT_TYPES and t_out.dtype in LUT_TYPES:
        si, zi = per_tensor(t_in, "input")
        # quantize.cc: double(input scale) / double(output scale).
        m, sh = quantize_multiplier(si / so)
        lo, hi = LUT_TYPES[t_out.dtype][1:]

        def fn(v: int) -> int:
            return min(hi, max(lo, mul_by_quantized_multiplier(v - zi, m, sh) + zo))

        return lut_call(op, t_in, t_out, fn)
    raise Unsupported(f"QUANTIZE {t_in.dtype} -> {t_out.dtype}")


@register("DEQUANTIZE")
def lower_dequantize(op: Operator, sg: Subgraph) -> KernelCall:
    t_in, t_out = unary_tensors(op, sg)
    kernels = {
        "INT8": "adrt_dequantize_s8_f32",
        "UINT8": "adrt_dequantize_u8_f32",
        "INT16": "adrt_dequantize_s16_f32",
    }
    if t_in.dtype not in kernels or t_out.dtype != "FLOAT32":
        raise Unsupported(f"DEQUANTIZE {t_in.dtype} -> {t_out.dtype}")
    q = t_in.quantization
    if q is None or not q.scale:
        raise Unsupported(f"DEQUANTIZE of unquantized tensor {t_in.name!r}")
    scales = [f32(s) for s in q.scale]
    if t_in.dtype == "INT16" and len(scales) > 1:
        # LiteRT refuses it and TFLM applies the first scale to every channel.
        raise Unsupported("DEQUANTIZE of an int16 tensor quantized per channel")
    zps = [int(z) for z in q.zero_point] if q.zero_point else [0] * len(scales)
    if len(zps) == 1 and len(scales) > 1:
        zps = zps * len(scales)
    shape = tuple(t_in.shape)
    if len(scales) == 1:
        outer, channels, inner = 1, 1, t_in.num_elements
    else:
        d = q.quantized_dimension
        if not 0 <= d < len(shape) or shape[d] != len(scales) or len(zps) != len(scales):
            raise Unsupported(f"DEQUANTIZE per-channel dimension {d} of shape {shape}")
        outer = int(np.prod(shape[:d], dtype=np.int64))
        inner = int(np.prod(shape[d + 1 :], dtype=np.int64))
        channels = shape[d]
    params = [
        ("outer", outer),
        ("channels", channels),
        ("inner", inner),
        ("scales", CArray("float", tuple(scales))),
        ("zero_points", CArray("int32_t", tuple(zps))),
    ]
    return KernelCall(
        kernels[t_in.dtype],
        "adrt_dequantize_params_t",
        params,
        (op.inputs[0],),
        (op.outputs[0],),
    )
