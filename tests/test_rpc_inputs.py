"""The board's seeded input generator and CRC-32 (firmware/rpc/src) and their host mirror
(autodeploy.rpc.inputs) agree bit for bit, and the mirror follows its documented algorithm."""

from __future__ import annotations

import subprocess
import zlib

import numpy as np
import pytest
from support.generated_program import CC, CFLAGS, REPO, workdir

from autodeploy.rpc.inputs import crc32, seeded_input, seeded_inputs

RPC = REPO / "firmware" / "rpc"
DTYPES = ["INT8", "UINT8", "INT16", "INT32", "FLOAT32", "INT64"]  # adrt_dtype_t order
MASK = (1 << 64) - 1

# Prints the generator's bytes for (seed, run, index, dtype, count), or the CRC-32 of stdin.
HARNESS = r"""
#include <stdio.h>
#include <stdlib.h>
#include "adrpc/crc.h"
#include "adrpc/seeded.h"

static uint8_t buf[1 << 20];

int main(int argc, char **argv) {
    if (argc == 2) {
        size_t n = fread(buf, 1, sizeof buf, stdin);
        printf("%u\n", (unsigned)adrpc_crc32(buf, (uint32_t)n));
        return 0;
    }
    uint32_t seed = (uint32_t)strtoul(argv[1], NULL, 0);
    uint32_t run = (uint32_t)strtoul(argv[2], NULL, 0);
    uint32_t index = (uint32_t)strtoul(argv[3], NULL, 0);
    uint32_t bytes = (uint32_t)strtoul(argv[5], NULL, 0);
    adrpc_seeded_fill(buf, bytes, (adrt_dtype_t)atoi(argv[4]), seed, run, index);
    fwrite(buf, 1, bytes, stdout);
    return 0;
}
"""


@pytest.fixture(scope="module")
def harness():
    src = workdir() / "seeded_harness.c"
    exe = workdir() / "seeded_harness"
    src.write_text(HARNESS)
    includes = [f"-I{RPC / 'include'}", f"-I{REPO / 'firmware' / 'runtime' / 'include'}"]
    sources = [str(src), str(RPC / "src" / "seeded.c"), str(RPC / "src" / "crc.c")]
    subprocess.run([CC, *CFLAGS, *includes, *sources, "-o", str(exe)], check=True)
    return exe


def _board_bytes(exe, seed, run, index, dtype, count) -> bytes:
    size = np.dtype(seeded_input(0, 0, 0, dtype, [1]).dtype).itemsize
    args = [str(v) for v in (seed, run, index, DTYPES.index(dtype), count * size)]
    return subprocess.run([str(exe), *args], capture_output=True, check=True).stdout


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "seed,run,index", [(0, 0, 0), (1, 2, 3), (0xFFFFFFFF, 0xFFFFFFFF, 7), (12345, 99, 1)]
)
def test_board_and_host_generate_the_same_bytes(harness, dtype, seed, run, index):
    count = 1000
    expected = seeded_input(seed, run, index, dtype, [count]).tobytes()
    assert _board_bytes(harness, seed, run, index, dtype, count) == expected


def _scalar_reference(seed, run, index, dtype, count):
    """The algorithm as documented, one element at a time with Python integers."""
    key = (seed << 32) ^ (run << 8) ^ index
    out = []
    for j in range(count):
        z = (key + (j + 1) * 0x9E3779B97F4A7C15) & MASK
        z ^= z >> 30
        z = (z * 0xBF58476D1CE4E5B9) & MASK
        z ^= z >> 27
        z = (z * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        if dtype == "FLOAT32":
            out.append((z >> 40) / 2**24 * 2 - 1)
        else:
            bits = {"INT8": 8, "UINT8": 8, "INT16": 16, "INT32": 32, "INT64": 64}[dtype]
            top = z >> (64 - bits)
            signed = dtype != "UINT8"
            out.append(top - (1 << bits) if signed and top >= 1 << (bits - 1) else top)
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_mirror_follows_the_documented_algorithm(dtype):
    got = seeded_input(77, 5, 2, dtype, [3, 50])
    assert got.shape == (3, 50)
    assert got.ravel().tolist() == _scalar_reference(77, 5, 2, dtype, 150)


def test_values_cover_their_range_and_differ_per_seed_run_and_input():
    floats = seeded_input(3, 0, 0, "FLOAT32", [20000])
    assert floats.dtype == np.float32
    assert -1.0 <= floats.min() < -0.99 and 0.99 < floats.max() < 1.0
    ints = seeded_input(3, 0, 0, "INT8", [20000])
    assert ints.min() == -128 and ints.max() == 127

    class T:
        dtype, shape = "INT8", (64,)

    base = seeded_inputs(3, 0, [T, T])
    assert not np.array_equal(base[0], base[1])
    assert not np.array_equal(base[0], seeded_inputs(4, 0, [T])[0])
    assert not np.array_equal(base[0], seeded_inputs(3, 1, [T])[0])
    assert np.array_equal(base[1], seeded_inputs(3, 0, [T, T])[1])


@pytest.mark.parametrize("length", [0, 1, 3, 1000, 65537])
def test_board_crc32_is_zlib_crc32(harness, length):
    data = np.random.default_rng(length).integers(0, 256, length, dtype=np.uint8).tobytes()
    out = subprocess.run([str(harness), "crc"], input=data, capture_output=True, check=True)
    assert int(out.stdout) == zlib.crc32(data) == crc32(data)
    assert crc32(np.frombuffer(data, np.uint8)) == zlib.crc32(data)
