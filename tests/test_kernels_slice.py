"""STRIDED_SLICE and SLICE: bit-exact against LiteRT's reference kernels.

The output shape of each test model is the one LiteRT itself computes (a first build with a dummy
output shape is prepared by LiteRT), so the lowering's own shape logic, which must agree with the
declared shape, is checked independently.
"""

from __future__ import annotations

import numpy as np
import pytest

from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder

MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _litert_output_shape(model: bytes) -> list[int] | None:
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    try:
        it = Interpreter(
            model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF
        )
        it.allocate_tensors()
    except (RuntimeError, ValueError):
        return None
    return [int(d) for d in it.get_output_details()[0]["shape"]]


def _strided_slice(in_shape, begin, end, strides, dtype="INT8", **opts):
    def build(out_shape):
        b = ModelBuilder()
        q = dict(scale=0.02, zero_point=-128) if dtype == "INT8" else {}
        x = b.tensor(in_shape, dtype, **q)
        y = b.tensor(out_shape, dtype, **q)
        ts = [b.const(np.array(v, np.int32)) for v in (begin, end, strides)]
        options = {k: int(opts.get(k, 0)) for k in MASKS}
        if opts.get("offset"):
            options["offset"] = True
        b.op("STRIDED_SLICE", [x, *ts], [y], "StridedSliceOptions", options)
        return b.build([x], [y])

    shape = _litert_output_shape(build([1]))
    return None if shape is None else build(shape)


def _slice(in_shape, begin, size, dtype="INT8"):
    b = ModelBuilder()
    q = dict(scale=0.02, zero_point=5) if dtype == "INT8" else {}
    x = b.tensor(in_shape, dtype, **q)
    out = [d - s if n == -1 else n for d, s, n in zip(in_shape, begin, size, strict=True)]
    y = b.tensor(out, dtype, **q)
    ts = [b.const(np.array(v, np.int32)) for v in (begin, size)]
    b.op("SLICE", [x, *ts], [y], "SliceOptions", {})
    return b.build([x], [y])


HAND_CASES = [
    ("basic", ([1, 6, 6, 4], [0, 1, 2, 0], [1, 5, 6, 4], [1, 1, 1, 1]), {}),
    ("strided", ([1, 7, 8, 3], [0, 0, 1, 0], [1, 7, 8, 3], [1, 2, 3, 1]), {}),
    ("negative strides", ([2, 5, 4], [-1, -1, 3], [-3, 0, 0], [-1, -2, -1]), {}),
    ("reverse all", ([3, 4], [0, 0], [0, 0], [-1, -1]), dict(begin_mask=3, end_mask=3)),
    ("negative indices", ([6, 5], [-4, -5], [-1, -2], [1, 1]), {}),
    ("out of range clamps", ([4, 3], [-10, 1], [10, 100], [1, 1]), {}),
    (
        "begin/end masks",
        ([3, 5, 4], [1, 4, 2], [2, 1, 3], [1, -1, 1]),
        dict(begin_mask=5, end_mask=2),
    ),
    ("shrink first", ([3, 4, 2], [1, 0, 0], [2, 4, 2], [1, 1, 1]), dict(shrink_axis_mask=1)),
    ("shrink negative", ([3, 4, 2], [0, -1, 0], [3, 0, 2], [1, 1, 1]), dict(shrink_axis_mask=2)),
    ("shrink all", ([3, 4], [2, 1], [3, 2], [1, 1]), dict(shrink_axis_mask=3)),
    ("fewer indices", ([4, 3, 2], [1], [3], [1]), {}),
    ("ellipsis first", ([2, 3, 4, 5], [0, 1], [0, 4], [1, 2]), dict(ellipsis_mask=1)),
    ("ellipsis middle", ([2, 3, 4, 5], [1, 0, 1], [2, 0, 5], [1, 1, 2]), dict(ellipsis_mask=2)),
    (
        "ellipsis + shrink",
        ([2, 3, 4], [0, 2], [0, 3], [1, 1]),
        dict(ellipsis_mask=1, shrink_axis_mask=2),
    ),
    ("new axis", ([3, 4], [0, 0, 1], [0, 3, 4], [1, 1, 1]), dict(new_axis_mask=1)),
    ("new axis middle", ([3, 4], [1, 0, 0], [3, 0, 4], [1, 1, 2]), dict(new_axis_mask=2)),
    (
        "new axis + ellipsis",
        ([2, 3, 4], [0, 0, 1], [0, 0, 3], [1, 1, 1]),
        dict(ellipsis_mask=1, new_axis_mask=2),
    ),
    ("offset", ([5, 6], [1, 2], [3, 2], [1, 1]), dict(offset=True)),
    ("offset strided", ([5, 8], [0, 1], [5, 6], [2, 3]), dict(offset=True)),
    ("empty", ([4, 3], [3, 0], [1, 3], [1, 1]), {}),
    (
        "5-d",
        ([2, 3, 2, 4, 3], [0, 1, 0, 1, 0], [2, 3, 2, 4, 3], [1, 1, 2, 2, -1]),
        dict(end_mask=16),
    ),
    ("1-d odd", ([9], [1], [8], [3]), {}),
    ("int32 shape slice", ([4], [0], [1], [1]), dict(dtype="INT32", shrink_axis_mask=1)),
    ("int32 shape slice 2", ([4], [1], [3], [1]), dict(dtype="INT32")),
    ("int32 2-d", ([3, 5], [2, 4], [0, 0], [-1, -2]), dict(dtype="INT32")),
    ("float", ([3, 4], [0, 1], [3, 4], [2, 1]), dict(dtype="FLOAT32")),
]


def _lowers(model: bytes) -> bool:
    sg = parse_model(model, "<slice>").main
    try:
        lower_operator(sg.operators[0], sg)
    except Unsupported:
        return False
    return True


def _random_cases(n: int, seed: int):
    rng = np.random.default_rng(seed)
    cases = []
    while len(cases) < n:
        rank = int(rng.integers(1, 6))
        shape = [int(d) for d in rng.integers(1, 6, rank)]
        count = int(rng.integers(1, rank + 1))
        begin = [int(v) for v in rng.integers(-6, 7, count)]
        end = [int(v) for v in rng.integers(-6, 7, count)]
        strides = [int(v) for v in rng.choice([-3, -2, -1, 1, 2, 3], count)]
        opts = {k: int(rng.integers(0, 1 << count)) if rng.random() < 0.4 else 0 for k in MASKS}
        opts["offset"] = bool(rng.random() < 0.15)
        if opts["offset"]:
            # end is a size relative to begin; LiteRT only writes the whole output when the
            # slice stays inside the input (else the lowering reports Unsupported).
            dims = shape[:count]
            begin = [int(rng.integers(0, d)) for d in dims]
            end = [int(rng.integers(0, d - b_ + 1)) for d, b_ in zip(dims, begin, strict=True)]
            strides = [int(v) for v in rng.integers(1, 3, count)]
            opts.update(ellipsis_mask=0, new_axis_mask=0)
        if bin(opts["ellipsis_mask"]).count("1") > 1:
            opts["ellipsis_mask"] = opts["ellipsis_mask"] & -opts["ellipsis_mask"]
        model = _strided_slice(shape, begin, end, strides, **opts)
        # Skip what LiteRT refuses and the shrink-to-empty cases where it leaves the output
        # unwritten (checked in test_strided_slice_unsupported).
        if model is not None and _lowers(model):
            cases.append((f"random {shape} {begin} {end} {strides} {opts}", model))
    return cases


def test_strided_slice_bit_exact():
    cases = []
    for name, (shape, begin, end, strides), opts in HAND_CASES:
        model = _strided_slice(shape, begin, end, strides, **opts)
        assert model is not None, f"LiteRT refused {name}"
        cases.append((name, model))
    cases += _random_cases(80, seed=1)
    assert_bit_exact_many(cases, n_inputs=2)


def test_slice_bit_exact():
    cases = [
        ("basic", _slice([1, 5, 6, 3], [0, 1, 2, 0], [1, 3, 4, 3])),
        ("to end", _slice([2, 4, 3], [1, 1, 1], [-1, -1, -1])),
        ("1-d", _slice([7], [3], [2])),
        ("full", _slice([3, 2], [0, 0], [3, 2])),
        ("int32", _slice([4, 3], [1, 0], [2, -1], dtype="INT32")),
    ]
    assert_bit_exact_many(cases, n_inputs=2)


@pytest.mark.parametrize(
    "args, opts",
    [
        (([5], [2], [1], [-1]), dict(shrink_axis_mask=1)),
        (([5, 4, 1], [2], [1], [-3]), dict(begin_mask=1, end_mask=1, shrink_axis_mask=1)),
        (([5], [7], [1], [1]), dict(shrink_axis_mask=1)),
    ],
)
def test_strided_slice_unsupported(args, opts):
    model = _strided_slice(*args, **opts)
    sg = parse_model(model, "<slice>").main
    with pytest.raises(Unsupported, match="shrinking an axis to an empty range"):
        lower_operator(sg.operators[0], sg)
