"""BATCH_MATMUL (int8): bit-exact against LiteRT BUILTIN_REF."""

from __future__ import annotations

import numpy as np
import pytest

from autodeploy.analysis.macs import estimate_macs
from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder


def _matmul(lhs_shape, rhs_shape, adj_x=False, adj_y=False, q=((0.05, 3), (0.04, -7), (0.3, 1)),
            const_rhs=False):  # fmt: skip
    b = ModelBuilder()
    (sl, zl), (sr, zr), (so, zo) = q
    x = b.tensor(lhs_shape, "INT8", sl, zl)
    if const_rhs:
        values = np.random.default_rng(len(rhs_shape)).integers(-128, 128, rhs_shape)
        w = b.const(values.astype(np.int8), scale=sr, zero_point=zr)
    else:
        w = b.tensor(rhs_shape, "INT8", sr, zr)
    a = list(lhs_shape)
    c = list(rhs_shape)
    if adj_x:
        a[-1], a[-2] = a[-2], a[-1]
    if adj_y:
        c[-1], c[-2] = c[-2], c[-1]
    batch = np.broadcast_shapes(tuple(a[:-2]), tuple(c[:-2]))
    y = b.tensor([*batch, a[-2], c[-1]], "INT8", so, zo)
    b.op("BATCH_MATMUL", [x, w], [y], "BatchMatMulOptions", {"adj_x": adj_x, "adj_y": adj_y})
    return b.build([x] if const_rhs else [x, w], [y])


def test_batch_matmul_bit_exact():
    cases = [
        ("2-d", _matmul([3, 5], [5, 4])),
        ("batched 3-d", _matmul([2, 3, 6], [2, 6, 5])),
        ("adj_x", _matmul([2, 6, 3], [2, 6, 5], adj_x=True)),
        ("adj_y", _matmul([2, 3, 6], [2, 5, 6], adj_y=True)),
        ("adj_x adj_y", _matmul([1, 7, 4], [1, 2, 7], adj_x=True, adj_y=True)),
        ("rhs broadcast", _matmul([4, 3, 5], [5, 2])),
        ("lhs broadcast", _matmul([3, 5], [3, 5, 2])),
        ("4-d both broadcast", _matmul([2, 1, 3, 4], [1, 3, 4, 2])),
        ("5-d", _matmul([2, 1, 2, 3, 4], [1, 2, 2, 4, 3])),
        ("rhs [.., 1, K, N]", _matmul([2, 3, 4, 5], [2, 1, 5, 3])),
        ("attention q k^T", _matmul([1, 2, 8, 16], [1, 2, 8, 16], adj_y=True)),
        ("vector", _matmul([1, 32], [32, 1])),
        ("constant rhs", _matmul([1, 4, 10], [10, 6], const_rhs=True)),
        (
            "zero points at the ends",
            _matmul([2, 4, 9], [9, 3], q=((0.02, 127), (0.03, -128), (0.5, -128))),
        ),
        ("scale up", _matmul([3, 3], [3, 3], q=((0.5, 0), (0.5, 0), (0.01, 0)))),
        ("long depth", _matmul([2, 600], [600, 3], q=((0.01, -1), (0.01, 2), (0.2, 0)))),
    ]
    assert_bit_exact_many(cases, n_inputs=3)


def test_batch_matmul_unsupported():
    b = ModelBuilder()
    x = b.tensor([2, 3], "INT8", 0.1, 0)
    w = b.const(
        np.ones((3, 4), np.int8), scale=[0.1] * 4, zero_point=[0] * 4, quantized_dimension=1
    )
    y = b.tensor([2, 4], "INT8", 0.1, 0)
    b.op("BATCH_MATMUL", [x, w], [y], "BatchMatMulOptions", {})
    sg = parse_model(b.build([x], [y]), "<bmm>").main
    with pytest.raises(Unsupported, match="quantized per channel"):
        lower_operator(sg.operators[0], sg)


@pytest.mark.parametrize(
    "model, macs",
    [
        (_matmul([3, 5], [5, 4]), 3 * 4 * 5),
        (_matmul([2, 6, 3], [2, 6, 5], adj_x=True), 2 * 3 * 5 * 6),
        (_matmul([2, 1, 3, 4], [1, 3, 4, 2]), 2 * 3 * 3 * 2 * 4),  # broadcast batch 2x3
        (_matmul([1, 2, 8, 16], [1, 2, 8, 16], adj_y=True), 2 * 8 * 8 * 16),
    ],
)
def test_batch_matmul_macs(model, macs):
    sg = parse_model(model, "<bmm>").main
    assert estimate_macs(sg.operators[0], sg).macs == macs
