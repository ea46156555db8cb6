"""SQUARED_DIFFERENCE, PRELU and RSQRT (int8): bit-exact against LiteRT BUILTIN_REF."""

from __future__ import annotations

import numpy as np
import pytest

from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder


def _sqdiff(shape1, shape2, q1, q2, qo):
    b = ModelBuilder()
    x1 = b.tensor(shape1, "INT8", *q1)
    x2 = b.tensor(shape2, "INT8", *q2)
    out = np.broadcast_shapes(tuple(shape1), tuple(shape2))
    y = b.tensor(out, "INT8", *qo)
    b.op("SQUARED_DIFFERENCE", [x1, x2], [y], "SquaredDifferenceOptions", {})
    return b.build([x1, x2], [y])


def _prelu(shape, alpha_shape, qx, qa, qy, const_alpha=True, seed=0):
    b = ModelBuilder()
    x = b.tensor(shape, "INT8", *qx)
    if const_alpha:
        values = np.random.default_rng(seed).integers(-128, 128, alpha_shape).astype(np.int8)
        a = b.const(values, scale=qa[0], zero_point=qa[1])
    else:
        a = b.tensor(alpha_shape, "INT8", *qa)
    y = b.tensor(shape, "INT8", *qy)
    b.op("PRELU", [x, a], [y])
    return b.build([x] if const_alpha else [x, a], [y])


def _rsqrt(n, qx, qy):
    b = ModelBuilder()
    x = b.tensor([n], "INT8", *qx)
    y = b.tensor([n], "INT8", *qy)
    b.op("RSQRT", [x], [y])
    return b.build([x], [y])


def test_squared_difference_and_prelu_bit_exact():
    cases = [
        (
            "sqdiff same shape",
            _sqdiff([1, 4, 5, 3], [1, 4, 5, 3], (0.05, 2), (0.05, 2), (0.1, -128)),
        ),
        (
            "sqdiff scales differ",
            _sqdiff([2, 3, 7], [2, 3, 7], (0.02, -5), (0.09, 10), (0.3, -100)),
        ),
        (
            "sqdiff zero points at the ends",
            _sqdiff([40], [40], (0.01, 127), (0.01, -128), (0.5, -128)),
        ),
        (
            "sqdiff broadcast channel",
            _sqdiff([1, 3, 3, 8], [8], (0.04, 0), (0.03, -3), (0.2, -120)),
        ),
        ("sqdiff broadcast scalar", _sqdiff([1], [2, 5, 2], (0.1, 1), (0.1, 1), (1.5, -128))),
        ("sqdiff both broadcast", _sqdiff([3, 1, 4], [1, 5, 1], (0.2, -1), (0.1, 4), (2.0, -127))),
        ("sqdiff saturating", _sqdiff([64], [64], (0.5, 0), (0.5, 0), (0.01, -128))),
        ("prelu channel alpha", _prelu([1, 4, 5, 6], [1, 1, 6], (0.05, -3), (0.01, 0), (0.04, 5))),
        ("prelu 1-d alpha", _prelu([2, 3, 3, 4], [4], (0.1, 10), (0.002, -20), (0.08, -2), seed=1)),
        ("prelu full alpha", _prelu([2, 3, 5], [2, 3, 5], (0.03, 0), (0.02, 7), (0.03, 0), seed=2)),
        ("prelu scalar alpha", _prelu([3, 7], [1], (0.2, -128), (0.004, 3), (0.1, 127), seed=3)),
        ("prelu positive scale up", _prelu([50], [50], (0.5, 1), (0.3, 0), (0.01, 0), seed=4)),
        ("prelu zp 127", _prelu([1, 2, 2, 3], [3], (0.01, 127), (0.01, -128), (0.02, 100), seed=5)),
        ("prelu alpha input", _prelu([2, 4, 3], [3], (0.05, 0), (0.01, -10), (0.05, 0), False)),
    ]
    assert_bit_exact_many(cases, n_inputs=3)


def test_rsqrt_bit_exact():
    # (input, output) quantization; inputs are every value at or above the input zero point
    # (below it the real input is negative and LiteRT fails the invoke).
    quants = [
        ((0.05, -128), (0.02, -128)),
        ((0.001, 0), (0.5, -100)),
        ((0.1, 50), (0.01, 0)),
        ((2.0, -20), (0.004, -128)),
        ((1e-4, 127), (1.0, 0)),
        ((0.3, -1), (0.1, 90)),
    ]
    cases, inputs = [], {}
    for k, (qx, qy) in enumerate(quants):
        valid = np.arange(qx[1], 128).astype(np.int8)
        cases.append((f"rsqrt {qx} -> {qy}", _rsqrt(valid.size, qx, qy)))
        inputs[k] = [[valid], [valid[::-1].copy()]]
    assert_bit_exact_many(cases, inputs=inputs)


def _prelu_per_channel_alpha():
    b = ModelBuilder()
    x = b.tensor([1, 2, 2, 3], "INT8", 0.1, 0)
    a = b.const(np.ones((1, 1, 3), np.int8), scale=[0.1, 0.2, 0.3], zero_point=[0, 0, 0],
                quantized_dimension=2)  # fmt: skip
    y = b.tensor([1, 2, 2, 3], "INT8", 0.1, 0)
    b.op("PRELU", [x, a], [y])
    return b.build([x], [y])


@pytest.mark.parametrize(
    "model, detail",
    [
        # 4 * max(input scale)^2 / (2^14 * output scale) >= 1: LiteRT aborts on it
        (_sqdiff([4], [4], (1.0, 0), (1.0, 0), (1e-5, 0)), "output multiplier"),
        # LiteRT's PRELU reads one alpha scale
        (_prelu_per_channel_alpha(), "alpha tensor .* is quantized per channel"),
    ],
)
def test_elementwise_ext_unsupported(model, detail):
    sg = parse_model(model, "<op>").main
    with pytest.raises(Unsupported, match=detail):
        lower_operator(sg.operators[0], sg)
