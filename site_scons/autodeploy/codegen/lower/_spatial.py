"""Helpers shared by the lowerings (padding, shapes, clamps, per-tensor quantization)."""

from __future__ import annotations

import numpy as np

from autodeploy.codegen.kernel_call import CStruct
from autodeploy.codegen.lower.registry import Unsupported
from autodeploy.codegen.quant import UnsupportedActivation, activation_range_int8, f32
from autodeploy.tflite.model import Operator, Subgraph, Tensor


def shape4(shape: tuple[int, ...]) -> CStruct:
    """adrt_shape4_t initializer, lower ranks padded with leading 1s."""
    if len(shape) > 4:
        raise Unsupported(f"rank {len(shape)} tensor")
    s = (1,) * (4 - len(shape)) + tuple(int(d) for d in shape)
    return CStruct((("n", s[0]), ("h", s[1]), ("w", s[2]), ("c", s[3])))


def tensor(sg: Subgraph, op: Operator, k: int, *, output: bool = False) -> Tensor | None:
    idx = (
        (op.outputs if output else op.inputs)[k]
        if k < len(op.outputs if output else op.inputs)
        else -1
    )
    return None if idx < 0 else sg.tensors[idx]


def require_int8(op: Operator, *tensors: Tensor | None) -> None:
    for t in tensors:
        if t is None:
            continue
        if t.dtype != "INT8":
            raise Unsupported(f"{op.opcode} with {t.dtype} tensor '{t.name}' (only int8)")
        if t.quantization is None or not t.quantization.scale:
            raise Unsupported(f"{op.opcode} with unquantized int8 tensor '{t.name}'")


def scale_zp(t: Tensor) -> tuple[float, int]:
    q = t.quantization
    assert q is not None
    return float(q.scale[0]), int(q.zero_point[0])


def per_tensor(t: Tensor, what: str) -> tuple[float, int]:
    q = t.quantization
    if q is None or not q.scale:
        raise Unsupported(f"{what} tensor {t.name!r} is not quantized")
    if len(q.scale) != 1:
        raise Unsupported(f"{what} tensor {t.name!r} is quantized per channel")
    scale = f32(q.scale[0])
    if not scale > 0.0:
        raise Unsupported(f"{what} tensor {t.name!r} has scale {scale}")
    return scale, int(q.zero_point[0]) if q.zero_point else 0


def act_range(op: Operator, out: Tensor) -> tuple[int, int]:
    scale, zp = scale_zp(out)
    try:
        return activation_range_int8(op.options.get("fused_activation_function", "NONE"), scale, zp)
    except UnsupportedActivation as e:
        raise Unsupported(f"{op.opcode} with {e}") from None


def out_size(padding: str, in_size: int, filt: int, stride: int, dilation: int) -> int:
    """TFLite ComputeOutSize."""
    eff = (filt - 1) * dilation + 1
    if padding == "SAME":
        return (in_size + stride - 1) // stride
    if padding == "VALID":
        return (in_size + stride - eff) // stride
    raise Unsupported(f"padding {padding}")


def pad_before(padding: str, in_size: int, filt: int, stride: int, dilation: int) -> int:
    """TFLite ComputePaddingHeightWidth: leading padding (the odd extra goes after)."""
    out = out_size(padding, in_size, filt, stride, dilation)
    eff = (filt - 1) * dilation + 1
    total = (out - 1) * stride + eff - in_size
    return max(0, total // 2) if total > 0 else 0


def check_out_hw(op: Operator, out: Tensor, oh: int, ow: int) -> None:
    if len(out.shape) != 4 or out.shape[1] != oh or out.shape[2] != ow:
        raise Unsupported(
            f"{op.opcode} output shape {list(out.shape)} does not match computed {oh}x{ow}"
        )


def window_geometry(
    op: Operator, x: Tensor, y: Tensor, fh: int, fw: int, sh: int, sw: int, dh: int, dw: int
) -> tuple[int, int, int, int]:
    """(out_h, out_w, pad_h, pad_w) of an fh x fw window (strides sh, sw; dilations dh, dw)
    sliding over NHWC `x` with the op's padding; the output `y` must have that height and width."""
    padding = op.options.get("padding", "SAME")
    _, ih, iw, _ = x.shape
    oh, ow = out_size(padding, ih, fh, sh, dh), out_size(padding, iw, fw, sw, dw)
    check_out_hw(op, y, oh, ow)
    return oh, ow, pad_before(padding, ih, fh, sh, dh), pad_before(padding, iw, fw, sw, dw)


def const_array(t: Tensor, dtype) -> np.ndarray:
    assert t.data is not None
    return np.frombuffer(t.data, dtype=dtype).reshape(t.shape)
