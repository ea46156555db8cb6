"""AVERAGE_POOL_2D / MAX_POOL_2D (int8): bit-exact against LiteRT BUILTIN_REF."""

from __future__ import annotations

import itertools

import numpy as np

from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder

ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]


def out_dim(padding, n, f, s):
    return (n + s - 1) // s if padding == "SAME" else (n - f + s) // s


def pool_model(opcode, shape, filt, stride, padding, act, scale=0.05, zp=0):
    b = ModelBuilder()
    n, h, w, c = shape
    oh, ow = out_dim(padding, h, filt[0], stride[0]), out_dim(padding, w, filt[1], stride[1])
    x = b.tensor(shape, "INT8", scale, zp)
    y = b.tensor([n, oh, ow, c], "INT8", scale, zp)
    b.op(
        opcode,
        [x],
        [y],
        "Pool2DOptions",
        {
            "padding": padding,
            "stride_h": stride[0],
            "stride_w": stride[1],
            "filter_height": filt[0],
            "filter_width": filt[1],
            "fused_activation_function": act,
        },
    )
    return b.build([x], [y])


def _cases(opcode):
    cases = []
    geoms = [
        ((1, 8, 8, 3), (2, 2), (2, 2), "VALID"),
        ((1, 7, 9, 5), (3, 3), (2, 2), "SAME"),
        ((2, 5, 5, 1), (3, 2), (1, 2), "SAME"),
        ((1, 6, 6, 70), (6, 6), (1, 1), "VALID"),  # global, > one channel chunk
        ((1, 1, 1, 4), (1, 1), (1, 1), "SAME"),
        ((1, 4, 13, 2), (4, 5), (3, 1), "SAME"),
        ((1, 10, 3, 8), (5, 3), (5, 1), "VALID"),
    ]
    quants = [(0.05, 0), (0.02, -128), (0.1, 127), (0.004, 5)]
    for (shape, filt, stride, pad), act in itertools.product(geoms, ACTS):
        for scale, zp in quants[: 2 if act != "NONE" else 4]:
            name = f"{opcode} {shape} f{filt} s{stride} {pad} {act} q({scale},{zp})"
            cases.append((name, pool_model(opcode, shape, filt, stride, pad, act, scale, zp)))
    return cases


def test_max_pool_2d():
    assert_bit_exact_many(_cases("MAX_POOL_2D"), n_inputs=3, seed=1)


def test_average_pool_2d():
    assert_bit_exact_many(_cases("AVERAGE_POOL_2D"), n_inputs=3, seed=2)


# -- Helium variants (firmware/runtime/src/mve/pooling.c) ---------------------------------------


def _end_inputs(shape, seed: int) -> list[list[np.ndarray]]:
    """All -128, all 127, alternating ends, then random values."""
    rng = np.random.default_rng(seed)
    alternating = np.where(np.arange(np.prod(shape)) % 2 == 0, -128, 127).reshape(shape)
    sets = [np.full(shape, -128), np.full(shape, 127), alternating]
    sets.append(rng.integers(-128, 128, shape))
    return [[s.astype(np.int8)] for s in sets]


# (shape, filter, stride, padding): channel counts 1..17, 33, 100 (vector tails, several
# channel chunks), windows of exactly 256 and of 257..625 taps (int16 sums widened mid-window;
# divisions by counts above 256), stride 2 with padding on every side.
VECTOR_GEOMS = [
    *[((1, 3, 4, c), (2, 3), (1, 1), "SAME") for c in range(1, 18)],
    ((1, 5, 5, 33), (3, 3), (2, 2), "SAME"),
    ((1, 6, 7, 100), (3, 2), (2, 2), "SAME"),
    ((1, 16, 16, 17), (16, 16), (1, 1), "VALID"),
    ((1, 16, 16, 64), (16, 16), (1, 1), "VALID"),
    ((1, 1, 257, 9), (1, 257), (1, 1), "VALID"),
    ((1, 25, 25, 40), (25, 25), (1, 1), "VALID"),
    ((2, 25, 5, 64), (25, 5), (1, 1), "VALID"),  # KWS's global pool, batch 2
    ((1, 9, 20, 3), (4, 18), (2, 3), "SAME"),
]


def test_vector_pooling_edge_cases():
    named, inputs = [], {}
    for opcode in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
        for k, (shape, filt, stride, pad) in enumerate(VECTOR_GEOMS):
            act = ACTS[k % len(ACTS)] if filt[0] * filt[1] < 256 else "NONE"
            scale, zp = [(0.05, -128), (0.02, 127), (0.1, 3)][k % 3]
            inputs[len(named)] = _end_inputs(shape, k)
            name = f"{opcode} vector {shape} f{filt} s{stride} {pad} {act}"
            named.append((name, pool_model(opcode, shape, filt, stride, pad, act, scale, zp)))
    assert_bit_exact_many(named, inputs=inputs)
