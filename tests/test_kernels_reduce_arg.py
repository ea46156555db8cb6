"""SUM, REDUCE_MAX, ARG_MAX and ARG_MIN (int8 input): bit-exact against LiteRT BUILTIN_REF, and
SUM against TFLM: LiteRT 2.3's reference int8 SUM returns values unrelated to the input (TFLM's
are the float sums, rounded)."""

from __future__ import annotations

import numpy as np
import pytest

from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many, random_inputs, tflm_reference
from tests.support.tflite_builder import ModelBuilder
from tests.test_kernels_reduce import mean_model


def _arg(op, shape, axis, out_type="INT32", axis_dtype=np.int32):
    b = ModelBuilder()
    x = b.tensor(shape, "INT8", 0.1, 3)
    a = b.const(np.array([axis], axis_dtype))
    y = b.tensor([d for i, d in enumerate(shape) if i != axis % len(shape)], out_type)
    options = "ArgMaxOptions" if op == "ARG_MAX" else "ArgMinOptions"
    b.op(op, [x, a], [y], options, {"output_type": out_type})
    return b.build([x], [y])


LAYOUTS = [
    ((1, 5, 6, 8), [1, 2]),
    ((2, 5, 6, 8), [2, 1]),
    ((1, 7, 7, 100), [1, 2]),  # more channels than one accumulator chunk
    ((2, 5, 6, 8), [-1]),
    ((2, 5, 6, 8), [0]),
    ((2, 4, 6, 3), [0, 1, 2]),
    ((3, 7), [1]),
    ((9,), [0]),
    ((2, 3, 1, 4), [1, 2]),
    ((1, 1, 300, 2), [2]),
]

# (input, output) quantization: equal, sums scaled down, scales that saturate, zero points at
# the extremes, an output scale smaller than the input's (left-shifting multiplier).
SUM_QUANTS = [
    ((0.05, 3), (0.05, 3)),
    ((0.02, -10), (0.4, 5)),
    ((0.1, -128), (2.0, 127)),
    ((0.01, 127), (0.3, -128)),
    ((0.2, 0), (0.05, 0)),
]


def test_sum_bit_exact():
    cases = []
    for keep in (True, False):
        for shape, axes in LAYOUTS:
            for k, (in_q, out_q) in enumerate(SUM_QUANTS):
                if (k + len(shape) + keep) % 2:  # half the combinations
                    cases.append(
                        (f"sum {shape} {axes} keep={keep} {in_q}->{out_q}",
                         mean_model(shape, axes, keep, in_q, out_q, "SUM"))
                    )  # fmt: skip
    assert_bit_exact_many(cases, n_inputs=2, seed=11, reference=tflm_reference)


def test_reduce_max_and_arg_bit_exact():
    q = ((0.05, -4), (0.05, -4))
    cases = [
        (f"max {shape} {axes} keep={keep}", mean_model(shape, axes, keep, *q, "REDUCE_MAX"))
        for shape, axes in LAYOUTS
        for keep in (True, False)
    ]
    arg_cases = []
    for op in ("ARG_MAX", "ARG_MIN"):
        arg_cases += [
            (f"{op} last axis", _arg(op, [2, 10], 1)),
            (f"{op} channels int64", _arg(op, [1, 3, 4, 12], 3, "INT64")),
            (f"{op} axis 1 of 4-d", _arg(op, [2, 5, 3, 4], 1)),
            (f"{op} axis 0", _arg(op, [7, 3], 0, axis_dtype=np.int64)),
            (f"{op} negative axis", _arg(op, [3, 4, 5], -2, "INT64")),
            (f"{op} 1-d", _arg(op, [300], 0)),
            (f"{op} size-1 axis", _arg(op, [4, 1, 3], 1)),
        ]
    # Ties: few distinct values (and all equal), so the first of equal extremes must win.
    rng = np.random.default_rng(5)
    inputs = {}
    for k, (_, model) in enumerate(arg_cases):
        sets = random_inputs(model, 2, 70 + k)
        sets.append([rng.integers(-2, 2, sets[0][0].shape, endpoint=True).astype(np.int8)])
        sets.append([np.full(sets[0][0].shape, -128, np.int8)])
        inputs[len(cases) + k] = sets
    assert_bit_exact_many(cases + arg_cases, n_inputs=2, seed=12, inputs=inputs)


@pytest.mark.parametrize(
    "model, detail",
    [
        (mean_model((2, 3, 4, 5), [1, 3], True, (0.1, 0), (0.1, 0), "SUM"), "non-adjacent"),
        (
            mean_model((2, 3), [1], False, (0.1, 0), (0.2, 0), "REDUCE_MAX"),
            "different input and output quantization",
        ),
    ],
)
def test_reductions_unsupported(model, detail):
    sg = parse_model(model, "<reduce>").main
    with pytest.raises(Unsupported, match=detail):
        lower_operator(sg.operators[0], sg)


def test_litert_reference_sum_is_why_sum_is_checked_against_tflm():
    from tests.support.native_harness import litert_reference

    model = mean_model((3, 7), [1], True, (0.02, -10), (0.4, 5), "SUM")
    x = np.arange(-10, 11, dtype=np.int8).reshape(3, 7)
    tflm = tflm_reference(model, [[x]])[0][0]
    # the float sum: (x - zp_in) * scale_in / scale_out + zp_out, rounded
    expected = np.round((x.astype(int) + 10).sum(axis=1, keepdims=True) * 0.02 / 0.4) + 5
    assert np.array_equal(tflm, expected)
    assert not np.array_equal(litert_reference(model, [[x]])[0][0], tflm), (
        "LiteRT's reference SUM now agrees with TFLM: check SUM against LiteRT again"
    )
