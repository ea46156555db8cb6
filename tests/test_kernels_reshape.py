"""RESHAPE / SQUEEZE / EXPAND_DIMS: bit-exact against LiteRT's reference kernels."""

from __future__ import annotations

import numpy as np

from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder


def _reshape(in_shape, out_shape, dtype="INT8", with_shape_tensor=True):
    b = ModelBuilder()
    q = dict(scale=0.05, zero_point=-128) if dtype == "INT8" else {}
    x = b.tensor(in_shape, dtype, **q)
    y = b.tensor(out_shape, dtype, **q)
    inputs = [x]
    if with_shape_tensor:
        inputs.append(b.const(np.array(out_shape, np.int32)))
    b.op("RESHAPE", inputs, [y], "ReshapeOptions", {"new_shape": list(out_shape)})
    return b.build([x], [y])


def _squeeze(in_shape, dims, out_shape):
    b = ModelBuilder()
    x = b.tensor(in_shape, "INT8", scale=0.5, zero_point=127)
    y = b.tensor(out_shape, "INT8", scale=0.5, zero_point=127)
    b.op("SQUEEZE", [x], [y], "SqueezeOptions", {"squeeze_dims": dims})
    return b.build([x], [y])


def _expand_dims(in_shape, axis, out_shape, dtype="INT8"):
    b = ModelBuilder()
    q = dict(scale=0.1, zero_point=3) if dtype == "INT8" else {}
    x = b.tensor(in_shape, dtype, **q)
    y = b.tensor(out_shape, dtype, **q)
    a = b.const(np.array([axis], np.int32))
    b.op("EXPAND_DIMS", [x, a], [y], "ExpandDimsOptions", {})
    return b.build([x], [y])


def test_reshape_family_bit_exact():
    cases = [
        ("reshape 4d->2d", _reshape([1, 7, 5, 3], [1, 105])),
        ("reshape 2d->4d", _reshape([2, 12], [2, 2, 3, 2])),
        ("reshape odd", _reshape([3, 1, 5], [15])),
        ("reshape 1 elem", _reshape([1, 1, 1, 1], [1])),
        ("reshape no shape tensor", _reshape([4, 6], [3, 8], with_shape_tensor=False)),
        ("reshape int32", _reshape([2, 3], [6], dtype="INT32")),
        ("reshape float", _reshape([2, 3, 2], [3, 4], dtype="FLOAT32")),
        ("squeeze all", _squeeze([1, 5, 1, 3], [], [5, 3])),
        ("squeeze some", _squeeze([1, 1, 1, 7], [1, 2], [1, 7])),
        ("squeeze negative", _squeeze([2, 1, 3, 1], [-1], [2, 1, 3])),
        ("expand_dims 0", _expand_dims([4, 3], 0, [1, 4, 3])),
        ("expand_dims -1", _expand_dims([4, 3], -1, [4, 3, 1])),
        ("expand_dims int32", _expand_dims([5], 1, [5, 1], dtype="INT32")),
    ]
    assert_bit_exact_many(cases, n_inputs=2)


def test_mobilenet_v3_shape_epilogue_chain():
    # The SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE pattern of mobilenet_v3 (its SHAPE output fed
    # in as an INT32 model input): int32 slice with shrink_axis, int32 pack with a constant, and a
    # reshape whose shape operand is computed at run time.
    b = ModelBuilder()
    x = b.tensor([1, 1, 1, 10], "INT8", scale=0.1, zero_point=-20)
    shape = b.tensor([4], "INT32")
    zero = b.const(np.array([0], np.int32))
    one = b.const(np.array([1], np.int32))
    batch = b.tensor([], "INT32")
    # (ModelBuilder.const turns 0-d arrays into shape [1]: np.ascontiguousarray is >= 1-d)
    ten = b.tensor([], "INT32", data=np.array(10, np.int32))
    new_shape = b.tensor([2], "INT32")
    y = b.tensor([1, 10], "INT8", scale=0.1, zero_point=-20)
    b.op(
        "STRIDED_SLICE",
        [shape, zero, one, one],
        [batch],
        "StridedSliceOptions",
        {"shrink_axis_mask": 1},
    )
    b.op("PACK", [batch, ten], [new_shape], "PackOptions", {"values_count": 2, "axis": 0})
    b.op("RESHAPE", [x, new_shape], [y], "ReshapeOptions", {})
    model = b.build([x, shape], [y, new_shape])
    rng = np.random.default_rng(3)
    sets = [
        [rng.integers(-128, 128, [1, 1, 1, 10]).astype(np.int8), np.array([1, 1, 1, 10], np.int32)]
        for _ in range(2)
    ]
    assert_bit_exact_many([("epilogue", model)], inputs={0: sets})
