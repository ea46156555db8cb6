"""PAD, PADV2, STRIDED_SLICE, CONCATENATION and RESHAPE on int16 activations (zero point 0), as
16x8 models use them: bit-exact against LiteRT BUILTIN_REF, values at the int16 limits."""

from __future__ import annotations

import numpy as np

from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder
from tests.test_kernels_slice import HAND_CASES, MASKS, _litert_output_shape

Q = dict(scale=3.0e-4, zero_point=0)


def _edge_sets(shapes, rng):
    sets = [[np.full(s, v, np.int16) for s in shapes] for v in (-32768, 32767)]
    return sets + [
        [rng.integers(-32768, 32768, s).astype(np.int16) for s in shapes] for _ in range(3)
    ]


def pad_s16(in_shape, pads, value=None):
    b = ModelBuilder()
    x = b.tensor(in_shape, "INT16", **Q)
    out_shape = [d + p0 + p1 for d, (p0, p1) in zip(in_shape, pads, strict=True)]
    y = b.tensor(out_shape, "INT16", **Q)
    p = b.const(np.array(pads, np.int32).reshape(len(in_shape), 2))
    if value is None:
        b.op("PAD", [x, p], [y], "PadOptions", {})
    else:
        cv = b.tensor([], "INT16", data=np.array(value, np.int16), **Q)
        b.op("PADV2", [x, p, cv], [y], "PadV2Options", {})
    return b.build([x], [y])


def strided_slice_s16(in_shape, begin, end, strides, **opts):
    def build(out_shape):
        b = ModelBuilder()
        x = b.tensor(in_shape, "INT16", **Q)
        y = b.tensor(out_shape, "INT16", **Q)
        ts = [b.const(np.array(v, np.int32)) for v in (begin, end, strides)]
        options = {k: int(opts.get(k, 0)) for k in MASKS}
        if opts.get("offset"):
            options["offset"] = True
        b.op("STRIDED_SLICE", [x, *ts], [y], "StridedSliceOptions", options)
        return b.build([x], [y])

    return build(_litert_output_shape(build([1])))


def concat_s16(shapes, axis):
    b = ModelBuilder()
    xs = [b.tensor(s, "INT16", **Q) for s in shapes]
    out = list(shapes[0])
    out[axis % len(out)] = sum(s[axis % len(out)] for s in shapes)
    y = b.tensor(out, "INT16", **Q)
    b.op("CONCATENATION", xs, [y], "ConcatenationOptions", {"axis": axis})
    return b.build(xs, [y])


def reshape_s16(in_shape, out_shape):
    b = ModelBuilder()
    x = b.tensor(in_shape, "INT16", **Q)
    y = b.tensor(out_shape, "INT16", **Q)
    shape = b.const(np.array(out_shape, np.int32))
    b.op("RESHAPE", [x, shape], [y], "ReshapeOptions", {"new_shape": list(out_shape)})
    return b.build([x], [y])


def test_data_movement_s16():
    rng = np.random.default_rng(12)
    cases, inputs = [], {}

    def add(name, model, shapes):
        inputs[len(cases)] = _edge_sets(shapes, rng)
        cases.append((name, model))

    for name, shape, pads, value in [
        ("PAD16 hw", [1, 5, 7, 3], [[0, 0], [1, 2], [3, 0], [0, 0]], None),
        ("PAD16 channels", [1, 3, 3, 5], [[0, 0], [0, 0], [0, 0], [2, 3]], None),
        ("PAD16 1-d", [9], [[4, 5]], None),
        ("PADV2 16 min", [1, 4, 4, 2], [[0, 0], [1, 1], [1, 1], [0, 0]], -32768),
        ("PADV2 16 value", [2, 3, 4], [[1, 0], [0, 2], [1, 1]], 1234),
    ]:
        add(name, pad_s16(shape, pads, value), [shape])
    for name, (shape, begin, end, strides), opts in HAND_CASES:
        if "dtype" not in opts:
            add(
                f"STRIDED_SLICE16 {name}",
                strided_slice_s16(shape, begin, end, strides, **opts),
                [shape],
            )
    for name, shapes, axis in [
        ("channels", [[1, 4, 5, 3], [1, 4, 5, 7]], 3),
        ("width, 3 inputs", [[2, 3, 1, 4], [2, 3, 4, 4], [2, 3, 2, 4]], 2),
        ("batch", [[1, 2, 2, 3], [2, 2, 2, 3]], 0),
        ("1-d", [[5], [1], [7]], 0),
        ("-1", [[3, 4], [3, 1]], -1),
    ]:
        add(f"CONCATENATION16 {name}", concat_s16(shapes, axis), shapes)
    for in_shape, out_shape in [([1, 4, 4, 3], [1, 48]), ([2, 6], [3, 2, 2]), ([7], [1, 7])]:
        add(f"RESHAPE16 {in_shape}->{out_shape}", reshape_s16(in_shape, out_shape), [in_shape])
    assert_bit_exact_many(cases, inputs=inputs)
