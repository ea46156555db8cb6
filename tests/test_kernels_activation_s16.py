"""16-bit LOGISTIC, TANH, LEAKY_RELU and SOFTMAX (int16, zero point 0): bit-exact against LiteRT
BUILTIN_REF on every int16 input value (the element-wise ones) and on random and edge rows."""

from __future__ import annotations

import numpy as np
import pytest

from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder

ALL_INT16 = np.arange(-32768, 32768, dtype=np.int16)
Q15 = 1.0 / 32768


def unary_s16(opcode, shape, in_scale, out_scale, options_type=None, options=None):
    b = ModelBuilder()
    x = b.tensor(shape, "INT16", in_scale, 0)
    y = b.tensor(shape, "INT16", out_scale, 0)
    b.op(opcode, [x], [y], options_type, options)
    return b.build(inputs=[x], outputs=[y])


# Input scales: 2^-12 and 2^-11 (TFLite's power-of-two paths: LOGISTIC takes the first, TANH
# both), 2^-15 (a power of two off those paths), and general scales from tiny to beyond the
# table's +-10.7 range at the largest inputs.
SIGMOID_SCALES = [
    2.0**-12,
    2.0**-11,
    2.0**-15,
    1e-3,
    2.5e-4,
    3.3e-5,
    0.0421,
    1.5,
    2.0**-12 * 1.0004,
]


@pytest.mark.parametrize("opcode", ["LOGISTIC", "TANH"])
def test_sigmoid_every_input(opcode):
    cases, inputs = [], {}
    for scale in SIGMOID_SCALES:
        inputs[len(cases)] = [[ALL_INT16]]
        cases.append((f"{opcode}16 in {scale}", unary_s16(opcode, [65536], scale, Q15)))
    assert_bit_exact_many(cases, inputs=inputs)


def test_leaky_relu_every_input():
    cases, inputs = [], {}
    for alpha, si, so in [
        (0.2, 1e-3, 1e-3),
        (0.01, 3e-4, 1e-4),
        (-0.3, 1e-3, 2e-3),
        (1.5, 2e-4, 5e-4),
        (0.0, 0.01, 0.01),
        (0.5, Q15, 4 * Q15),
    ]:
        inputs[len(cases)] = [[ALL_INT16]]
        model = unary_s16("LEAKY_RELU", [65536], si, so, "LeakyReluOptions", {"alpha": alpha})
        cases.append((f"LEAKY_RELU16 alpha {alpha} {si}->{so}", model))
    assert_bit_exact_many(cases, inputs=inputs)


def _softmax(shape, in_scale, beta=1.0):
    return unary_s16("SOFTMAX", shape, in_scale, Q15, "SoftmaxOptions", {"beta": beta})


def test_softmax():
    rng = np.random.default_rng(8)
    cases, inputs = [], {}
    setups = [  # shape, input scale, beta
        ([1, 10], 1e-3, 1.0),
        ([4, 7], 3e-4, 1.0),
        ([2, 3, 12], 2e-3, 0.5),
        ([1, 1], 1e-3, 1.0),
        ([1, 1000], 1e-4, 1.0),
        ([3, 64], 5e-5, 2.0),
        ([2, 16], 0.05, 1.0),  # wide input range: most exps underflow to 0
        ([1, 33], 1e-6, 1.0),  # almost uniform rows
    ]
    for shape, scale, beta in setups:
        sets = [[rng.integers(-32768, 32768, shape).astype(np.int16)] for _ in range(3)]
        sets += [[np.full(shape, v, np.int16)] for v in (-32768, 0, 32767)]
        one_hot = np.full(shape, -32768, np.int16)
        one_hot[..., 0] = 32767
        sets.append([one_hot])
        sets.append([rng.integers(-40, 41, shape).astype(np.int16)])  # near-ties
        inputs[len(cases)] = sets
        cases.append((f"SOFTMAX16 {shape} {scale} beta {beta}", _softmax(shape, scale, beta)))
    assert_bit_exact_many(cases, inputs=inputs)


def test_softmax_every_difference():
    """Rows [x, 0] for every x: every entry and interpolation of the exp table, and sums over
    the whole reciprocal table's range."""
    pairs = np.stack([ALL_INT16, np.zeros_like(ALL_INT16)], axis=1)
    cases, inputs = [], {}
    for scale in (1e-3, 3.05e-5, 4e-4):
        inputs[len(cases)] = [[pairs]]
        cases.append((f"SOFTMAX16 pairs {scale}", _softmax(list(pairs.shape), scale)))
    assert_bit_exact_many(cases, inputs=inputs)


def test_int16_activation_refusals():
    for opcode, out_scale in (("LOGISTIC", 2.0**-14), ("TANH", 1e-4), ("SOFTMAX", 1.0 / 256)):
        model = unary_s16(opcode, [4], 1e-3, out_scale)
        sg = parse_model(model, "m").main
        with pytest.raises(Unsupported, match="1/32768"):
            lower_operator(sg.operators[0], sg)
