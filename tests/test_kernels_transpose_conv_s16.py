"""16x8 TRANSPOSE_CONV (int16 activations with zero point 0, int8 weights, int64 bias): bit-exact
against LiteRT BUILTIN_REF on the host and the emulated boards."""

from __future__ import annotations

import numpy as np
import pytest

from autodeploy.analysis.macs import estimate_macs
from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder
from tests.test_kernels_conv_s16 import ACTS, edge_sets


def tconv_s16_model(
    seed,
    in_shape,
    oc,
    kernel,
    stride,
    padding="SAME",
    out_hw=None,
    act="NONE",
    bias="random",
    weight_scales=None,
    scales=None,
    weights=None,
):
    """One 16x8 TRANSPOSE_CONV with TensorFlow's output size (in * stride for SAME,
    (in - 1) * stride + kernel for VALID) unless `out_hw` says otherwise. bias: "random" (about
    the accumulator's size), "large" (+-2^40) or "none"; weight_scales: one per output channel
    (random by default) or a single one; scales: (input, output), by default keeping typical
    outputs near +-8000."""
    rng = np.random.default_rng(seed)
    n, h, w, c = in_shape
    (kh, kw), (sh, sw) = kernel, stride
    if out_hw is None:
        out_hw = (h * sh, w * sw) if padding == "SAME" else ((h - 1) * sh + kh, (w - 1) * sw + kw)
    taps = -(-kh // sh) * -(-kw // sw) * c  # products per output pixel, at most
    typical_acc = int(np.sqrt(taps) * 73 * 18900)  # rms int8 x rms int16 x sqrt(taps)
    in_scale, out_scale = scales or (0.01, 0.01 * 0.026 * typical_acc / 8000)
    ws = weight_scales or [float(s) for s in rng.uniform(0.002, 0.05, oc)]
    b = ModelBuilder()
    x = b.tensor(in_shape, "INT16", in_scale, 0)
    wdata = rng.integers(-127, 128, (oc, kh, kw, c), dtype=np.int8) if weights is None else weights
    f = b.const(wdata, scale=ws, zero_point=[0] * len(ws))
    inputs = [b.const(np.array([n, *out_hw, oc], np.int32)), f, x]
    if bias != "none":
        limit = {"random": typical_acc, "large": 1 << 40}[bias]
        bdata = rng.integers(-limit, limit, oc, endpoint=True).astype(np.int64)
        bs = [in_scale * s for s in (ws if len(ws) == oc else ws * oc)]
        inputs.append(b.const(bdata, scale=bs, zero_point=[0] * oc))
    y = b.tensor([n, *out_hw, oc], "INT16", out_scale, 0)
    options = {"padding": padding, "stride_h": sh, "stride_w": sw, "fused_activation_function": act}
    b.op("TRANSPOSE_CONV", inputs, [y], "TransposeConvOptions", options, version=4)
    return b.build([x], [y])


GEOMS = [
    # input shape, out_c, kernel, stride, padding, output size (None: TensorFlow's)
    ((1, 4, 4, 3), 17, (3, 3), (2, 2), "SAME", None),
    ((1, 4, 5, 17), 1, (3, 3), (1, 1), "SAME", None),
    ((1, 3, 3, 1), 3, (3, 3), (2, 2), "VALID", None),
    ((1, 4, 3, 3), 3, (2, 2), (1, 1), "VALID", None),
    ((1, 2, 3, 17), 17, (2, 2), (2, 2), "SAME", None),
    ((2, 3, 3, 3), 1, (4, 4), (2, 2), "SAME", None),
    ((1, 4, 4, 3), 3, (3, 3), (2, 2), "SAME", (7, 8)),  # one smaller than in * stride
    ((1, 3, 3, 1), 17, (3, 3), (2, 2), "VALID", (8, 8)),  # one larger
    ((1, 3, 2, 3), 3, (2, 2), (3, 3), "SAME", None),  # kernel < stride: gaps in the output
    ((1, 2, 5, 3), 1, (5, 3), (3, 1), "SAME", None),
]


def test_transpose_conv_s16_bit_exact():
    cases, inputs = [], {}
    for k, (shape, oc, kernel, stride, pad, out_hw) in enumerate(GEOMS):
        act = ACTS[k % len(ACTS)]
        bias = "none" if k % 3 == 2 else "random"
        per_tensor = [0.01] if k % 4 == 3 else None
        name = f"tconv16 {shape} oc{oc} k{kernel} s{stride} {pad} {out_hw} {act} bias={bias}"
        model = tconv_s16_model(
            k, shape, oc, kernel, stride, pad, out_hw, act, bias, weight_scales=per_tensor
        )
        cases.append((name, model))
    rng = np.random.default_rng(3)
    # saturating, tiny and ordinary scales, large biases, weights at the int8 limits, inputs at
    # the int16 limits
    for k, (si, so) in enumerate([(0.01, 1e-4), (1e-4, 0.5), (3e-5, 2e-6), (0.3, 0.01)]):
        for bias in ("large", "none"):
            shape, oc = (1, 3, 4, 3), 17
            extreme = np.where(rng.random((oc, 3, 3, 3)) < 0.5, -128, 127).astype(np.int8)
            inputs[len(cases)] = edge_sets(shape, rng)
            model = tconv_s16_model(
                20 + k, shape, oc, (3, 3), (2, 2), bias=bias, scales=(si, so), weights=extreme
            )
            cases.append((f"tconv16 scales {si}->{so} bias={bias}", model))
    # per-channel multipliers from 1e-9 (total right shift 44; a +-2^40 bias keeps its outputs
    # off 0) to 16000 (left shift 14, the most)
    ws = [1.6, 0.5, 1e-4, 1e-9, 1e-13]
    for k, act in enumerate(("NONE", "RELU")):
        inputs[len(cases)] = edge_sets((1, 3, 3, 3), rng)
        model = tconv_s16_model(
            30 + k, (1, 3, 3, 3), 5, (3, 3), (1 + k, 1 + k), "VALID" if k else "SAME", act=act,
            bias="large", weight_scales=ws, scales=(0.01, 1e-6),
        )  # fmt: skip
        cases.append((f"tconv16 extreme multipliers {act}", model))
    assert_bit_exact_many(cases, n_inputs=2, seed=40, inputs=inputs)


def _lower(model: bytes):
    sg = parse_model(model, "<tconv16>").main
    return lower_operator(sg.operators[0], sg), sg


def test_transpose_conv_s16_lowers_to_the_int16_kernel_with_macs():
    model = tconv_s16_model(0, (1, 3, 3, 4), 5, (3, 3), (2, 2), "VALID")
    call, sg = _lower(model)
    assert call.function == "adrt_transpose_conv_s16"
    # (3 input rows x 3 taps) x (3 x 3) pairs all land inside the 7x7 output
    assert estimate_macs(sg.operators[0], sg).macs == 9 * 9 * 4 * 5


def _refused(tensor_dtype="INT16", zero_point=0, bias_dtype=np.int64, weight_scale=0.01):
    b = ModelBuilder()
    x = b.tensor((1, 2, 2, 2), tensor_dtype, 0.01, zero_point)
    f = b.const(np.ones((2, 2, 2, 2), np.int8), scale=[weight_scale], zero_point=[0])
    shape = b.const(np.array([1, 4, 4, 2], np.int32))
    bias = b.const(np.zeros(2, bias_dtype), scale=[1e-4, 1e-4], zero_point=[0, 0])
    y = b.tensor((1, 4, 4, 2), "INT16", 1e-4, 0)
    b.op("TRANSPOSE_CONV", [shape, f, x, bias], [y], "TransposeConvOptions",
         {"padding": "SAME", "stride_h": 2, "stride_w": 2}, version=4)  # fmt: skip
    return b.build([x], [y])


@pytest.mark.parametrize(
    "model, detail",
    [
        (_refused(zero_point=3), "zero point 3"),
        (_refused(bias_dtype=np.int32), "INT32 bias"),
        (_refused(weight_scale=1000.0), "output multiplier of 2\\^17"),  # 0.01 x 1000 / 1e-4
    ],
)
def test_transpose_conv_s16_refusals_name_the_problem(model, detail):
    with pytest.raises(Unsupported, match=detail):
        _lower(model)
