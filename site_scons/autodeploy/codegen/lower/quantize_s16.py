"""QUANTIZE to and from int16: float32 -> int16, int8 -> int16, int16 -> int8 and int16 -> int16.

Requantization is TFLite's Requantize with QuantizeMultiplier(double(input scale) / double(output
scale)); from int8 the generator evaluates it into a 256-entry table, from int16 the kernel
computes it. LiteRT runs int16 -> int8/int16 and float32 -> int16; int8 -> int16 only TFLM does.
float32 -> int16 divides in float32 as LiteRT's AffineQuantize (see adrt/quantize_s16.h).
"""

from __future__ import annotations

from autodeploy.codegen.kernel_call import CArray, KernelCall
from autodeploy.codegen.lower._spatial import per_tensor
from autodeploy.codegen.lower.activation import mul_by_quantized_multiplier, unary_tensors
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.quant import QUANT_RANGE, f32, quantize_multiplier
from autodeploy.tflite.model import Operator, Subgraph


def _requantize_multiplier(op: Operator, sg: Subgraph):
    t_in, t_out = unary_tensors(op, sg)
    if t_out.quantization is not None and len(t_out.quantization.scale) > 1:
        raise Unsupported("QUANTIZE to a per-channel quantized output")
    si, zi = per_tensor(t_in, "input")
    so, zo = per_tensor(t_out, "output")
    m, sh = quantize_multiplier(si / so)
    return t_in, t_out, zi, zo, m, sh


@register("QUANTIZE", dtype="INT16")
def lower_quantize_from_s16(op: Operator, sg: Subgraph) -> KernelCall:
    t_in, t_out, zi, zo, m, sh = _requantize_multiplier(op, sg)
    kernels = {"INT16": "adrt_requantize_s16", "INT8": "adrt_requantize_s16_s8"}
    if t_out.dtype not in kernels:
        raise Unsupported(f"QUANTIZE INT16 -> {t_out.dtype}")
    if t_out.dtype == "INT16" and (zi or zo):
        raise Unsupported("QUANTIZE INT16 -> INT16 with a non-zero zero point")
    params = [
        ("size", t_in.num_elements),
        ("input_offset", -zi),
        ("multiplier", m),
        ("shift", sh),
        ("output_offset", zo),
    ]
    return KernelCall(
        kernels[t_out.dtype], "adrt_requantize_params_t", params, (op.inputs[0],), (op.outputs[0],)
    )


def lower_quantize_to_s16(op: Operator, sg: Subgraph) -> KernelCall:
    """QUANTIZE float32 -> int16 or int8 -> int16 (called by quantize.py's QUANTIZE lowering)."""
    t_in, t_out = unary_tensors(op, sg)
    if t_in.dtype == "FLOAT32":
        if t_out.quantization is not None and len(t_out.quantization.scale) > 1:
            raise Unsupported("QUANTIZE to a per-channel quantized output")
        so, zo = per_tensor(t_out, "output")
        if not 1e-30 < so < 1e30:
            raise Unsupported(f"QUANTIZE output scale {so}")
        params = [
            ("size", t_in.num_elements),
            ("inv_scale", f32(1.0 / so)),
            ("zero_point", float(zo)),
            ("zero_point_int", zo),
            ("scale", so),
        ]
        return KernelCall(
            "adrt_quantize_f32_s16",
            "adrt_quantize_f32_s16_params_t",
            params,
            (op.inputs[0],),
            (op.outputs[0],),
        )
    if t_in.dtype != "INT8":
        raise Unsupported(f"QUANTIZE {t_in.dtype} -> INT16")
    t_in, t_out, zi, zo, m, sh = _requantize_multiplier(op, sg)
    lo, hi = QUANT_RANGE["INT16"]
    table = tuple(
        min(hi, max(lo, mul_by_quantized_multiplier(v - zi, m, sh) + zo))
        for v in [*range(128), *range(-128, 0)]  # indexed by the input byte
    )
    params = [("size", t_in.num_elements), ("table", CArray("int16_t", table))]
    return KernelCall(
        "adrt_lut_s8_s16", "adrt_lut_s8_s16_params_t", params, (op.inputs[0],), (op.outputs[0],)
    )
