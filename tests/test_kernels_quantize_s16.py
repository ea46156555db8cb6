"""QUANTIZE (float32 -> int16, int16 -> int8/int16, int8 -> int16) and DEQUANTIZE (int16 ->
float32): bit-exact against LiteRT BUILTIN_REF (TFLM for int8 -> int16, which LiteRT refuses),
on every int16 value and on the floats around the quantizer's rounding boundaries."""

from __future__ import annotations

import numpy as np
import pytest

from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many, tflm_reference
from tests.test_kernels_quantize import unary_model

ALL_INT16 = np.arange(-32768, 32768, dtype=np.int16)


def boundary_floats_s16(scale: float, zero_point: int, seed: int) -> np.ndarray:
    """Floats on and within two ulps of the rounding boundaries (n + 1/2) * scale of a sample of
    the int16 range (both ends included), plus random values inside and beyond the range."""
    rng = np.random.default_rng(seed)
    ends = np.arange(-32768, -32758), np.arange(32758, 32768)
    k = np.concatenate([*ends, rng.integers(-32768, 32768, 1500), np.arange(-40, 40)])
    k = k.astype(np.float64) - zero_point
    s = np.float32(scale)
    pts = np.concatenate(
        [((k + 0.5) * np.float64(s)).astype(np.float32), (k.astype(np.float32) + 0.5) * s]
    ).astype(np.float32)
    near = [pts]
    for direction in (np.inf, -np.inf):
        step = pts
        for _ in range(2):
            step = np.nextafter(step, np.float32(direction))
            near.append(step)
    rand = rng.uniform(-40000, 40000, 2000).astype(np.float32) * s
    return rng.permutation(np.concatenate([*near, rand, [0.0, -0.0]]).astype(np.float32))


FLOAT_QUANTS = [
    (1.0 / 32768, 0),
    (3.0517578125e-05 * 1.3, 0),
    (0.001, 0),
    (2.0**-10, 0),  # power of two: every half is exact
    (7.5, 0),
    (1e-7, 0),
    (0.02, 1000),  # a zero point (QUANTIZE takes one; the 16x8 kernels do not)
    (0.5, -32767),
]


def test_quantize_float_to_int16():
    cases, inputs = [], {}
    for k, (scale, zp) in enumerate(FLOAT_QUANTS):
        vals = boundary_floats_s16(scale, zp, k)
        inputs[k] = [[vals]]
        model = unary_model("QUANTIZE", [vals.size], "FLOAT32", "INT16", q_out=(scale, zp))
        cases.append((f"QUANTIZE f32->s16 ({scale}, {zp})", model))
    cases.append(
        (
            "QUANTIZE f32->s16 4-D",
            unary_model("QUANTIZE", [1, 5, 7, 3], "FLOAT32", "INT16", q_out=(2.0**-12, 0)),
        )
    )
    assert_bit_exact_many(cases, inputs=inputs, n_inputs=3)


# (input, output) quantization of int16 -> int8 and int16 -> int16 requantization.
TO_INT8 = [
    ((1 / 32768, 0), (1 / 128, 0)),
    ((3e-4, 0), (0.05, -7)),
    ((0.01, 0), (0.002, 127)),
    ((1e-5, 0), (0.3, -128)),
    ((0.02, 5), (0.01, 3)),
]
TO_INT16 = [
    ((1 / 32768, 0), (1 / 16384, 0)),
    ((3e-4, 0), (1e-4, 0)),
    ((0.5, 0), (0.5, 0)),
    ((1e-6, 0), (0.7, 0)),
    ((2.0, 0), (1e-3, 0)),
]


def test_requantize_from_int16_every_value():
    cases, inputs = [], {}
    for out_dtype, quants in (("INT8", TO_INT8), ("INT16", TO_INT16)):
        for q_in, q_out in quants:
            inputs[len(cases)] = [[ALL_INT16]]
            model = unary_model("QUANTIZE", [65536], "INT16", out_dtype, q_in=q_in, q_out=q_out)
            cases.append((f"QUANTIZE s16->{out_dtype} {q_in}->{q_out}", model))
    assert_bit_exact_many(cases, inputs=inputs)


def test_requantize_int8_to_int16_every_value():
    # LiteRT has no int8 -> int16 QUANTIZE: TFLM's reference kernel is the reference.
    cases, inputs = [], {}
    every = np.arange(-128, 128, dtype=np.int8)
    for q_in, q_out in [
        ((0.05, -7), (1e-4, 0)),
        ((1 / 256, -128), (1 / 32768, 0)),
        ((0.3, 127), (0.5, 0)),
        ((0.01, 0), (2e-7, 0)),
    ]:
        inputs[len(cases)] = [[every]]
        model = unary_model("QUANTIZE", [256], "INT8", "INT16", q_in=q_in, q_out=q_out)
        cases.append((f"QUANTIZE s8->s16 {q_in}->{q_out}", model))
    assert_bit_exact_many(cases, inputs=inputs, reference=tflm_reference)


def test_dequantize_int16():
    cases, inputs = [], {}
    for scale, zp in [(1 / 32768, 0), (3.7e-3, 0), (123.25, 0), (1e-9, 0)]:
        inputs[len(cases)] = [[ALL_INT16]]
        model = unary_model("DEQUANTIZE", [65536], "INT16", "FLOAT32", q_in=(scale, zp))
        cases.append((f"DEQUANTIZE s16 ({scale}, {zp})", model))
    assert_bit_exact_many(cases, inputs=inputs, n_inputs=3)
    # LiteRT refuses a non-zero int16 zero point here; TFLM (a small arena) takes it.
    spread = np.concatenate([ALL_INT16[::512], ALL_INT16[:8], ALL_INT16[-8:]])
    model = unary_model("DEQUANTIZE", [spread.size], "INT16", "FLOAT32", q_in=(0.01, -300))
    cases = [("DEQUANTIZE s16 zero point -300", model)]
    assert_bit_exact_many(cases, inputs={0: [[spread]]}, reference=tflm_reference)


def test_quantize_int16_refusals():
    per_channel = ([0.001, 0.37, 2e-5], [0, 0, 0])
    model = unary_model("DEQUANTIZE", [2, 3, 4], "INT16", "FLOAT32", q_in=per_channel, qdim=1)
    sg = parse_model(model, "m").main
    with pytest.raises(Unsupported, match="per channel"):
        lower_operator(sg.operators[0], sg)
    model = unary_model("QUANTIZE", [8], "INT16", "INT16", q_in=(0.1, 3), q_out=(0.2, 0))
    sg = parse_model(model, "m").main
    with pytest.raises(Unsupported, match="non-zero zero point"):
        lower_operator(sg.operators[0], sg)
    model = unary_model("QUANTIZE", [8], "INT16", "UINT8", q_in=(0.1, 0), q_out=(0.2, 0))
    sg = parse_model(model, "m").main
    with pytest.raises(Unsupported, match="INT16 -> UINT8"):
        lower_operator(sg.operators[0], sg)
