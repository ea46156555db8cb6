"""TRANSPOSE_CONV (int8 activations, per-channel or per-tensor int8 weights, optional int32 bias):
bit-exact against LiteRT BUILTIN_REF."""

from __future__ import annotations

import numpy as np
import pytest

from autodeploy.analysis.macs import estimate_macs
from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder


def _transpose_conv(in_shape, out_c, kernel, stride, padding="SAME", out_hw=None, bias=True,
                    per_channel=True, act="NONE", q=((0.05, -3), (0.1, 4)), seed=0):  # fmt: skip
    """A TRANSPOSE_CONV whose output size is the one TensorFlow gives (in * stride for SAME,
    (in - 1) * stride + kernel for VALID) unless `out_hw` says otherwise."""
    rng = np.random.default_rng(seed)
    n, h, w, c = in_shape
    kh, kw = kernel
    sh, sw = stride
    if out_hw is None:
        out_hw = (h * sh, w * sw) if padding == "SAME" else ((h - 1) * sh + kh, (w - 1) * sw + kw)
    b = ModelBuilder()
    (si, zi), (so, zo) = q
    x = b.tensor(in_shape, "INT8", si, zi)
    scales = rng.uniform(0.002, 0.02, out_c) if per_channel else [0.01]
    weights = rng.integers(-127, 128, (out_c, kh, kw, c)).astype(np.int8)
    f = b.const(weights, scale=[float(s) for s in scales], zero_point=[0] * len(scales))
    shape = b.const(np.array([n, *out_hw, out_c], np.int32))
    inputs = [shape, f, x]
    if bias:
        inputs.append(b.const(rng.integers(-5000, 5000, out_c).astype(np.int32)))
    y = b.tensor([n, *out_hw, out_c], "INT8", so, zo)
    options = {"padding": padding, "stride_h": sh, "stride_w": sw}
    if act != "NONE":
        options["fused_activation_function"] = act
    b.op("TRANSPOSE_CONV", inputs, [y], "TransposeConvOptions", options, version=4)
    return b.build([x], [y])


def test_transpose_conv_bit_exact():
    cases = [
        ("2x2 stride 2 same", _transpose_conv([1, 4, 4, 3], 5, (2, 2), (2, 2))),
        ("3x3 stride 2 same", _transpose_conv([1, 5, 4, 2], 4, (3, 3), (2, 2), seed=1)),
        ("3x3 stride 1 same", _transpose_conv([1, 4, 6, 3], 2, (3, 3), (1, 1), seed=2)),
        ("3x3 stride 2 valid", _transpose_conv([1, 3, 3, 4], 3, (3, 3), (2, 2), "VALID", seed=3)),
        ("4x4 stride 2 same", _transpose_conv([2, 3, 3, 2], 3, (4, 4), (2, 2), seed=4)),
        ("5x3 stride 3x1", _transpose_conv([1, 2, 5, 3], 2, (5, 3), (3, 1), seed=5)),
        ("1-d 8x1 stride 4", _transpose_conv([1, 6, 1, 4], 3, (8, 1), (4, 1), seed=6)),
        ("1x1 stride 2", _transpose_conv([1, 3, 3, 6], 4, (1, 1), (2, 2), seed=7)),
        ("kernel < stride", _transpose_conv([1, 3, 2, 2], 2, (2, 2), (3, 3), seed=8)),
        ("no bias", _transpose_conv([1, 4, 4, 3], 4, (3, 3), (2, 2), bias=False, seed=9)),
        ("per-tensor", _transpose_conv([1, 3, 4, 5], 3, (3, 3), (2, 2), per_channel=False)),
        ("relu", _transpose_conv([1, 4, 4, 2], 3, (3, 3), (2, 2), act="RELU", seed=10)),
        ("relu6", _transpose_conv([1, 3, 3, 2], 2, (2, 2), (2, 2), act="RELU6", seed=11)),
        # output sizes TensorFlow also allows: one smaller or larger than in * stride
        ("same, odd output", _transpose_conv([1, 4, 4, 2], 3, (3, 3), (2, 2), out_hw=(7, 8))),
        (
            "valid, larger output",
            _transpose_conv([1, 3, 3, 2], 2, (3, 3), (2, 2), "VALID", out_hw=(8, 8)),
        ),
        ("many channels", _transpose_conv([1, 2, 2, 40], 24, (3, 3), (2, 2), seed=12)),
        (
            "zero points at the ends",
            _transpose_conv([1, 3, 3, 3], 2, (3, 3), (2, 2), q=((0.02, 127), (0.5, -128))),
        ),
        ("saturating", _transpose_conv([1, 3, 3, 8], 2, (3, 3), (1, 1), q=((1.0, 0), (0.001, 0)))),
    ]
    assert_bit_exact_many(cases, n_inputs=3)


@pytest.mark.parametrize(
    "model, detail",
    [
        # a forward SAME convolution of 9 columns at stride 2 gives 5, not the input's 4
        (_transpose_conv([1, 4, 4, 2], 3, (3, 3), (2, 2), out_hw=(8, 9)), "does not come from"),
    ],
)
def test_transpose_conv_unsupported(model, detail):
    sg = parse_model(model, "<tc>").main
    with pytest.raises(Unsupported, match=detail):
        lower_operator(sg.operators[0], sg)


@pytest.mark.parametrize(
    "model",
    [
        _transpose_conv([1, 4, 4, 3], 5, (2, 2), (2, 2)),
        _transpose_conv([1, 3, 3, 4], 3, (3, 3), (2, 2), "VALID"),
        _transpose_conv([2, 4, 4, 2], 3, (3, 3), (2, 2), out_hw=(7, 8)),
        _transpose_conv([1, 2, 5, 3], 2, (5, 3), (3, 1)),
    ],
)
def test_transpose_conv_macs_count_the_in_output_products(model):
    sg = parse_model(model, "<tc>").main
    op = sg.operators[0]
    (cout, kh, kw, cin), (_, ih, iw, _) = (sg.tensors[op.inputs[k]].shape for k in (1, 2))
    _, oh, ow, _ = sg.tensors[op.outputs[0]].shape
    params = dict(dict(lower_operator(op, sg).params)["geometry"].fields)
    # scatter every input pixel through every tap, count the products inside the output
    oy = np.arange(ih)[:, None] * params["stride_h"] - params["pad_h"] + np.arange(kh)[None, :]
    ox = np.arange(iw)[:, None] * params["stride_w"] - params["pad_w"] + np.arange(kw)[None, :]
    inside = ((oy >= 0) & (oy < oh)).sum() * ((ox >= 0) & (ox < ow)).sum()
    assert estimate_macs(op, sg).macs == inside * cin * cout > 0
