"""Lowering of int8 RELU, RELU6, RELU_N1_TO_1, RELU_0_TO_1, LEAKY_RELU and HARD_SWISH.

Each is a function of one 8-bit value, so the generator evaluates TFLite's reference integer
arithmetic for all 256 inputs (in Python, emulating the C integer semantics exactly: truncating
division, int16 wrap-around, gemmlowp's saturating/rounding helpers) and the runtime kernel is a
256-entry table lookup (adrt/activation.h). The emulation helpers here are also used by
quantize.py for int8/uint8 requantization.
"""

from __future__ import annotations

import numpy as np

from autodeploy.codegen.kernel_call import CArray, KernelCall
from autodeploy.codegen.lower._spatial import per_tensor
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.quant import quantize_multiplier, tflite_round
from autodeploy.tflite.model import Operator, Subgraph, Tensor

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
INT16_MIN, INT16_MAX = -(1 << 15), (1 << 15) - 1

# dtype -> (C element type, min, max)
LUT_TYPES = {"INT8": ("int8_t", -128, 127), "UINT8": ("uint8_t", 0, 255)}
# (input dtype, output dtype) -> (kernel, params type)
LUT_KERNELS = {
    ("INT8", "INT8"): ("adrt_lut_s8", "adrt_lut_s8_params_t"),
    ("INT8", "UINT8"): ("adrt_lut_s8_u8", "adrt_lut_u8_params_t"),
    ("UINT8", "INT8"): ("adrt_lut_u8_s8", "adrt_lut_s8_params_t"),
    ("UINT8", "UINT8"): ("adrt_lut_u8", "adrt_lut_u8_params_t"),
}


# -- C integer semantics ----------------------------------------------------------------------


def _wrap(x: int, bits: int) -> int:
    """Two's complement wrap-around of a conversion to a signed `bits`-bit integer."""
    m = 1 << bits
    x &= m - 1
    return x - m if x >= m >> 1 else x


def _cdiv(a: int, b: int) -> int:
    """C integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def srdhm32(a: int, b: int) -> int:
    """gemmlowp SaturatingRoundingDoublingHighMul on int32."""
    if a == b == INT32_MIN:
        return INT32_MAX
    ab = a * b
    nudge = (1 << 30) if ab >= 0 else 1 - (1 << 30)
    return _cdiv(ab + nudge, 1 << 31)


def rdbpot(x: int, exponent: int) -> int:
    """gemmlowp RoundingDivideByPOT on int32 (exponent in [0, 31])."""
    mask = (1 << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> exponent) + (1 if remainder > threshold else 0)


def mul_by_quantized_multiplier(x: int, multiplier: int, shift: int) -> int:
    """TFLite MultiplyByQuantizedMultiplier (double rounding), as adrt/common.h."""
    left = shift if shift > 0 else 0
    right = -shift if shift < 0 else 0
    return rdbpot(srdhm32(_wrap(x << left, 32), multiplier), right)


def srdhm16(a: int, b: int) -> int:
    """gemmlowp SaturatingRoundingDoublingHighMul on int16."""
    if a == b == INT16_MIN:
        return INT16_MAX
    ab = a * b
    nudge = (1 << 14) if ab >= 0 else 1 - (1 << 14)
    return _wrap(_cdiv(ab + nudge, 1 << 15), 16)


def sdhm16(a: int, b: int) -> int:
    """TFLite's non-rounding SaturatingDoublingHighMul on int16 (reference hard_swish.h)."""
    if a == b == INT16_MIN:
        return INT16_MAX
    return _wrap(_cdiv(a * b, 1 << 15), 16)


def rdbpot16(x: int, exponent: int) -> int:
    """gemmlowp RoundingDivideByPOT on int16, wrap-around of its int16 mask included (for an
    exponent of 16 or more the mask is -1 and the result is +1 or -1)."""
    if not 0 <= exponent <= 31:
        raise Unsupported(f"int16 rounding shift by {exponent}")
    mask = _wrap((1 << exponent) - 1, 16)
    remainder = _wrap(x & mask, 16)
    threshold = _wrap((mask >> 1) + (1 if x < 0 else 0), 16)
    return _wrap((x >> exponent) + (1 if remainder > threshold else 0), 16)


def shift_left_sat16(x: int, offset: int) -> int:
    """gemmlowp ShiftLeft on int16: saturating."""
    return max(INT16_MIN, min(INT16_MAX, x * (1 << offset)))


def downscale_multiplier_to_int16(m: int) -> int:
    """TFLite DownScaleInt32ToInt16Multiplier."""
    if m >= INT32_MAX - (1 << 15):
        return INT16_MAX
    return (m + (1 << 15)) >> 16


# -- helpers shared by the table-driven lowerings ---------------------------------------------


def unary_tensors(op: Operator, sg: Subgraph) -> tuple[Tensor, Tensor]:
    if not op.inputs or op.inputs[0] < 0 or len(op.outputs) != 1:
        raise Unsupported(f"{op.opcode} with inputs {op.inputs} and outputs {op.outputs}")
    t_in, t_out = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    if t_in.num_elements != t_out.num_elements:
        raise Unsupported(f"{op.opcode} input {t_in.shape} and output {t_out.shape} differ")
    return t_in, t_out


def lut_call(op: Operator, t_in: Tensor, t_out: Tensor, fn) -> KernelCall:
    """A table-lookup KernelCall; `fn(v)` maps an input value to an output value (pre-clamp
    values are the caller's job: results must be in the output type's range)."""
    key = (t_in.dtype, t_out.dtype)
    if key not in LUT_KERNELS:
        raise Unsupported(f"{op.opcode} {t_in.dtype} -> {t_out.dtype}")
    kernel, params_type = LUT_KERNELS[key]
    ctype, lo, hi = LUT_TYPES[t_out.dtype]
    table = []
    for byte in range(256):
        v = byte - 256 if (t_in.dtype == "INT8" and byte >= 128) else byte
        r = int(fn(v))
        if not lo <= r <= hi:
            raise AssertionError(f"{op.opcode}: table value {r} out of range for input {v}")
        table.append(r)
    params = [("size", t_in.num_elements), ("table", CArray(ctype, tuple(table)))]
    return KernelCall(kernel, params_type, params, (op.inputs[0],), (op.outputs[0],))


def _qrange(dtype: str) -> tuple[int, int]:
    return LUT_TYPES[dtype][1], LUT_TYPES[dtype][2]


# -- RELU family ------------------------------------------------------------------------------

# opcode -> (act_min, act_max) in real units (None: unbounded above)
_RELU_RANGES = {
    "RELU": (0.0, None),
    "RELU6": (0.0, 6.0),
    "RELU_N1_TO_1": (-1.0, 1.0),
    "RELU_0_TO_1": (0.0, 1.0),
}


@register("RELU", "RELU6", "RELU_N1_TO_1", "RELU_0_TO_1")
def lower_relu(op: Operator, sg: Subgraph) -> KernelCall:
    """activations.cc ReluPrepare + QuantizedReluX: requantize, then clamp to the range."""
    t_in, t_out = unary_tensors(op, sg)
    if t_in.dtype != t_out.dtype or t_in.dtype not in LUT_TYPES:
        raise Unsupported(f"{op.opcode} {t_in.dtype} -> {t_out.dtype}")
    si, zi = per_tensor(t_in, "input")
    so, zo = per_tensor(t_out, "output")
    # input scale / output scale in float32, widened to double.
    m, sh = quantize_multiplier(float(np.float32(si) / np.float32(so)))
    qmin, qmax = _qrange(t_out.dtype)
    lo_real, hi_real = _RELU_RANGES[op.opcode]
    s = np.float32(so)
    act_min = max(qmin, zo + tflite_round(float(np.float32(lo_real) / s)))
    act_max = (
        qmax if hi_real is None else min(qmax, zo + tflite_round(float(np.float32(hi_real) / s)))
    )

    def fn(v: int) -> int:
        r = zo + mul_by_quantized_multiplier(v - zi, m, sh)
        return min(act_max, max(act_min, r))

    return lut_call(op, t_in, t_out, fn)


# -- LEAKY_RELU -------------------------------------------------------------------------------


@register("LEAKY_RELU")
def lower_leaky_relu(op: Operator, sg: Subgraph) -> KernelCall:
    """activations.cc LeakyReluPrepare + reference QuantizeLeakyRelu."""
    t_in, t_out = unary_tensors(op, sg)
    if t_in.dtype != t_out.dtype or t_in.dtype not in LUT_TYPES:
        raise Unsupported(f"{op.opcode} {t_in.dtype} -> {t_out.dtype}")
    si, zi = per_tensor(t_in, "input")
    so, zo = per_tensor(t_out, "output")
    alpha = np.float32(op.options.get("alpha", 0.0))
    # Both multipliers are float32 expressions widened to double.
    m_alpha, sh_alpha = quantize_multiplier(float(np.float32(si) * alpha / np.float32(so)))
    m_id, sh_id = quantize_multiplier(float(np.float32(si) / np.float32(so)))
    qmin, qmax = _qrange(t_out.dtype)
    # A negative alpha behaves in LiteRT as the negated product with |multiplier| (halves of the
    # positive results round down), not as a product with a negative Q31 multiplier; verified
    # against LiteRT on every input value for several alphas and quantizations.
    alpha_sign = -1 if m_alpha < 0 else 1
    m_alpha = abs(m_alpha)

    def fn(v: int) -> int:
        x = v - zi
        if x >= 0:
            r = zo + mul_by_quantized_multiplier(x, m_id, sh_id)
        else:
            r = zo + alpha_sign * mul_by_quantized_multiplier(x, m_alpha, sh_alpha)
        return min(qmax, max(qmin, r))

    return lut_call(op, t_in, t_out, fn)


# -- HARD_SWISH -------------------------------------------------------------------------------


def hard_swish_params(input_scale: float, output_scale: float) -> dict:
    """activations.cc HardSwishPrepare (all float32 arithmetic)."""
    hires_input_scale = np.float32(1.0 / 128.0) * np.float32(input_scale)
    reluish_scale = np.float32(3.0) / np.float32(32768.0)
    output_multiplier = hires_input_scale / np.float32(output_scale)
    m_out, e_out = quantize_multiplier(float(output_multiplier))
    reluish_multiplier = hires_input_scale / reluish_scale
    m_rel, e_rel = quantize_multiplier(float(reluish_multiplier))
    if e_out > 0:
        raise Unsupported(f"HARD_SWISH output multiplier {float(output_multiplier)} > 1")
    return {
        "output_multiplier_fixedpoint_int16": downscale_multiplier_to_int16(m_out),
        "output_multiplier_exponent": e_out,
        "reluish_multiplier_fixedpoint_int16": downscale_multiplier_to_int16(m_rel),
        "reluish_multiplier_exponent": e_rel,
    }


def hard_swish_value(v: int, p: dict, zi: int, zo: int, qmin: int, qmax: int) -> int:
    """reference_ops::HardSwish for one quantized input value."""
    input_value = _wrap(v - zi, 16)
    hires = _wrap(input_value * (1 << 7), 16)
    preshift_out = srdhm16(hires, p["output_multiplier_fixedpoint_int16"])
    e_rel = p["reluish_multiplier_exponent"]
    reluish = hires
    if e_rel > 0:
        reluish = shift_left_sat16(reluish, e_rel - 1)
    reluish = srdhm16(reluish, p["reluish_multiplier_fixedpoint_int16"])
    if e_rel > 0:
        reluish = shift_left_sat16(reluish, 1)
    if e_rel < 0:
        reluish = rdbpot16(reluish, -e_rel)
    reluish = _wrap((reluish + (1 << 15)) >> 1, 16)
    preshift_output_value = sdhm16(reluish, preshift_out)
    out = rdbpot16(preshift_output_value, -p["output_multiplier_exponent"])
    out = _wrap(out + zo, 16)
    return min(qmax, max(qmin, out))


@register("HARD_SWISH")
def lower_hard_swish(op: Operator, sg: Subgraph) -> KernelCall:
    t_in, t_out = unary_tensors(op, sg)
    if t_in.dtype != t_out.dtype or t_in.dtype not in LUT_TYPES:
        raise Unsupported(f"{op.opcode} {t_in.dtype} -> {t_out.dtype}")
    si, zi = per_tensor(t_in, "input")
    so, zo = per_tensor(t_out, "output")
    p = hard_swish_params(si, so)
    if p["reluish_multiplier_exponent"] > 31:
        raise Unsupported(f"HARD_SWISH input scale {si} (left shift beyond 31)")
    qmin, qmax = _qrange(t_out.dtype)
    return lut_call(op, t_in, t_out, lambda v: hard_swish_value(v, p, zi, zo, qmin, qmax))
