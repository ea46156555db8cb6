"""CONCATENATION and PACK: bit-exact against LiteRT's reference kernels (TFLM where LiteRT
refuses), plus the cases both refuse being reported as Unsupported."""

from __future__ import annotations

import pytest

from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many, tflm_reference
from tests.support.tflite_builder import ModelBuilder

Q = dict(scale=0.07, zero_point=-128)


def _concat(shapes, axis, dtype="INT8", q=Q, act="NONE", in_qs=None):
    b = ModelBuilder()
    qq = q if dtype in ("INT8", "INT16") else {}
    xs = [
        b.tensor(s, dtype, **((in_qs[k] if in_qs else qq) if qq else {}))
        for k, s in enumerate(shapes)
    ]
    ax = axis % len(shapes[0])
    out = list(shapes[0])
    out[ax] = sum(s[ax] for s in shapes)
    y = b.tensor(out, dtype, **qq)
    opts = {"axis": axis, "fused_activation_function": act}
    b.op("CONCATENATION", xs, [y], "ConcatenationOptions", opts)
    return b.build(xs, [y])


def _pack(shape, n, axis, dtype="INT8", q=Q, in_q=None):
    b = ModelBuilder()
    qq = q if dtype == "INT8" else {}
    xs = [b.tensor(shape, dtype, **(in_q or qq)) for _ in range(n)]
    ax = axis % (len(shape) + 1)
    y = b.tensor(list(shape[:ax]) + [n] + list(shape[ax:]), dtype, **qq)
    b.op("PACK", xs, [y], "PackOptions", {"axis": axis, "values_count": n})
    return b.build(xs, [y])


def test_concatenation_bit_exact():
    cases = [
        ("channels", _concat([[1, 4, 5, 3], [1, 4, 5, 7]], 3)),
        ("channels -1, 3 inputs", _concat([[1, 2, 3, 1], [1, 2, 3, 2], [1, 2, 3, 5]], -1)),
        ("width", _concat([[2, 3, 1, 4], [2, 3, 4, 4]], 2)),
        ("height", _concat([[1, 2, 3, 3], [1, 5, 3, 3]], 1)),
        ("batch", _concat([[1, 2, 2, 3], [2, 2, 2, 3]], 0)),
        ("zp 127", _concat([[1, 3, 3, 2], [1, 3, 3, 2]], 3, q=dict(scale=1e-3, zero_point=127))),
        ("1-d", _concat([[5], [1], [7]], 0)),
        ("2-d axis 1", _concat([[3, 4], [3, 1]], 1)),
        ("5-d", _concat([[2, 1, 3, 2, 2], [2, 1, 3, 1, 2]], 3)),
        ("6-d", _concat([[1, 2, 1, 2, 1, 3], [1, 2, 1, 2, 2, 3]], 4)),
        ("one input", _concat([[2, 3, 4]], 1)),
        ("many inputs", _concat([[1, 2, k + 1] for k in range(9)], 2)),
        ("int32", _concat([[2, 3], [2, 1]], 1, dtype="INT32")),
        ("int32 axis 0", _concat([[1], [1], [1], [1]], 0, dtype="INT32")),
        ("float", _concat([[2, 2, 3], [2, 1, 3]], 1, dtype="FLOAT32")),
        ("int16", _concat([[2, 3], [2, 2]], 1, dtype="INT16", q=dict(scale=0.01, zero_point=0))),
    ]
    assert_bit_exact_many(cases, n_inputs=2)


def test_pack_bit_exact():
    cases = [
        ("axis 0", _pack([2, 3], 3, 0)),
        ("axis 1", _pack([2, 3], 2, 1)),
        ("axis last", _pack([2, 3, 4], 3, 3)),
        ("axis -1", _pack([4, 1, 3], 2, -1)),
        ("single", _pack([5], 1, 0)),
        ("scalars", _pack([], 4, 0)),
        ("int32 shape pack", _pack([], 4, 0, dtype="INT32")),
        ("int32 axis 1", _pack([3, 2], 5, 1, dtype="INT32")),
        ("float", _pack([2, 2], 3, 2, dtype="FLOAT32")),
    ]
    assert_bit_exact_many(cases, n_inputs=2)


def test_pack_different_quantization_matches_tflm():
    # LiteRT refuses inputs quantized differently from the output; TFLM copies the bytes.
    cases = [("pack q", _pack([2, 3], 2, 1, in_q=dict(scale=0.5, zero_point=3)))]
    assert_bit_exact_many(cases, n_inputs=2, reference=tflm_reference)


@pytest.mark.parametrize(
    "model, detail",
    [
        (
            _concat([[1, 2], [1, 2]], 1, in_qs=[Q, dict(scale=0.5, zero_point=1)]),
            "different quantization",
        ),
        (_concat([[1, 2], [1, 2]], 1, act="RELU"), "fused RELU"),
    ],
)
def test_concatenation_unsupported(model, detail):
    sg = parse_model(model, "<concat>").main
    with pytest.raises(Unsupported, match=detail):
        lower_operator(sg.operators[0], sg)
