"""CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and TRANSPOSE_CONV with 16-bit activations
(TFLite's 16x8: int16 activations with zero point 0, int8 weights, int64 bias).

The convolutions (TRANSPOSE_CONV included) quantize as for int8
(PopulateConvolutionQuantizationParams per channel) and scale the 64-bit accumulator with the
multiplier rounded to 16 bits, as TFLite's int64 MultiplyByQuantizedMultiplier does. LiteRT's
FULLY_CONNECTED computes round(acc * scale) in double precision instead (TFLM's uses the
multiplier): measured on LiteRT BUILTIN_REF, each disagrees with the other formula on thousands of
random outputs. The kernel reproduces the double product in integers from the scale's 53-bit
mantissa and exponent (see adrt/conv_s16.h).
"""

from __future__ import annotations

import math

import numpy as np

from autodeploy.codegen.kernel_call import CArray, KernelCall
from autodeploy.codegen.lower._s16 import act_range_s16, require_int16, scale_of
from autodeploy.codegen.lower._spatial import const_array, shape4
from autodeploy.codegen.lower.conv import _geometry, _weights, fc_shape, transpose_conv_layout
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.quant import conv_per_channel_multipliers, f32, reduced_multiplier
from autodeploy.tflite.model import Operator, Subgraph, Tensor

MAX_SHIFT = 14  # a larger left shift leaves no rounding bit (total right shift 15 - shift < 1)


def _bias_s16(op: Operator, sg: Subgraph, channels: int, position: int = 2) -> tuple[int, int]:
    """(index of the int64 bias at input `position` or -1 without one, largest |bias|)."""
    idx = op.inputs[position] if len(op.inputs) > position else -1
    if idx < 0:
        return -1, 0
    t = sg.tensors[idx]
    if t.dtype != "INT64":
        raise Unsupported(f"{op.opcode} 16x8 with {t.dtype} bias (only int64)")
    if not t.is_constant:
        raise Unsupported(f"{op.opcode} with non-constant bias")
    values = const_array(t, np.int64).reshape(-1)
    if values.size != channels:
        raise Unsupported(f"{op.opcode} bias of {values.size} values for {channels} channels")
    return idx, max((abs(int(v)) for v in values), default=0)


def double_scale(input_scale: float, weight_scale: float, output_scale: float) -> tuple[int, int]:
    """(mantissa, exponent) with mantissa * 2^exponent == the double LiteRT's FULLY_CONNECTED
    scales by: double(input scale) * double(weight scale) / double(output scale)."""
    scale = f32(input_scale) * f32(weight_scale) / f32(output_scale)
    if scale == 0.0:
        return 0, 0
    fraction, exponent = math.frexp(scale)
    return int(fraction * (1 << 53)), exponent - 53


def _requantization_s16(op: Operator, x: Tensor, w: Tensor, y: Tensor, oc: int) -> list:
    """Activation clamp and per-channel 16-bit multipliers and total shifts of a convolution's
    int64 accumulator, in the order of the 16x8 conv params structs."""
    mults, shifts = conv_per_channel_multipliers(scale_of(x), w.quantization.scale, scale_of(y), oc)
    if max(shifts) > MAX_SHIFT:
        raise Unsupported(
            f"{op.opcode} with an output multiplier of 2^{max(shifts)} (input scale x weight "
            "scale / output scale too large)"
        )
    pairs = [reduced_multiplier(m, s) for m, s in zip(mults, shifts, strict=True)]
    lo, hi = act_range_s16(op, y)
    return [
        ("act_min", lo),
        ("act_max", hi),
        ("multiplier", CArray("int32_t", tuple(m for m, _ in pairs))),
        ("shift", CArray("int32_t", tuple(t for _, t in pairs))),
    ]


def _conv_s16(op: Operator, sg: Subgraph, fn: str, *, oc: int, qdim: int, channel: dict):
    x, y = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    w = sg.tensors[op.inputs[1]]
    require_int16(op, x, y)
    _weights(op, w, oc, qdim)
    bias_idx, _ = _bias_s16(op, sg, oc)
    params = [
        ("input", shape4(x.shape)),
        ("filter", shape4(w.shape)),
        ("output", shape4(y.shape)),
        *_geometry(op, x, y, w.shape[1], w.shape[2]),
        ("groups", channel.get("groups", 1)),
        ("depth_multiplier", channel.get("depth_multiplier", 1)),
        *_requantization_s16(op, x, w, y, oc),
    ]
    return KernelCall(
        fn,
        "adrt_conv2d_s16_params_t",
        params,
        (op.inputs[0], op.inputs[1], bias_idx),
        (op.outputs[0],),
    )


@register("CONV_2D", dtype="INT16")
def lower_conv2d_s16(op: Operator, sg: Subgraph) -> KernelCall:
    x, y = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    w = sg.tensors[op.inputs[1]]
    if len(x.shape) != 4 or len(w.shape) != 4:
        raise Unsupported(f"{op.opcode} with rank {len(x.shape)} input")
    oc, _, _, fc = w.shape
    in_c = x.shape[3]
    if fc < 1 or in_c % fc or oc % (in_c // fc) or y.shape[3] != oc:
        raise Unsupported(f"CONV_2D with filter {list(w.shape)} for input {list(x.shape)}")
    return _conv_s16(op, sg, "adrt_conv2d_s16", oc=oc, qdim=0, channel={"groups": in_c // fc})


@register("DEPTHWISE_CONV_2D", dtype="INT16")
def lower_depthwise_conv2d_s16(op: Operator, sg: Subgraph) -> KernelCall:
    x, y = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    w = sg.tensors[op.inputs[1]]
    if len(x.shape) != 4 or len(w.shape) != 4 or w.shape[0] != 1:
        raise Unsupported(f"{op.opcode} with input {list(x.shape)} filter {list(w.shape)}")
    oc, in_c = w.shape[3], x.shape[3]
    if in_c < 1 or oc % in_c or y.shape[3] != oc:
        raise Unsupported(f"DEPTHWISE_CONV_2D with {oc} outputs for {in_c} input channels")
    return _conv_s16(
        op,
        sg,
        "adrt_depthwise_conv2d_s16",
        oc=oc,
        qdim=3,
        channel={"depth_multiplier": oc // in_c},
    )


@register("FULLY_CONNECTED", dtype="INT16")
def lower_fully_connected_s16(op: Operator, sg: Subgraph) -> KernelCall:
    x, y = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    w = sg.tensors[op.inputs[1]]
    require_int16(op, x, y)
    oc, depth, batches = fc_shape(op, sg)
    _weights(op, w, oc, 0)
    bias_idx, bias_max = _bias_s16(op, sg, oc)
    if bias_max + depth * 128 * 32768 >= 1 << 53:
        raise Unsupported("FULLY_CONNECTED 16x8 with a bias beyond 2^53 - 2^22 x depth")
    scaled = [double_scale(scale_of(x), s, scale_of(y)) for s in w.quantization.scale]
    lo, hi = act_range_s16(op, y)
    params = [
        ("batches", batches),
        ("depth", depth),
        ("out_c", oc),
        ("act_min", lo),
        ("act_max", hi),
        ("scale_stride", 1 if len(scaled) > 1 else 0),
        ("scale_mantissa", CArray("uint64_t", tuple(m for m, _ in scaled))),
        ("scale_exponent", CArray("int32_t", tuple(e for _, e in scaled))),
    ]
    return KernelCall(
        "adrt_fully_connected_s16",
        "adrt_fully_connected_s16_params_t",
        params,
        (op.inputs[0], op.inputs[1], bias_idx),
        (op.outputs[0],),
    )


@register("TRANSPOSE_CONV", dtype="INT16")
def lower_transpose_conv_s16(op: Operator, sg: Subgraph) -> KernelCall:
    x, w, y, geometry = transpose_conv_layout(op, sg)
    require_int16(op, x, y)
    oc = y.shape[3]
    bias_idx, _ = _bias_s16(op, sg, oc, position=3)
    return KernelCall(
        "adrt_transpose_conv_s16",
        "adrt_transpose_conv_s16_params_t",
        [("geometry", geometry), *_requantization_s16(op, x, w, y, oc)],
        (op.inputs[2], op.inputs[1], bias_idx),
        (op.outputs[0],),
    )
