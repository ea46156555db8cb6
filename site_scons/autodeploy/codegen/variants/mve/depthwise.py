"""Helium DEPTHWISE_CONV_2D: picks the scratch layout and kernel, packs the weights for it.

The kernels (firmware/runtime/src/mve/depthwise.c, layouts in adrt/mve/depthwise.h) compute each
output as one VMLADAV of a 16-byte window of staged input against a 16-byte weight vector whose
lanes follow the window's byte order. This module decides, per layer:
  planes  3x3 stride 1 SAME maps at most 5 wide (KWS): bands of 8 output rows, plane pitch
          width + 1, two weight vectors per output channel (neighbouring columns share loads);
  rows    everything else: a ring of input rows interleaved column-major, enough for one or
          two output rows per pass, one set of weight vectors per ring rotation.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from autodeploy.codegen.kernel_call import CArray, CStruct, KernelCall
from autodeploy.codegen.variants.registry import LayerContext, variant

#: Scratch the staged input may take, at most (more channels per pass saves little).
PLANES_SCRATCH_CAP = 1024
ROWS_SCRATCH_CAP = 8192
#: Output rows per band of the planes layout (DW_BAND in the C).
BAND = 8
#: Widest map of the planes kernels (adrt_mve_depthwise_3x3s1_w<1..5>_s8).
PLANES_MAX_WIDTH = 5


@dataclass(frozen=True)
class RowsKernel:
    """A rows kernel with compile-time geometry (window step = stride_w * ring rows)."""

    function: str
    kh: int
    sw: int
    pass_rows: int
    chunks: int
    shifts: int  # neighbouring windows sharing one load
    step: int


#: The specialized rows kernels; adrt_mve_depthwise_s8 takes any other geometry (one output row
#: per pass, no shared loads).
ROWS_KERNELS = (
    RowsKernel("adrt_mve_depthwise_k1s1_s8", kh=1, sw=1, pass_rows=1, chunks=1, shifts=4, step=1),
    RowsKernel("adrt_mve_depthwise_k3s1_s8", kh=3, sw=1, pass_rows=2, chunks=1, shifts=2, step=4),
    RowsKernel("adrt_mve_depthwise_k3s2_s8", kh=3, sw=2, pass_rows=2, chunks=1, shifts=1, step=10),
    RowsKernel("adrt_mve_depthwise_k5s1_s8", kh=5, sw=1, pass_rows=2, chunks=2, shifts=1, step=6),
    RowsKernel("adrt_mve_depthwise_k5s2_s8", kh=5, sw=2, pass_rows=1, chunks=2, shifts=1, step=10),
)
GENERAL_ROWS = "adrt_mve_depthwise_s8"
#: Weight shifts of the planes kernels (one byte apart: neighbouring columns).
PLANES_SHIFTS = 2
#: Scatter offsets are 16-bit: 7 * (bytes between lanes) must fit.
MAX_LANE_STRIDE = 65535 // 7


@dataclass(frozen=True)
class Geometry:
    n: int
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
            n=shape["input"]["n"],
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

    def one_column(self) -> bool:
        """An H x 1 map under an H x 1 filter (1-D convolutions laid out this way): in NHWC the
        same bytes as the 1 x H map under a 1 x H filter, which the rows layout runs far
        better (a line of outputs per channel rather than one output)."""
        return self.in_w == self.out_w == self.kw == 1 and self.pad_w == 0 and self.in_h > 1

    def transposed(self) -> Geometry:
        """The geometry with heights and widths exchanged."""
        return Geometry(
            n=self.n,
            in_h=self.in_w,
            in_w=self.in_h,
            in_c=self.in_c,
            out_h=self.out_w,
            out_w=self.out_h,
            out_c=self.out_c,
            kh=self.kw,
            kw=self.kh,
            sh=self.sw,
            sw=self.sh,
            dh=self.dw,
            dw=self.dh,
            pad_h=self.pad_w,
            pad_w=self.pad_h,
        )

    def shape(self, which: str) -> CStruct:
        """adrt_shape4_t of the input or output."""
        if which == "input":
            h, w, c = self.in_h, self.in_w, self.in_c
        else:
            h, w, c = self.out_h, self.out_w, self.out_c
        return CStruct((("n", self.n), ("h", h), ("w", w), ("c", c)))


@dataclass(frozen=True)
class Layout:
    function: str
    channel_pitch: int
    channel_block: int
    ring_rows: int
    pass_rows: int
    window_chunks: int
    rotations: int
    weight_shifts: int
    scratch_bytes: int
    weights: np.ndarray  # [out_c, rotations, pass_rows, weight_shifts, window_chunks * 16] int8


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
    # The padding column after a row is the next row's left one, except for width 1 (each tap
    # of a window must be a byte of its own): dw_plane_pitch in the C.
    pitch_row = g.out_w + 1 if g.out_w > 1 else 3
    # 10 plane rows, the zero point after the last one (the last row's right padding), and
    # the 16-byte load of the band's last window.
    last_load_end = (BAND - 1) * pitch_row + g.out_w - 1 + 16
    pitch = max((BAND + 2) * pitch_row + 1, last_load_end)
    block = _channel_block(g.in_c, pitch, PLANES_SCRATCH_CAP)
    lanes = {(ky, kx): ky * pitch_row + kx for ky in range(3) for kx in range(3)}
    assert len(set(lanes.values())) == 9, "taps of a window share a byte"
    vectors = np.zeros((g.out_c, 1, 1, 16), np.int8)
    for (ky, kx), lane in lanes.items():
        vectors[..., lane] = w[ky, kx, :, None, None]
    return Layout(
        function=f"adrt_mve_depthwise_3x3s1_w{g.out_w}_s8",
        channel_pitch=pitch,
        channel_block=block,
        ring_rows=0,
        pass_rows=1,
        window_chunks=1,
        rotations=1,
        weight_shifts=PLANES_SHIFTS,
        scratch_bytes=block * pitch,
        weights=_shifted(vectors, PLANES_SHIFTS, 1),
    )


def _rows_plan(g: Geometry) -> tuple[str, int, int, int, int]:
    """(function, pass rows, ring rows, window chunks, weight shifts) of the rows layout: the
    specialized kernel whose compile-time geometry this layer has, else the general one."""
    for k in ROWS_KERNELS:
        if (g.kh, g.sw) != (k.kh, k.sw) or (k.pass_rows > 1 and g.dh != 1):
            continue
        ring = g.kh + (k.pass_rows - 1) * g.sh
        span = ((g.kw - 1) * g.dw + 1) * ring
        fits = span + (k.shifts - 1) * k.step <= 16 * k.chunks
        if g.sw * ring == k.step and -(-span // 16) == k.chunks and fits:
            return k.function, k.pass_rows, ring, k.chunks, k.shifts
    span = ((g.kw - 1) * g.dw + 1) * g.kh
    return GENERAL_ROWS, 1, g.kh, -(-span // 16), 1


def _rows(g: Geometry, w: np.ndarray) -> Layout | None:
    function, rows, ring, chunks, shifts = _rows_plan(g)
    cols = (g.out_w - 1) * g.sw + (g.kw - 1) * g.dw + 1
    pitch = cols * ring
    if pitch > MAX_LANE_STRIDE:
        return None
    step = g.sw * ring
    # Rolling ring (dilation_h 1): input row iy in slot iy % ring, a pass starting at input row
    # iy0 sees rotation iy0 % ring; passes advance rows * stride_h rows, so the rotations
    # repeat with this period. Else the pass stages its kernel_h rows in slots 0, 1, ...
    advance = rows * g.sh
    rotations = ring // math.gcd(ring, advance) if g.dh == 1 else 1
    # Lane t of a window: padded column t // ring of the window, ring slot t % ring.
    t = np.arange(chunks * 16)
    col, slot = t // ring, t % ring
    in_kernel = (col % g.dw == 0) & (col // g.dw < g.kw)
    kx = np.where(in_kernel, col // g.dw, 0)
    vectors = np.zeros((g.out_c, rotations, rows, chunks * 16), np.int8)
    for j in range(rotations):
        first = (j * advance - g.pad_h) % ring  # slot of the pass's first input row
        for row in range(rows):
            ky = (slot - first - row * g.sh) % ring if g.dh == 1 else slot
            tap = in_kernel & (ky < g.kh)
            values = w[np.where(tap, ky, 0), kx, :]
            vectors[:, j, row, :] = np.where(tap[:, None], values, 0).T
    block = _channel_block(g.in_c, pitch, ROWS_SCRATCH_CAP)
    # The last channel's loads, junk columns of a partial group included, reach this far.
    group = 8 // rows
    reach = (-(-g.out_w // group) * group - 1) * step + chunks * 16
    return Layout(
        function=function,
        channel_pitch=pitch,
        channel_block=block,
        ring_rows=ring,
        pass_rows=rows,
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
    if g.one_column():
        g, w = g.transposed(), w.transpose(1, 0, 2)
    layout = _planes(g, w) or _rows(g, w)
    if layout is None:
        return None
    dm = call.param("depth_multiplier")
    records = _records(call, layout, dm)
    params = [
        ("input", g.shape("input")),
        ("output", g.shape("output")),
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
        ("ring_rows", layout.ring_rows),
        ("pass_rows", layout.pass_rows),
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
