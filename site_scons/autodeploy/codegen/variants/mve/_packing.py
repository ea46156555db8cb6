"""Build-time packing shared by the Helium CONV_2D and FULLY_CONNECTED variants.

The kernels (firmware/runtime/src/mve/mve_matmul.h) take output channels two at a time and the
depth sixteen at a time, and requantize four channels at a time; this module lays weights and
per-channel parameters out in that order, padded with zeros so tails need no special case in the
inner loops.
"""

from __future__ import annotations

import numpy as np

from autodeploy.codegen.kernel_call import CArray, KernelCall

#: Output channels per weight group: a pair.
GROUP = 2
#: int8 lanes per vector: the depth is packed in blocks of this many.
BLOCK = 16
#: int32 lanes of one packed parameter vector.
LANES = 4


def _round_up(n: int, multiple: int) -> int:
    return -(-n // multiple) * multiple


def row_bytes(depth: int) -> int:
    """Bytes of one staged input row: the depth in whole blocks."""
    return _round_up(depth, BLOCK)


def pack_weights(weights: np.ndarray, channel_multiple: int = GROUP) -> CArray:
    """[out_c, depth] int8 -> [pairs][ceil(depth / 16)][2][16], zero padded (channels up to a
    multiple of `channel_multiple`)."""
    out_c, depth = weights.shape
    blocks = -(-depth // BLOCK)
    padded = np.zeros((_round_up(out_c, channel_multiple), blocks * BLOCK), np.int8)
    padded[:out_c, :depth] = weights
    packed = padded.reshape(-1, GROUP, blocks, BLOCK).transpose(0, 2, 1, 3)
    return CArray("int8_t", np.ascontiguousarray(packed).reshape(-1))


def pack_lanes(*columns: np.ndarray) -> CArray:
    """Per-channel int32 columns -> per four channels, a 4-lane vector of each column in turn
    ([ceil(out_c / 4)][len(columns)][4]); lanes past the last channel are 0."""
    out_c = len(columns[0])
    table = np.zeros((len(columns), _round_up(out_c, LANES)), np.int64)
    for k, column in enumerate(columns):
        table[k, :out_c] = column
    table = table.reshape(len(columns), -1, LANES).transpose(1, 0, 2)
    return CArray("int32_t", tuple(int(v) for v in table.reshape(-1)))


def per_channel(call: KernelCall, name: str, channels: int) -> np.ndarray:
    """A per-channel int32 parameter of the portable call, repeated when it has one value."""
    values = np.asarray(call.param(name).values, np.int64)
    return np.broadcast_to(values, (channels,)) if values.size == 1 else values
