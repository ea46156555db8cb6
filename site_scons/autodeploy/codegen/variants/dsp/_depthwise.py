"""The call of adrt_dsp_depthwise_conv2d_s8 (firmware/runtime/src/dsp/depthwise.c).

Weights are widened to int16 at build time (a depthwise filter is small) and laid out per
depth multiplier m, per block of 4 input channels, per tap: channels 0 and 2, then 1 and 3 of
the block, the pairs SXTB16 makes of 4 input bytes. Channels are padded to a multiple of 4.
The kernel widens the input rows a window spans into a ring in scratch, a block of channels at
a time: as many channels as fit RING_BYTES (at least 4), so the ring stays small beside the
activations (KWS's arena is its two 8000-byte activations).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from autodeploy.codegen.kernel_call import CArray, CStruct, KernelCall
from autodeploy.codegen.variants.dsp._conv import GEOMETRY, quantization
from autodeploy.codegen.variants.dsp._requant import requant_records

#: Scratch the ring of widened input rows may take (more only for a block of 4 channels).
RING_BYTES = 512


def _by_multiplier(per_out: np.ndarray, in_c: int, dm: int) -> np.ndarray:
    """[..., in_c * dm] (output channel c * dm + m) -> [dm, ..., in_c padded to 4], zeros added."""
    v = np.moveaxis(per_out.reshape(*per_out.shape[:-1], in_c, dm), -1, 0)
    out = np.zeros((*v.shape[:-1], (in_c + 3) // 4 * 4), dtype=v.dtype)
    out[..., :in_c] = v
    return out


def pack_weights(w: np.ndarray, in_c: int, dm: int) -> np.ndarray:
    """w: [taps, in_c * dm] int8 -> int32 words [dm][in_c/4 blocks][taps][2]."""
    wm = _by_multiplier(w.astype(np.int16), in_c, dm)  # [dm, taps, padded]
    blocks = wm.reshape(dm, w.shape[0], -1, 4).transpose(0, 2, 1, 3)  # [dm, block, tap, 4]
    pairs = blocks[..., [0, 2, 1, 3]]  # halves: (0, 2), (1, 3)
    return np.ascontiguousarray(pairs).view("<i4").reshape(-1)


def depthwise_call(call: KernelCall, w: np.ndarray, dm: int) -> KernelCall | None:
    """`call` (a portable convolution: its geometry, quantization and kernel sums) as a DSP
    depthwise convolution with filter w [fh, fw, in_c * dm] (output channel c * dm + m reads
    input channel c); None if its accumulators are too large."""
    fh, fw, out_c = w.shape
    w = w.reshape(fh * fw, out_c)
    in_c = out_c // dm
    kernel_sum = np.asarray(call.param("kernel_sum").values, dtype=np.int64)

    def per_channel(values) -> np.ndarray:
        return _by_multiplier(np.asarray(values, dtype=np.int64), in_c, dm).reshape(-1)

    requant = requant_records(
        per_channel(call.param("multiplier").values),
        per_channel(call.param("shift").values),
        per_channel(kernel_sum),
        per_channel(np.abs(w.astype(np.int64)).sum(axis=0)),
        call.param("output_offset"),
    )
    if requant is None:
        return None
    g = _geometry(call, fh, fw)
    ring_rows = (g["filter_h"] - 1) * g["dilation_h"] + 1
    width = _padded_width(g)
    block = max(4, min((in_c + 3) // 4, RING_BYTES // (8 * ring_rows * width)) * 4)
    params = [
        *g.items(),
        ("depth_multiplier", dm),
        *quantization(call),
        ("block_channels", block),
        ("padded_width", width),
        ("weights", CArray("int32_t", pack_weights(w, in_c, dm))),
        ("kernel_sum", CArray("int32_t", per_channel(kernel_sum).astype(np.int32))),
        ("requant", CArray("int32_t", requant)),
    ]
    return dataclasses.replace(
        call,
        function="adrt_dsp_depthwise_conv2d_s8",
        params_type="adrt_dsp_depthwise_conv2d_params_t",
        params=params,
        inputs=(call.inputs[0],),
        kernel="dsp",
        # the ring, its row pointers
        scratch_bytes=2 * ring_rows * width * block + 4 * g["filter_h"],
    )


def _geometry(call: KernelCall, fh: int, fw: int) -> dict:
    """The kernel's shapes and geometry. A column image (width 1, filter width 1) is given as
    the row image it is in memory (NHWC: [n, h, 1, c] is [n, 1, h, c]), so the kernel's ring
    holds one long row rather than filter_h rows of one pixel."""
    g = {
        "input": call.param("input"),
        "output": call.param("output"),
        "filter_h": fh,
        "filter_w": fw,
        **{name: call.param(name) for name in GEOMETRY},
    }
    if dict(g["input"].fields)["w"] == 1 and fw == 1:
        for shape in ("input", "output"):
            d = dict(g[shape].fields)
            g[shape] = CStruct((("n", d["n"]), ("h", d["w"]), ("w", d["h"]), ("c", d["c"])))
        for name in ("filter", "stride", "dilation", "pad"):
            g[f"{name}_h"], g[f"{name}_w"] = g[f"{name}_w"], g[f"{name}_h"]
    return g


def _padded_width(g: dict) -> int:
    """Columns of a ring row: the left padding, the image, and the right padding the last
    output column's window reaches."""
    in_w, out_w = dict(g["input"].fields)["w"], dict(g["output"].fields)["w"]
    reach = (out_w - 1) * g["stride_w"] + (g["filter_w"] - 1) * g["dilation_w"] + 1
    return max(reach, g["pad_w"] + in_w)
