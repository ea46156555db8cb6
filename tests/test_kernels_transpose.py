"""TRANSPOSE: bit-exact against LiteRT's reference kernels."""

from __future__ import annotations

import itertools

import numpy as np

from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder


def _transpose(in_shape, perm, dtype="INT8"):
    b = ModelBuilder()
    q = dict(scale=0.03, zero_point=-128) if dtype == "INT8" else {}
    x = b.tensor(in_shape, dtype, **q)
    y = b.tensor([in_shape[p] for p in perm], dtype, **q)
    p = b.const(np.array(perm, np.int32))
    b.op("TRANSPOSE", [x, p], [y], "TransposeOptions", {})
    return b.build([x], [y])


def test_transpose_bit_exact():
    cases = [
        (f"4d {perm}", _transpose([2, 3, 4, 5], list(perm)))
        for perm in itertools.permutations(range(4))
    ]
    cases += [
        ("2d", _transpose([7, 3], [1, 0])),
        ("3d", _transpose([3, 1, 5], [2, 0, 1])),
        ("3d odd", _transpose([5, 7, 3], [1, 2, 0])),
        ("nhwc->nchw 1-sized", _transpose([1, 1, 9, 3], [0, 3, 1, 2])),
        ("5d", _transpose([2, 3, 1, 4, 3], [4, 1, 0, 3, 2])),
        ("5d mergeable", _transpose([2, 3, 4, 5, 2], [3, 4, 0, 1, 2])),
        ("6d", _transpose([2, 3, 2, 3, 2, 2], [5, 3, 1, 4, 2, 0])),
        ("identity", _transpose([3, 4, 5], [0, 1, 2])),
        ("int32", _transpose([3, 4, 2], [2, 0, 1], dtype="INT32")),
        ("float", _transpose([2, 5, 3], [1, 2, 0], dtype="FLOAT32")),
    ]
    assert_bit_exact_many(cases, n_inputs=2)
