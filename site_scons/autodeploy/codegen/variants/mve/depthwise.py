"""Helium DEPTHWISE_CONV_2D: picks the scratch layout and kernel, packs the weights for it.

The kernels (firmware/runtime/src/mve/depthwise.c, layouts in adrt/mve/depthwise.h) compute each
output as one VMLADAV of a 16-byte window of staged input against a 16-byte weight vector whose
lanes follow the window's byte order. This module decides, per layer:
  planes  3x3 stride 1 SAME maps at most 5 wide (KWS): bands of 8 output rows, plane pitch
          width + 1, one weight vector per output channel;
  rows    everything else: a ring of kernel_h input rows interleaved column-major, one set of
          weight vectors per ring rotation.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from autodeploy.codegen.kernel_call import CArray, KernelCall
from autodeploy.codegen.variants.registry import LayerContext, variant

#: Scratch the staged input may take, at most (more channels per pass saves little).
PLANES_SCRATCH_CAP = 1024
ROWS_SCRATCH_CAP = 8192
#: Output rows per band of the planes layout (DW_BAND in the C).
BAND = 8
#: Widest map of the planes kernels (adrt_mve_depthwise_3x3s1_w<1..5>_s8).
PLANES_MAX_WIDTH = 5
#: Rows kernels with a compile-time window step, by (kernel_h, stride_w, window chunks): the
#: function and its weight shifts (neighbouring windows sharing one load; adrt_mve_depthwise_s8,
#: the general kernel, has none).
ROWS_KERNELS = {
    (3, 1, 1): ("adrt_mve_depthwise_k3s1_s8", 2),
    (3, 2, 1): ("adrt_mve_depthwise_k3s2_s8", 2),
    (5, 1, 2): ("adrt_mve_depthwise_k5s1_s8", 1),
    (5, 2, 2): ("adrt_mve_depthwise_k5s2_s8", 1),
}
#: Weight shifts of the planes kernels (one byte apart: neighbouring columns).
PLANES_SHIFTS = 2
#: Scatter offsets are 16-bit: 7 * (bytes between lanes) must fit.
MAX_LANE_STRIDE = 65535 // 7


@dataclass(frozen=True)
class Geometry:
    in_h: int
    in_w: int
    in_c: int
    out_h: int
    out_w: int
    out_c: int
    kh: int
    kw: int
    sh: int
    sw: int
    dh: int
    dw: int
    pad_h: int
    pad_w: int

    @classmethod
    def of(cls, call: KernelCall) -> Geometry:
        shape = {name: dict(call.param(name).fields) for name in ("input", "filter", "output")}
        return cls(
            in_h=shape["input"]["h"],
            in_w=shape["input"]["w"],
            in_c=shape["input"]["c"],
            out_h=shape["output"]["h"],
            out_w=shape["output"]["w"],
            out_c=shape["output"]["c"],
            kh=shape["filter"]["h"],
            kw=shape["filter"]["w"],
            sh=call.param("stride_h"),
            sw=call.param("stride_w"),
            dh=call.param("dilation_h"),
            dw=call.param("dilation_w"),
            pad_h=call.param("pad_h"),
            pad_w=call.param("pad_w"),
        )


@dataclass(frozen=True)
class Layout:
    function: str
    channel_pitch: int
    channel_block: int
    window_chunks: int
    rotations: int
    weight_shifts: int
    scratch_bytes: int
    weights: np.ndarray  # [out_c, rotations, weight_shifts, window_chunks * 16] int8


def _shifted(vectors: np.ndarray, shifts: int, step: int) -> np.ndarray:
    """[..., lanes] weight vectors -> [..., shifts, lanes]: copy j moved j * step lanes up (for
    the window j steps after the one its load starts at). The taps must stay in the vector."""
    lanes = vectors.shape[-1]
    out = np.zeros((*vectors.shape[:-1], shifts, lanes), vectors.dtype)
    for j in range(shifts):
        moved = j * step
        assert not vectors[..., lanes - moved :].any(), "shifted taps leave the vector"
        out[..., j, moved:] = vectors[..., : lanes - moved]
    return out


def _channel_block(in_c: int, pitch: int, cap: int) -> int:
    """Input channels staged per pass: all if they fit in cap, else a multiple of 8."""
    if in_c * pitch <= cap:
        return in_c
    return min(in_c, max(8, cap // pitch // 8 * 8))


def _planes(g: Geometry, w: np.ndarray) -> Layout | None:
    """3x3 stride 1 with one padding row/column on every side and width <= 5."""
    same_3x3 = (g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pad_h, g.pad_w) == (3, 3, 1, 1, 1, 1, 1, 1)
    if not (same_3x3 and g.out_w == g.in_w <= PLANES_MAX_WIDTH and g.out_h == g.in_h):
        return None
    pitch_row = g.out_w + 1
    # 10 plane rows, the zero point after the last one (the last row's right padding), and
    # the 16-byte load of the band's last window.
    last_load_end = (BAND - 1) * pitch_row + g.out_w - 1 + 16
    pitch = max((BAND + 2) * pitch_row + 1, last_load_end)
    block = _channel_block(g.in_c, pitch, PLANES_SCRATCH_CAP)
    vectors = np.zeros((g.out_c, 1, 16), np.int8)
    for ky in range(3):
        for kx in range(3):
            vectors[:, 0, ky * pitch_row + kx] = w[ky, kx, :]
    return Layout(
        function=f"adrt_mve_depthwise_3x3s1_w{g.out_w}_s8",
        channel_pitch=pitch,
        channel_block=block,
        window_chunks=1,
        rotations=1,
        weight_shifts=PLANES_SHIFTS,
        scratch_bytes=block * pitch,
        weights=_shifted(vectors, PLANES_SHIFTS, 1),
    )


def _rows(g: Geometry, w: np.ndarray) -> Layout | None:
    cols = (g.out_w - 1) * g.sw + (g.kw - 1) * g.dw + 1
    pitch = cols * g.kh
    span = ((g.kw - 1) * g.dw + 1) * g.kh
    chunks = -(-span // 16)
    if pitch > MAX_LANE_STRIDE:
        return None
    rolling = g.dh == 1
    rotations = g.kh if rolling else 1
    # Lane t of a window: padded column t // kh of the window, ring slot t % kh.
    t = np.arange(chunks * 16)
    col, slot = t // g.kh, t % g.kh
    tap = (col % g.dw == 0) & (col // g.dw < g.kw)
    kx = np.where(tap, col // g.dw, 0)
    vectors = np.zeros((g.out_c, rotations, chunks * 16), np.int8)
    for r in range(rotations):
        ky = (slot - r) % g.kh  # slot s holds input row iy0 + ky with (iy0 + ky) % kh == s
        vectors[:, r, :] = np.where(tap[:, None], w[ky, kx, :], 0).T
    step = g.sw * g.kh
    function, shifts = ROWS_KERNELS.get((g.kh, g.sw, chunks), ("adrt_mve_depthwise_s8", 1))
    if span + (shifts - 1) * step > 16 * chunks:
        function, shifts = "adrt_mve_depthwise_s8", 1
    block = _channel_block(g.in_c, pitch, ROWS_SCRATCH_CAP)
    # The last channel's windows, junk lanes of a partial group of 8 included, read this far.
    groups = -(-g.out_w // 8)
    reach = (groups * 8 - 1) * g.sw * g.kh + chunks * 16
    return Layout(
        function=function,
        channel_pitch=pitch,
        channel_block=block,
        window_chunks=chunks,
        rotations=rotations,
        weight_shifts=shifts,
        scratch_bytes=(block - 1) * pitch + max(pitch, reach),
        weights=_shifted(vectors, shifts, step),
    )


def _records(call: KernelCall, layout: Layout, dm: int) -> np.ndarray:
    """[out_c, words] int32: each output channel's weight bytes (little-endian words), then
    kernel_sum, multiplier, shift and its input channel's offset in the staged scratch."""
    out_c = layout.weights.shape[0]
    weights = np.ascontiguousarray(layout.weights.reshape(out_c, -1)).view("<i4")
    staged = (np.arange(out_c) // dm) % layout.channel_block * layout.channel_pitch
    requant = [call.param(name).values for name in ("kernel_sum", "multiplier", "shift")]
    tail = np.stack([np.asarray(v, np.int64) for v in requant] + [staged], axis=1)
    return np.concatenate([weights.astype(np.int64), tail], axis=1)


@variant("adrt_depthwise_conv2d_s8", "mve")
def depthwise_mve(call: KernelCall, layer: LayerContext) -> KernelCall | None:
    g = Geometry.of(call)
    if g.out_c > MAX_LANE_STRIDE:
        return None
    w = layer.constant(call.inputs[1], np.int8).reshape(g.kh, g.kw, g.out_c)
    layout = _planes(g, w) or _rows(g, w)
    if layout is None:
        return None
    records = _records(call, layout, dm=call.param("depth_multiplier"))
    dm = call.param("depth_multiplier")
    params = [
        ("input", call.param("input")),
        ("output", call.param("output")),
        ("kernel_h", g.kh),
        ("kernel_w", g.kw),
        ("stride_h", g.sh),
        ("stride_w", g.sw),
        ("dilation_h", g.dh),
        ("dilation_w", g.dw),
        ("pad_h", g.pad_h),
        ("pad_w", g.pad_w),
        ("depth_multiplier", dm),
        ("input_zero_point", -call.param("input_offset")),
        ("output_offset", call.param("output_offset")),
        ("act_min", call.param("act_min")),
        ("act_max", call.param("act_max")),
        ("channel_block", layout.channel_block),
        ("channel_pitch", layout.channel_pitch),
        ("window_chunks", layout.window_chunks),
        ("rotations", layout.rotations),
        ("weight_shifts", layout.weight_shifts),
        ("record_words", records.shape[1]),
        ("records", CArray("int32_t", records.reshape(-1))),
    ]
    # The bias is inside kernel_sum and the weights are packed: only the input is read.
    return dataclasses.replace(
        call,
        function=layout.function,
        params_type="adrt_mve_depthwise_params_t",
        params=params,
        inputs=(call.inputs[0],),
        kernel="mve",
        scratch_bytes=layout.scratch_bytes,
    )
