"""CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and TRANSPOSE_CONV (int8 activations, int8
weights, int32 bias)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autodeploy.codegen.kernel_call import CArray, CStruct, KernelCall
from autodeploy.codegen.lower._spatial import (
    act_range,
    const_array,
    out_size,
    pad_before,
    require_int8,
    scale_zp,
    shape4,
    window_geometry,
)
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.lower.reshape import const_ints
from autodeploy.codegen.quant import conv_per_channel_multipliers, conv_per_tensor_multiplier
from autodeploy.tflite.model import Operator, Subgraph, Tensor

I32_MIN, I32_MAX = -(1 << 31), (1 << 31) - 1


def _weights(op: Operator, w: Tensor, channels: int, qdim: int) -> np.ndarray:
    if w.dtype != "INT8":
        raise Unsupported(f"{op.opcode} with {w.dtype} weights (only int8)")
    if not w.is_constant:
        raise Unsupported(f"{op.opcode} with non-constant weights")
    q = w.quantization
    if q is None or not q.scale:
        raise Unsupported(f"{op.opcode} with unquantized weights")
    if any(z != 0 for z in q.zero_point):
        raise Unsupported(f"{op.opcode} with non-zero weight zero point")
    if len(q.scale) > 1 and (len(q.scale) != channels or q.quantized_dimension != qdim):
        raise Unsupported(
            f"{op.opcode} with {len(q.scale)} weight scales on dimension {q.quantized_dimension}"
        )
    return const_array(w, np.int8)


def _bias(op: Operator, sg: Subgraph, channels: int, position: int = 2) -> tuple[int, np.ndarray]:
    """The bias tensor at input `position` (index, values), or (-1, zeros) without one."""
    idx = op.inputs[position] if len(op.inputs) > position else -1
    if idx < 0:
        return -1, np.zeros(channels, np.int64)
    t = sg.tensors[idx]
    if t.dtype != "INT32":
        raise Unsupported(f"{op.opcode} with {t.dtype} bias (only int32)")
    if not t.is_constant:
        raise Unsupported(f"{op.opcode} with non-constant bias")
    b = const_array(t, np.int32).reshape(-1).astype(np.int64)
    if b.size != channels:
        raise Unsupported(f"{op.opcode} bias of {b.size} values for {channels} channels")
    return idx, b


def _kernel_sum(op: Operator, bias: np.ndarray, wsum: np.ndarray, input_offset: int) -> CArray:
    ks = bias + input_offset * wsum.astype(np.int64)
    if ks.min(initial=0) < I32_MIN or ks.max(initial=0) > I32_MAX:
        raise Unsupported(f"{op.opcode} bias + weight sum overflows int32")
    return CArray("int32_t", tuple(int(v) for v in ks))


def _requantization(op: Operator, x: Tensor, w: Tensor, y: Tensor, oc: int) -> list:
    """Offsets, activation clamp and per-channel multipliers of a convolution's output (TFLite's
    PopulateConvolutionQuantizationParams), in the order of the conv params structs."""
    in_scale, in_zp = scale_zp(x)
    out_scale, out_zp = scale_zp(y)
    mults, shifts = conv_per_channel_multipliers(in_scale, w.quantization.scale, out_scale, oc)
    lo, hi = act_range(op, y)
    return [
        ("input_offset", -in_zp),
        ("output_offset", out_zp),
        ("act_min", lo),
        ("act_max", hi),
        ("multiplier", CArray("int32_t", tuple(mults))),
        ("shift", CArray("int32_t", tuple(shifts))),
    ]


def _geometry(op: Operator, x: Tensor, y: Tensor, fh: int, fw: int) -> list:
    o = op.options
    sh, sw = int(o.get("stride_h", 1)), int(o.get("stride_w", 1))
    dh, dw = int(o.get("dilation_h_factor", 1)), int(o.get("dilation_w_factor", 1))
    if min(sh, sw, dh, dw) < 1:
        raise Unsupported(f"{op.opcode} with stride {sh}x{sw} dilation {dh}x{dw}")
    _, _, ph, pw = window_geometry(op, x, y, fh, fw, sh, sw, dh, dw)
    return [
        ("stride_h", sh),
        ("stride_w", sw),
        ("dilation_h", dh),
        ("dilation_w", dw),
        ("pad_h", ph),
        ("pad_w", pw),
    ]


def _conv_call(
    op: Operator,
    sg: Subgraph,
    fn: str,
    struct: str,
    *,
    oc: int,
    qdim: int,
    channel_param: tuple[str, int],
    filter_sum: Callable[[np.ndarray], np.ndarray],
) -> KernelCall:
    """CONV_2D / DEPTHWISE_CONV_2D call for `oc` output channels (filter height and width at
    dimensions 1 and 2): weights quantized on dimension `qdim`, per-channel
    requantization, `channel_param` (groups or depth multiplier) after the geometry, and the
    kernel sum over `filter_sum(weights)` (one sum per output channel)."""
    x, y = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    w = sg.tensors[op.inputs[1]]
    fh, fw = w.shape[1], w.shape[2]
    wq = _weights(op, w, oc, qdim)
    bias_idx, bias = _bias(op, sg, oc)
    params = [
        ("input", shape4(x.shape)),
        ("filter", shape4(w.shape)),
        ("output", shape4(y.shape)),
        *_geometry(op, x, y, fh, fw),
        channel_param,
        *_requantization(op, x, w, y, oc),
        ("kernel_sum", _kernel_sum(op, bias, filter_sum(wq), -scale_zp(x)[1])),
    ]
    return KernelCall(fn, struct, params, (op.inputs[0], op.inputs[1], bias_idx), (op.outputs[0],))


@register("CONV_2D")
def lower_conv2d(op: Operator, sg: Subgraph) -> KernelCall:
    x, y = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    w = sg.tensors[op.inputs[1]]
    require_int8(op, x, y)
    if len(x.shape) != 4 or len(w.shape) != 4:
        raise Unsupported(f"{op.opcode} with rank {len(x.shape)} input")
    oc, _, _, fc = w.shape
    in_c = x.shape[3]
    if fc < 1 or in_c % fc or oc % (in_c // fc):
        raise Unsupported(f"CONV_2D with filter depth {fc} for {in_c} input channels")
    groups = in_c // fc
    if y.shape[3] != oc:
        raise Unsupported(f"CONV_2D with {y.shape[3]} outputs for {oc} filters")
    return _conv_call(
        op,
        sg,
        "adrt_conv2d_s8",
        "adrt_conv2d_params_t",
        oc=oc,
        qdim=0,
        channel_param=("groups", groups),
        filter_sum=lambda wq: wq.reshape(oc, -1).sum(axis=1),
    )


@register("DEPTHWISE_CONV_2D")
def lower_depthwise_conv2d(op: Operator, sg: Subgraph) -> KernelCall:
    x, y = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    w = sg.tensors[op.inputs[1]]
    require_int8(op, x, y)
    if len(x.shape) != 4 or len(w.shape) != 4 or w.shape[0] != 1:
        raise Unsupported(f"{op.opcode} with input {list(x.shape)} filter {list(w.shape)}")
    oc = w.shape[3]
    in_c = x.shape[3]
    if in_c < 1 or oc % in_c or y.shape[3] != oc:
        raise Unsupported(f"DEPTHWISE_CONV_2D with {oc} outputs for {in_c} input channels")
    dm = oc // in_c
    return _conv_call(
        op,
        sg,
        "adrt_depthwise_conv2d_s8",
        "adrt_depthwise_conv2d_params_t",
        oc=oc,
        qdim=3,
        channel_param=("depth_multiplier", dm),
        filter_sum=lambda wq: wq.reshape(-1, oc).sum(axis=0),
    )


def fc_shape(op: Operator, sg: Subgraph) -> tuple[int, int, int]:
    """(output channels, depth, batches) of a FULLY_CONNECTED whose input is viewed as
    [batches, depth]."""
    x, y = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    w = sg.tensors[op.inputs[1]]
    fmt = op.options.get("weights_format", "DEFAULT")
    if fmt != "DEFAULT":
        raise Unsupported(f"FULLY_CONNECTED with weights format {fmt}")
    if len(w.shape) != 2:
        raise Unsupported(f"FULLY_CONNECTED with rank {len(w.shape)} weights")
    oc, depth = w.shape
    if depth < 1 or x.num_elements % depth:
        raise Unsupported(f"FULLY_CONNECTED input {list(x.shape)} vs weights {list(w.shape)}")
    batches = x.num_elements // depth
    if y.num_elements != batches * oc:
        raise Unsupported(f"FULLY_CONNECTED output {list(y.shape)} for {batches}x{oc}")
    return oc, depth, batches


@register("FULLY_CONNECTED")
def lower_fully_connected(op: Operator, sg: Subgraph) -> KernelCall:
    x, y = sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]
    w = sg.tensors[op.inputs[1]]
    require_int8(op, x, y)
    oc, depth, batches = fc_shape(op, sg)
    wq = _weights(op, w, oc, 0)
    bias_idx, bias = _bias(op, sg, oc)
    in_scale, in_zp = scale_zp(x)
    out_scale, out_zp = scale_zp(y)
    scales = w.quantization.scale
    if len(scales) > 1:
        mults, shifts = conv_per_channel_multipliers(in_scale, scales, out_scale, oc)
        stride = 1
    else:
        m, s = conv_per_tensor_multiplier(in_scale, scales[0], out_scale)
        mults, shifts, stride = [m], [s], 0
    lo, hi = act_range(op, y)
    params = [
        ("batches", batches),
        ("depth", depth),
        ("out_c", oc),
        ("output_offset", out_zp),
        ("act_min", lo),
        ("act_max", hi),
        ("multiplier_stride", stride),
        ("multiplier", CArray("int32_t", tuple(mults))),
        ("shift", CArray("int32_t", tuple(shifts))),
        ("kernel_sum", _kernel_sum(op, bias, wq.sum(axis=1), -in_zp)),
    ]
    # The bias is folded into kernel_sum: not passed (NULL) so it need not be kept in flash.
    del bias_idx
    return KernelCall(
        "adrt_fully_connected_s8",
        "adrt_fully_connected_params_t",
        params,
        (op.inputs[0], op.inputs[1], -1),
        (op.outputs[0],),
    )


def transpose_conv_layout(op: Operator, sg: Subgraph) -> tuple[Tensor, Tensor, Tensor, CStruct]:
    """(input, filter, output, geometry) of a TRANSPOSE_CONV of any activation type, the geometry
    (adrt_transpose_conv_geometry_t) holding its shapes, strides and the padding of the
    equivalent forward convolution. Checks the int8
    weights (constant, zero points 0, per tensor or per output channel)."""
    if len(op.inputs) < 3:
        raise Unsupported(f"TRANSPOSE_CONV with {len(op.inputs)} inputs")
    w, x, y = sg.tensors[op.inputs[1]], sg.tensors[op.inputs[2]], sg.tensors[op.outputs[0]]
    if len(x.shape) != 4 or len(w.shape) != 4 or len(y.shape) != 4:
        raise Unsupported(f"TRANSPOSE_CONV with input {list(x.shape)} filter {list(w.shape)}")
    if const_ints(op, sg, op.inputs[0], "output shape") != list(y.shape):
        raise Unsupported(f"TRANSPOSE_CONV output shape differs from {list(y.shape)}")
    oc, fh, fw, ic = w.shape
    if x.shape[3] != ic or y.shape[3] != oc or x.shape[0] != y.shape[0]:
        raise Unsupported(
            f"TRANSPOSE_CONV of {list(x.shape)} by {list(w.shape)} to {list(y.shape)}"
        )
    _weights(op, w, oc, 0)
    sh, sw = int(op.options.get("stride_h", 1)), int(op.options.get("stride_w", 1))
    if min(sh, sw) < 1:
        raise Unsupported(f"TRANSPOSE_CONV with stride {sh}x{sw}")
    # The padding of the forward convolution from the output's size back to the input's, which
    # must give the input's size (LiteRT refuses the model otherwise).
    padding = op.options.get("padding", "SAME")
    _, oh, ow, _ = y.shape
    back = (out_size(padding, oh, fh, sh, 1), out_size(padding, ow, fw, sw, 1))
    if back != tuple(x.shape[1:3]):
        raise Unsupported(
            f"TRANSPOSE_CONV output {oh}x{ow} with {padding} padding does not come from a "
            f"{x.shape[1]}x{x.shape[2]} input"
        )
    geometry = CStruct(
        (
            ("input", shape4(x.shape)),
            ("filter", shape4(w.shape)),
            ("output", shape4(y.shape)),
            ("stride_h", sh),
            ("stride_w", sw),
            ("pad_h", pad_before(padding, oh, fh, sh, 1)),
            ("pad_w", pad_before(padding, ow, fw, sw, 1)),
        )
    )
    return x, w, y, geometry


@register("TRANSPOSE_CONV")
def lower_transpose_conv(op: Operator, sg: Subgraph) -> KernelCall:
    x, w, y, geometry = transpose_conv_layout(op, sg)
    require_int8(op, x, y)
    bias_idx, _ = _bias(op, sg, y.shape[3], position=3)
    return KernelCall(
        "adrt_transpose_conv_s8",
        "adrt_transpose_conv_params_t",
        [("geometry", geometry), *_requantization(op, x, w, y, y.shape[3])],
        (op.inputs[2], op.inputs[1], bias_idx),
        (op.outputs[0],),
    )
