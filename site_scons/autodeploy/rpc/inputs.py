"""Host mirror of the board's seeded input generator (firmware/rpc/src/seeded.c), bit for bit.

Element j of input i for run r and seed s:
    key = (s << 32) ^ (r << 8) ^ i                       (uint64)
    x   = mix(key + (j + 1) * 0x9E3779B97F4A7C15)        (uint64 wrap-around)
    mix(z): z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27; z *= 0x94D049BB133111EB;
            z ^= z >> 31                                 (splitmix64's finalizer)
INT8/UINT8 take the top 8 bits of x, INT16 the top 16, INT32 the top 32, INT64 all 64 (two's
complement), FLOAT32 = (x >> 40) / 2^24 * 2 - 1, exact in float32.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np

from autodeploy.codegen.generator import NP_DTYPES

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
# Right shift that leaves the top bits of x for each integer type.
_TOP_BITS_SHIFT = {"INT8": 56, "UINT8": 56, "INT16": 48, "INT32": 32, "INT64": 0}


class TensorLike(Protocol):
    dtype: str  # "INT8", "UINT8", "INT16", "INT32", "INT64" or "FLOAT32"
    shape: Sequence[int]


def _mix(z: np.ndarray) -> np.ndarray:
    z = z ^ (z >> np.uint64(30))
    z = z * _M1
    z = z ^ (z >> np.uint64(27))
    z = z * _M2
    return z ^ (z >> np.uint64(31))


def seeded_input(seed: int, run: int, index: int, dtype: str, shape: Sequence[int]) -> np.ndarray:
    """Input `index` of run `run` as the board's fill_inputs(seed, run) writes it."""
    count = int(np.prod(shape, dtype=np.int64))
    key = np.uint64(((seed & 0xFFFFFFFF) << 32) ^ ((run & 0xFFFFFFFF) << 8) ^ index)
    j = np.arange(1, count + 1, dtype=np.uint64)
    x = _mix(key + j * _GOLDEN)
    if dtype == "FLOAT32":
        unit = (x >> np.uint64(40)).astype(np.float32) / np.float32(1 << 24)
        values = unit * np.float32(2) - np.float32(1)
    elif dtype in _TOP_BITS_SHIFT:
        top = x >> np.uint64(_TOP_BITS_SHIFT[dtype])
        unsigned = np.dtype(NP_DTYPES[dtype]).str.replace("i", "u")
        values = top.astype(unsigned).view(NP_DTYPES[dtype])
    else:
        raise ValueError(
            f"seeded inputs support INT8, UINT8, INT16, INT32, INT64, FLOAT32; not {dtype}"
        )
    return values.reshape(tuple(shape))


def seeded_inputs(seed: int, run: int, tensors: Iterable[TensorLike]) -> list[np.ndarray]:
    """Every input of a model for one run, in input order."""
    return [seeded_input(seed, run, i, t.dtype, t.shape) for i, t in enumerate(tensors)]


def analysis_inputs(analysis: dict, seed: int, run: int) -> list[np.ndarray]:
    """seeded_inputs for the graph inputs a model analysis (model_analysis.json) describes."""
    return [
        seeded_input(seed, run, i, entry["dtype"], entry["shape"])
        for i, entry in enumerate(analysis["inputs"])
    ]


def crc32(data: bytes | np.ndarray) -> int:
    """CRC-32 as the board computes it (IEEE, as zlib): of an array's bytes in memory order."""
    raw = np.ascontiguousarray(data).tobytes() if isinstance(data, np.ndarray) else data
    return zlib.crc32(raw) & 0xFFFFFFFF
