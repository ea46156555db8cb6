"""SPLIT, SPLIT_V, UNPACK, GATHER, DEPTH_TO_SPACE and SPACE_TO_DEPTH: bit-exact against LiteRT's
reference kernels; layers LiteRT refuses are refused by the lowering too."""

from __future__ import annotations

import numpy as np
import pytest

from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many, random_inputs
from tests.support.tflite_builder import ModelBuilder

Q = dict(scale=0.05, zero_point=-7)


def _q(dtype):
    return Q if dtype in ("INT8", "INT16") else {}


def _split(shape, axis, parts, dtype="INT8"):
    b = ModelBuilder()
    x = b.tensor(shape, dtype, **_q(dtype))
    out = list(shape)
    out[axis] //= parts
    ys = [b.tensor(out, dtype, **_q(dtype)) for _ in range(parts)]
    a = b.const(np.array([axis], np.int32))
    b.op("SPLIT", [a, x], ys, "SplitOptions", {"num_splits": parts})
    return b.build([x], ys)


def _split_v(shape, axis, sizes, dtype="INT8"):
    b = ModelBuilder()
    x = b.tensor(shape, dtype, **_q(dtype))
    resolved = list(sizes)
    if -1 in resolved:
        resolved[resolved.index(-1)] = shape[axis] - (sum(resolved) + 1)
    ys = []
    for size in resolved:
        out = list(shape)
        out[axis] = size
        ys.append(b.tensor(out, dtype, **_q(dtype)))
    s = b.const(np.array(sizes, np.int32))
    a = b.const(np.array(axis, np.int32))
    b.op("SPLIT_V", [x, s, a], ys, "SplitVOptions", {"num_splits": len(sizes)})
    return b.build([x], ys)


def _unpack(shape, axis, dtype="INT8"):
    b = ModelBuilder()
    x = b.tensor(shape, dtype, **_q(dtype))
    ax = axis % len(shape)
    out = [d for i, d in enumerate(shape) if i != ax]
    ys = [b.tensor(out, dtype, **_q(dtype)) for _ in range(shape[ax])]
    b.op("UNPACK", [x], ys, "UnpackOptions", {"num": shape[ax], "axis": axis})
    return b.build([x], ys)


def _gather(params_shape, indices, axis=0, batch_dims=0, dtype="INT8", index_dtype=np.int32,
            const_params=False, const_indices=True):  # fmt: skip
    b = ModelBuilder()
    rng = np.random.default_rng(len(params_shape) * 7 + axis)
    indices = np.asarray(indices, index_dtype)
    if const_params:
        data = rng.integers(-128, 128, params_shape).astype(np.int8)
        p = b.const(data, **_q(dtype))
    else:
        p = b.tensor(params_shape, dtype, **_q(dtype))
    i = b.const(indices) if const_indices else b.tensor(indices.shape, "INT32")
    ax = axis % len(params_shape)
    bd = batch_dims % max(indices.ndim, 1) if batch_dims < 0 else batch_dims
    out = list(params_shape[:ax]) + list(indices.shape[bd:]) + list(params_shape[ax + 1 :])
    y = b.tensor(out, dtype, **_q(dtype))
    b.op("GATHER", [p, i], [y], "GatherOptions", {"axis": axis, "batch_dims": batch_dims})
    inputs = ([] if const_params else [p]) + ([] if const_indices else [i])
    return b.build(inputs, [y])


def _depth_space(op, shape, block, dtype="INT8"):
    b = ModelBuilder()
    x = b.tensor(shape, dtype, **_q(dtype))
    n, h, w, c = shape
    if op == "DEPTH_TO_SPACE":
        out = [n, h * block, w * block, c // (block * block)]
        options = "DepthToSpaceOptions"
    else:
        out = [n, h // block, w // block, c * block * block]
        options = "SpaceToDepthOptions"
    y = b.tensor(out, dtype, **_q(dtype))
    b.op(op, [x], [y], options, {"block_size": block})
    return b.build([x], [y])


def _decoder_chain():
    """SPLIT's two outputs feed a TRANSPOSE_CONV and a RESIZE_BILINEAR whose sum goes to an int64
    ARG_MAX: multi-output layers, their arena slots and an INT64 graph output in one program."""
    b = ModelBuilder()
    rng = np.random.default_rng(9)
    x = b.tensor([1, 4, 4, 4], "INT8", 0.05, -7)
    halves = [b.tensor([1, 4, 4, 2], "INT8", 0.05, -7) for _ in range(2)]
    b.op("SPLIT", [b.const(np.array([3], np.int32)), x], halves, "SplitOptions", {"num_splits": 2})
    f = b.const(rng.integers(-127, 128, (2, 2, 2, 2)).astype(np.int8), scale=[0.02, 0.03],
                zero_point=[0, 0])  # fmt: skip
    up = b.tensor([1, 8, 8, 2], "INT8", 0.1, 3)
    b.op("TRANSPOSE_CONV", [b.const(np.array([1, 8, 8, 2], np.int32)), f, halves[0]], [up],
         "TransposeConvOptions", {"padding": "SAME", "stride_h": 2, "stride_w": 2})  # fmt: skip
    resized = b.tensor([1, 8, 8, 2], "INT8", 0.05, -7)
    b.op("RESIZE_BILINEAR", [halves[1], b.const(np.array([8, 8], np.int32))], [resized],
         "ResizeBilinearOptions", {"half_pixel_centers": True})  # fmt: skip
    total = b.tensor([1, 8, 8, 2], "INT8", 0.12, 0)
    b.op("ADD", [up, resized], [total], "AddOptions", {})
    labels = b.tensor([1, 8, 8], "INT64")
    b.op("ARG_MAX", [total, b.const(np.array([3], np.int32))], [labels], "ArgMaxOptions",
         {"output_type": "INT64"})  # fmt: skip
    return b.build([x], [total, labels])


def test_data_movement_bit_exact():
    cases = [
        ("split channels", _split([1, 4, 5, 6], 3, 3)),
        ("split axis 0", _split([4, 3], 0, 2)),
        ("split width", _split([2, 3, 8, 2], 2, 4)),
        ("split into 1", _split([3, 5], 1, 1)),
        ("split 1-element pieces", _split([7], 0, 7)),
        ("split int16", _split([2, 6], 1, 2, dtype="INT16")),
        ("split int32", _split([4, 2], 0, 4, dtype="INT32")),
        ("split float", _split([2, 4, 2], 1, 2, dtype="FLOAT32")),
        ("split_v", _split_v([1, 5, 9], 2, [2, 3, 4])),
        ("split_v -1", _split_v([2, 10, 3], 1, [3, -1, 1])),
        ("split_v zero-sized piece", _split_v([2, 6], 1, [0, 6])),
        ("split_v axis 0", _split_v([5, 2, 2], 0, [1, 4])),
        ("split_v float", _split_v([3, 7], 1, [5, 2], dtype="FLOAT32")),
        ("unpack axis 0", _unpack([3, 4, 2], 0)),
        ("unpack axis 1", _unpack([2, 3, 4], 1)),
        ("unpack last", _unpack([2, 3, 5], -1)),
        ("unpack 1-d", _unpack([6], 0)),
        ("unpack int32", _unpack([4, 2], 1, dtype="INT32")),
        ("gather axis 0", _gather([5, 3], [4, 0, 2, 2])),
        ("gather axis 1", _gather([2, 6, 3], [[5, 1], [0, 0]], axis=1)),
        ("gather last axis", _gather([2, 3, 4], [3, 1, 0], axis=-1)),
        ("gather scalar index", _gather([4, 5], 3, axis=1)),
        ("gather batch_dims", _gather([2, 4, 3], [[3, 0], [1, 1]], axis=1, batch_dims=1)),
        ("gather batch_dims -1", _gather([3, 5], [[4], [0], [2]], axis=1, batch_dims=-1)),
        ("gather int64 indices", _gather([6, 2], [5, 1, 3], index_dtype=np.int64)),
        ("gather int16 indices", _gather([6, 2], [0, 5], index_dtype=np.int16)),
        ("gather int32", _gather([4, 3], [1, 3], dtype="INT32")),
        ("gather float", _gather([3, 2, 2], [2, 0], axis=0, dtype="FLOAT32")),
        ("depth_to_space 2", _depth_space("DEPTH_TO_SPACE", [1, 3, 4, 8], 2)),
        ("depth_to_space 3", _depth_space("DEPTH_TO_SPACE", [2, 2, 2, 18], 3)),
        ("depth_to_space 1", _depth_space("DEPTH_TO_SPACE", [1, 2, 3, 4], 1)),
        ("depth_to_space float", _depth_space("DEPTH_TO_SPACE", [1, 2, 2, 4], 2, "FLOAT32")),
        ("space_to_depth 2", _depth_space("SPACE_TO_DEPTH", [1, 4, 6, 3], 2)),
        ("space_to_depth 3", _depth_space("SPACE_TO_DEPTH", [2, 6, 3, 2], 3)),
        ("space_to_depth int32", _depth_space("SPACE_TO_DEPTH", [1, 2, 2, 1], 2, "INT32")),
        ("decoder chain", _decoder_chain()),
    ]
    # Computed indices: every valid index, in and out of order, repeated.
    computed = [
        ("gather computed indices", _gather([7, 3], np.zeros(9), const_indices=False)),
        ("gather computed axis 1", _gather([2, 5, 2], np.zeros((2, 3)), 1, const_indices=False)),
        (
            "embedding lookup",
            _gather([10, 4], np.zeros((1, 6)), const_params=True, const_indices=False),
        ),
    ]
    rng = np.random.default_rng(3)
    inputs = {}
    for k, (_, model) in enumerate(computed):
        sub = parse_model(model, "g").main
        axis_size = sub.tensors[sub.operators[0].inputs[0]].shape[sub.operators[0].options["axis"]]
        sets = random_inputs(model, 3, 40 + k)
        for s in sets:
            s[-1] = rng.integers(0, axis_size, s[-1].shape).astype(np.int32)
        inputs[len(cases) + k] = sets
    assert_bit_exact_many(cases + computed, n_inputs=2, inputs=inputs)


@pytest.mark.parametrize(
    "model, detail",
    [
        (_depth_space("DEPTH_TO_SPACE", [1, 2, 2, 6], 2), "6 channels"),
        (_split_v([2, 6], 1, [2, 2]), "do not split"),
    ],
)
def test_data_movement_unsupported(model, detail):
    sg = parse_model(model, "<op>").main
    with pytest.raises(Unsupported, match=detail):
        lower_operator(sg.operators[0], sg)
