"""SOFTMAX, LOGISTIC, TANH (int8): bit-exact against LiteRT BUILTIN_REF."""

from __future__ import annotations

import numpy as np

from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder

IN_QUANTS = [(0.05, 3), (0.1, -128), (0.02, 127), (0.2, 0), (0.0078125, -1), (0.5, 10), (1e-3, 0)]


def unary_model(opcode, shape, in_q, out_q, options_type=None, options=None):
    b = ModelBuilder()
    x = b.tensor(shape, "INT8", *in_q)
    y = b.tensor(shape, "INT8", *out_q)
    b.op(opcode, [x], [y], options_type, options)
    return b.build([x], [y])


def all_int8(shape):
    """One input set holding every int8 value (repeated to fill `shape`)."""
    n = int(np.prod(shape))
    return [[np.resize(np.arange(-128, 128, dtype=np.int8), n).reshape(shape)]]


def test_logistic_and_tanh():
    cases, inputs = [], {}
    for opcode, out_q in (("LOGISTIC", (1 / 256, -128)), ("TANH", (1 / 128, 0))):
        for in_q in IN_QUANTS:
            inputs[len(cases)] = all_int8((1, 256))
            cases.append(
                (f"{opcode} in{in_q} all values", unary_model(opcode, (1, 256), in_q, out_q))
            )
        for shape in [(1,), (3, 5, 7), (2, 1, 1, 9)]:
            cases.append((f"{opcode} {shape}", unary_model(opcode, shape, (0.06, -4), out_q)))
    assert_bit_exact_many(cases, n_inputs=2, seed=30, inputs=inputs)


def test_softmax():
    cases, inputs = [], {}
    k = 0
    for in_q in IN_QUANTS:
        for beta in (1.0, 0.5, 2.7):
            for shape in [(1, 10), (3, 7), (2, 2, 5), (1, 1000), (4, 1), (1, 2)]:
                if shape == (1, 1000) and in_q[0] * beta < 0.02:
                    continue  # LiteRT aborts on wide rows of tiny logits (its limitation)
                k += 1
                name = f"softmax {shape} in{in_q} beta {beta}"
                model = unary_model(
                    "SOFTMAX", shape, in_q, (1 / 256, -128), "SoftmaxOptions", {"beta": beta}
                )
                cases.append((name, model))
    # A dominant logit (all others at the minimum): probability 1.0 must saturate at 127.
    x = np.full((2, 6), -128, np.int8)
    x[0, 3] = 127
    x[1, :] = 127
    for in_q in [(0.5, 0), (0.05, 0)]:
        inputs[len(cases)] = [[x]]
        model = unary_model(
            "SOFTMAX", (2, 6), in_q, (1 / 256, -128), "SoftmaxOptions", {"beta": 1.0}
        )
        cases.append((f"softmax saturating {in_q}", model))
    assert_bit_exact_many(cases, n_inputs=3, seed=31, inputs=inputs)
