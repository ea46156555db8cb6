"""QUANTIZE (float32 -> int8, 8-bit requantization) and DEQUANTIZE: bit-exact against LiteRT."""

from __future__ import annotations

import numpy as np
import pytest

from autodeploy.codegen.lower.quantize import quantize_thresholds
from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder

NP = {"INT8": np.int8, "UINT8": np.uint8, "FLOAT32": np.float32}


def unary_model(opcode, shape, in_dtype, out_dtype, q_in=None, q_out=None, qdim=0):
    b = ModelBuilder()
    kin = dict(scale=q_in[0], zero_point=q_in[1], quantized_dimension=qdim) if q_in else {}
    kout = dict(scale=q_out[0], zero_point=q_out[1]) if q_out else {}
    x = b.tensor(shape, in_dtype, **kin)
    y = b.tensor(shape, out_dtype, **kout)
    b.op(opcode, [x], [y])
    return b.build(inputs=[x], outputs=[y])


def boundary_floats(scale: float, zero_point: int, n: int, seed: int) -> np.ndarray:
    """Float inputs on and around every rounding boundary of the quantizer, plus random values
    inside and well outside the representable range."""
    s = np.float32(scale)
    k = np.arange(-300, 301, dtype=np.float64) - zero_point
    halves = ((k + 0.5) * np.float64(s)).astype(np.float32)
    exact = (k.astype(np.float32) + np.float32(0.5)) * s  # float32 products of the halves
    thr = np.asarray(quantize_thresholds(scale, zero_point), np.float32)
    pts = np.concatenate([halves, exact, thr, k.astype(np.float32) * s, [0.0, -0.0]])
    pts = pts.astype(np.float32)
    near = np.concatenate(
        [pts, np.nextafter(pts, np.float32(np.inf)), np.nextafter(pts, np.float32(-np.inf))]
    )
    rng = np.random.default_rng(seed)
    rand = rng.uniform(-200, 200, n).astype(np.float32) * s
    wide = rng.uniform(-1e4, 1e4, 64).astype(np.float32) * s
    vals = np.concatenate([near, rand, wide]).astype(np.float32)
    return rng.permutation(vals)


FLOAT_QUANTS = [
    (0.05, 0),
    (0.1, -128),
    (0.1, 127),
    (1 / 255, -128),
    (0.0078125, 0),  # power of two: many exact halves
    (2.0, 3),
    (1e-6, 15),
    (0.3, -77),
    (123.456, 5),
    (3e-3, 100),
]


def test_quantize_float_to_int8_bit_exact():
    named, inputs = [], {}
    for k, (scale, zp) in enumerate(FLOAT_QUANTS):
        vals = boundary_floats(scale, zp, 2000, k)
        named.append(
            (
                f"QUANTIZE f32->s8 ({scale}, {zp})",
                unary_model("QUANTIZE", [vals.size], "FLOAT32", "INT8", q_out=(scale, zp)),
            )
        )
        inputs[k] = [[vals]]
    # Default harness inputs (uniform in [-8, 8]) on a 4-D shape.
    named.append(
        (
            "QUANTIZE f32->s8 4-D",
            unary_model("QUANTIZE", [1, 5, 7, 3], "FLOAT32", "INT8", q_out=(0.0625, -1)),
        )
    )
    assert_bit_exact_many(named, inputs=inputs, n_inputs=3)


def test_requantize_8bit_bit_exact():
    named, inputs = [], {}
    quants = [
        ((0.05, 3), (0.05, 3)),  # identity
        ((0.05, 3), (0.1, -7)),
        ((0.1, -128), (0.02, 127)),
        ((1e-6, 15), (3e-5, 0)),
        ((0.5, 127), (0.003, -128)),
        ((0.02, 0), (0.02, -128)),
    ]
    full = {
        "INT8": np.arange(-128, 128).astype(np.int8),
        "UINT8": np.arange(0, 256).astype(np.uint8),
    }
    for din, dout in (("INT8", "INT8"), ("INT8", "UINT8"), ("UINT8", "INT8")):
        for qi, qo in quants:
            zi = qi[1] + 128 if din == "UINT8" else qi[1]
            zo = qo[1] + 128 if dout == "UINT8" else qo[1]
            k = len(named)
            named.append(
                (
                    f"QUANTIZE {din}->{dout} {qi} {qo}",
                    unary_model("QUANTIZE", [256], din, dout, (qi[0], zi), (qo[0], zo)),
                )
            )
            inputs[k] = [[full[din]], [full[din][::-1].copy()]]
    # The int8 <-> uint8 shift-by-128 fast path of TFLite's Requantize.
    named.append(
        (
            "QUANTIZE s8->u8 flip",
            unary_model("QUANTIZE", [256], "INT8", "UINT8", (0.1, 5), (0.1, 133)),
        )
    )
    inputs[len(named) - 1] = [[full["INT8"]]]
    assert_bit_exact_many(named, inputs=inputs)


def test_dequantize_bit_exact():
    named = []
    for dtype, zps in (("INT8", (0, -128, 127, -3)), ("UINT8", (0, 128, 255, 7))):
        for zp in zps:
            for scale in (0.05, 1e-6, 3.3, 1 / 255, 0.1):
                named.append(
                    (
                        f"DEQUANTIZE {dtype} ({scale}, {zp})",
                        unary_model("DEQUANTIZE", [2, 3, 43], dtype, "FLOAT32", (scale, zp)),
                    )
                )
    assert_bit_exact_many(named, n_inputs=2)


def test_dequantize_per_channel_bit_exact():
    rng = np.random.default_rng(5)
    named = []
    for shape, qdim in (([4, 3, 3, 5], 0), ([2, 3, 4, 7], 3), ([3, 6, 2], 1)):
        c = shape[qdim]
        scales = [float(x) for x in 10 ** rng.uniform(-4, 0, c)]
        zps = [int(x) for x in rng.integers(-20, 20, c)]
        named.append(
            (
                f"DEQUANTIZE per-channel {shape} dim {qdim}",
                unary_model("DEQUANTIZE", shape, "INT8", "FLOAT32", (scales, zps), qdim=qdim),
            )
        )
    assert_bit_exact_many(named, n_inputs=2)


def test_quantize_dequantize_chain():
    b = ModelBuilder()
    x = b.tensor([1, 9, 9, 4], "FLOAT32")
    q = b.tensor([1, 9, 9, 4], "INT8", scale=0.04, zero_point=-9)
    r = b.tensor([1, 9, 9, 4], "INT8", scale=0.09, zero_point=20)
    y = b.tensor([1, 9, 9, 4], "FLOAT32")
    b.op("QUANTIZE", [x], [q])
    b.op("QUANTIZE", [q], [r])
    b.op("DEQUANTIZE", [r], [y])
    assert_bit_exact_many([("quantize chain", b.build(inputs=[x], outputs=[y]))], n_inputs=3)


def test_thresholds_are_exact_boundaries():
    thr = quantize_thresholds(0.5, 0)
    # Output >= 1 needs x / 0.5 >= 0.5 (halves away from zero), i.e. x >= 0.25.
    assert thr[1 + 127] == 0.25
    # Output >= 0 needs x / 0.5 > -0.5: the least float32 above -0.25.
    assert thr[0 + 127] == float(np.nextafter(np.float32(-0.25), np.float32(0)))
    assert all(a < b for a, b in zip(thr, thr[1:], strict=False))


def test_unsupported():
    model = unary_model("QUANTIZE", [8], "FLOAT32", "UINT8", q_out=(0.1, 128))
    sg = parse_model(model, "<q>").main
    with pytest.raises(Unsupported, match="FLOAT32 -> UINT8"):
        lower_operator(sg.operators[0], sg)
