"""16-bit AVERAGE_POOL_2D, MAX_POOL_2D and MEAN (int16, zero point 0): bit-exact against LiteRT
BUILTIN_REF, with saturating inputs and sums near the int32 limit."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from autodeploy.codegen.lower.registry import lower_operator
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder
from tests.test_kernels_pooling import out_dim

ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]


def pool_s16(opcode, shape, filt, stride, padding, act, scale):
    b = ModelBuilder()
    n, h, w, c = shape
    oh, ow = out_dim(padding, h, filt[0], stride[0]), out_dim(padding, w, filt[1], stride[1])
    x = b.tensor(shape, "INT16", scale, 0)
    y = b.tensor([n, oh, ow, c], "INT16", scale, 0)
    opts = {
        "padding": padding,
        "stride_h": stride[0],
        "stride_w": stride[1],
        "filter_height": filt[0],
        "filter_width": filt[1],
        "fused_activation_function": act,
    }
    b.op(opcode, [x], [y], "Pool2DOptions", opts)
    return b.build([x], [y])


GEOMS = [
    ((1, 8, 8, 3), (2, 2), (2, 2), "VALID"),
    ((1, 7, 9, 5), (3, 3), (2, 2), "SAME"),
    ((2, 5, 5, 1), (3, 2), (1, 2), "SAME"),
    ((1, 6, 6, 70), (6, 6), (1, 1), "VALID"),  # global, > one channel chunk
    ((1, 4, 13, 2), (4, 5), (3, 1), "SAME"),
    ((1, 70, 70, 2), (70, 70), (1, 1), "VALID"),  # 4900 taps: divides instead of a reciprocal
]


def _edge_sets(shape, rng):
    return [[np.full(shape, v, np.int16)] for v in (-32768, 32767)] + [
        [rng.integers(-32768, 32768, shape).astype(np.int16)] for _ in range(3)
    ]


@pytest.mark.parametrize("opcode", ["MAX_POOL_2D", "AVERAGE_POOL_2D"])
def test_pool_s16(opcode):
    rng = np.random.default_rng(2)
    cases, inputs = [], {}
    for (shape, filt, stride, pad), act in itertools.product(GEOMS, ACTS):
        scale = 1e-3 if act == "NONE" else 2e-4
        inputs[len(cases)] = _edge_sets(shape, rng)
        name = f"{opcode}16 {shape} f{filt} s{stride} {pad} {act}"
        cases.append((name, pool_s16(opcode, shape, filt, stride, pad, act, scale)))
    assert_bit_exact_many(cases, inputs=inputs)


def test_average_pool_s16_uses_reciprocals_up_to_4096_taps():
    for filt, has_table in (((64, 64), True), ((70, 70), False)):
        model = pool_s16("AVERAGE_POOL_2D", (1, 70, 70, 1), filt, (1, 1), "VALID", "NONE", 0.01)
        sg = parse_model(model, "m").main
        recip = lower_operator(sg.operators[0], sg).param("recip")
        assert (recip != "NULL") == has_table


def mean_s16(shape, axes, keep, in_scale, out_scale):
    b = ModelBuilder()
    x = b.tensor(shape, "INT16", in_scale, 0)
    norm = {a % len(shape) for a in axes}
    if keep:
        oshape = [1 if i in norm else d for i, d in enumerate(shape)]
    else:
        oshape = [d for i, d in enumerate(shape) if i not in norm]
    a = b.const(np.array(axes, np.int32))
    y = b.tensor(oshape, "INT16", out_scale, 0)
    b.op("MEAN", [x, a], [y], "ReducerOptions", {"keep_dims": keep})
    return b.build([x], [y])


MEAN_LAYOUTS = [
    ((1, 5, 6, 8), [1, 2]),
    ((2, 5, 6, 8), [2, 1]),
    ((1, 7, 7, 100), [1, 2]),  # > one channel chunk
    ((1, 1, 200, 24), [1, 2]),
    ((2, 5, 6, 8), [-1]),
    ((2, 4, 6, 3), [0, 1, 2]),
    ((3, 7), [0]),
    ((1, 256, 256, 1), [1, 2]),  # 65536 values: the largest int32 sum
]
MEAN_SCALES = [(1e-3, 1e-3), (3e-4, 1e-4), (1e-4, 5e-3), (2.0**-12, 2.0**-15)]


@pytest.mark.parametrize("keep", [True, False])
def test_mean_s16(keep):
    rng = np.random.default_rng(6)
    cases, inputs = [], {}
    for k, (shape, axes) in enumerate(MEAN_LAYOUTS):
        for in_s, out_s in MEAN_SCALES[: 1 if k == len(MEAN_LAYOUTS) - 1 else 4]:
            inputs[len(cases)] = _edge_sets(shape, rng)
            name = f"MEAN16 {shape} axes {axes} keep={keep} {in_s}->{out_s}"
            cases.append((name, mean_s16(shape, axes, keep, in_s, out_s)))
    assert_bit_exact_many(cases, inputs=inputs)
