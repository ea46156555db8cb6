"""RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR: bit-exact against LiteRT's reference kernels."""

from __future__ import annotations

import numpy as np

from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder


def _resize(in_shape, out_hw, align=False, half=False, dtype="INT8", op="RESIZE_NEAREST_NEIGHBOR",
            out_q=None):  # fmt: skip
    b = ModelBuilder()
    q = dict(scale=0.04, zero_point=-128) if dtype == "INT8" else {}
    x = b.tensor(in_shape, dtype, **q)
    n, _, _, c = in_shape
    y = b.tensor([n, *out_hw, c], dtype, **(out_q or q))
    size = b.const(np.array(out_hw, np.int32))
    opts = {"align_corners": align, "half_pixel_centers": half}
    options = (
        "ResizeNearestNeighborOptions"
        if op == "RESIZE_NEAREST_NEIGHBOR"
        else "ResizeBilinearOptions"
    )
    b.op(op, [x, size], [y], options, opts)
    return b.build([x], [y])


SIZES = [
    ([1, 4, 4, 3], [8, 8]),
    ([1, 3, 5, 2], [7, 4]),
    ([2, 5, 3, 1], [2, 9]),
    ([1, 7, 7, 4], [3, 3]),
    ([1, 1, 1, 5], [3, 4]),
    ([1, 6, 4, 1], [1, 1]),
    ([1, 10, 13, 2], [31, 17]),
    ([1, 3, 3, 3], [3, 3]),
]


def test_resize_nearest_bit_exact():
    cases = []
    for align, half in [(False, False), (True, False), (False, True), (True, True)]:
        for in_shape, out_hw in SIZES:
            cases.append(
                (
                    f"{in_shape}->{out_hw} align={align} half={half}",
                    _resize(in_shape, out_hw, align, half),
                )
            )
    cases += [
        ("int32", _resize([1, 3, 2, 2], [5, 5], dtype="INT32")),
        ("float half", _resize([1, 2, 3, 1], [4, 7], half=True, dtype="FLOAT32")),
    ]
    assert_bit_exact_many(cases, n_inputs=2)


def test_resize_bilinear_bit_exact():
    cases = []
    for align, half in [(False, False), (True, False), (False, True)]:
        for in_shape, out_hw in SIZES + [([1, 2, 2, 3], [64, 5]), ([1, 9, 1, 2], [4, 1])]:
            cases.append(
                (
                    f"bilinear {in_shape}->{out_hw} align={align} half={half}",
                    _resize(in_shape, out_hw, align, half, op="RESIZE_BILINEAR"),
                )
            )
    # LiteRT interpolates the raw values and ignores a different output quantization.
    cases.append(
        (
            "bilinear other output quantization",
            _resize(
                [1, 3, 4, 2], [5, 7], op="RESIZE_BILINEAR", out_q=dict(scale=0.5, zero_point=3)
            ),
        )
    )
    assert_bit_exact_many(cases, n_inputs=3)
