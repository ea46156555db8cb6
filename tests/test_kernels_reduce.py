"""MEAN (int8): bit-exact against LiteRT BUILTIN_REF."""

from __future__ import annotations

import numpy as np
import pytest

from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder


def mean_model(shape, axes, keep, in_q, out_q, op="MEAN"):
    """A MEAN (or another reducer: SUM, REDUCE_MAX) over `axes`."""
    b = ModelBuilder()
    x = b.tensor(shape, "INT8", *in_q)
    norm = {a % len(shape) for a in axes}
    if keep:
        oshape = [1 if i in norm else d for i, d in enumerate(shape)]
    else:
        oshape = [d for i, d in enumerate(shape) if i not in norm]
    a = b.const(np.array(axes, np.int32))
    y = b.tensor(oshape, "INT8", *out_q)
    b.op(op, [x, a], [y], "ReducerOptions", {"keep_dims": keep})
    return b.build([x], [y])


QUANTS = [
    ((0.05, 3), (0.05, 3)),  # same quantization
    ((0.05, 3), (0.02, -10)),
    ((0.1, -128), (0.03, 127)),
    ((0.01, 127), (0.5, -128)),
    ((0.2, 0), (0.0015, 0)),
]

LAYOUTS = [
    ((1, 5, 6, 8), [1, 2]),
    ((2, 5, 6, 8), [2, 1]),
    ((1, 56, 56, 16), [1, 2]),  # mobilenet_v3_small
    ((1, 7, 7, 432), [1, 2]),  # mobilenet_v3_small, > one channel chunk
    ((1, 1, 200, 24), [1, 2]),  # heartkit_arrhythmia
    ((1, 1, 25, 96), [1, 2]),  # heartkit_arrhythmia (also keep_dims false)
    ((2, 5, 6, 8), [3]),
    ((2, 5, 6, 8), [-1]),
    ((2, 5, 6, 8), [1]),
    ((2, 4, 6, 3), [0, 1, 2]),
    ((3, 7), [1]),
    ((3, 7), [0]),
    ((9,), [0]),
    ((1, 1, 1, 5), [1, 2]),
    ((2, 3, 1, 4), [1, 2]),
]


@pytest.mark.parametrize("keep", [True, False])
def test_mean(keep):
    cases = []
    for shape, axes in LAYOUTS:
        for in_q, out_q in QUANTS:
            name = f"mean {shape} axes {axes} keep={keep} {in_q}->{out_q}"
            cases.append((name, mean_model(shape, axes, keep, in_q, out_q)))
    assert_bit_exact_many(cases, n_inputs=2, seed=20 + keep)


def test_mean_rejects_non_adjacent_axes():
    model = mean_model((2, 3, 4, 5), [1, 3], True, (0.1, 0), (0.1, 0))
    sg = parse_model(model, "m").main
    with pytest.raises(Unsupported, match="non-adjacent"):
        lower_operator(sg.operators[0], sg)


# -- Helium variant (firmware/runtime/src/mve/reduce.c) -----------------------------------------

# (shape, axes): reduced rows of 1..17 and 33 contiguous values (inner extent 1), 1..17 inner
# lanes, inner extents over one 64-lane chunk, and exactly 256 / more than 256 reduced rows
# (int16 sums widened mid-way).
VECTOR_LAYOUTS = [
    *[((3, n), [1]) for n in [*range(1, 18), 33]],
    *[((1, 3, 5, c), [1, 2]) for c in range(1, 18)],
    ((1, 4, 5, 100), [1, 2]),
    ((1, 3, 3, 600), [1, 2]),
    ((1, 16, 16, 24), [1, 2]),
    ((1, 17, 17, 9), [1, 2]),
    ((2, 300, 5), [1]),
]


def test_vector_mean_edge_cases():
    named, inputs = [], {}
    quants = [*QUANTS, ((0.003, -128), (0.5, 127)), ((1.5, 127), (0.001, -128))]
    for k, (shape, axes) in enumerate(VECTOR_LAYOUTS):
        in_q, out_q = quants[k % len(quants)]
        rng = np.random.default_rng(k)
        sets = [np.full(shape, -128), np.full(shape, 127), rng.integers(-128, 128, shape)]
        inputs[len(named)] = [[s.astype(np.int8)] for s in sets]
        name = f"mean vector {shape} axes {axes} {in_q}->{out_q}"
        named.append((name, mean_model(shape, axes, True, in_q, out_q)))
    assert_bit_exact_many(named, inputs=inputs)
