"""16x8 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED (int16 activations with zero point 0, int8
weights, int64 bias): bit-exact against LiteRT BUILTIN_REF (TFLM where LiteRT refuses)."""

from __future__ import annotations

import numpy as np
import pytest

from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many, tflm_reference
from tests.support.tflite_builder import ModelBuilder

ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]


def out_dim(padding, n, f, s, d=1):
    eff = (f - 1) * d + 1
    return (n + s - 1) // s if padding == "SAME" else (n - eff + s) // s


def edge_sets(shape, rng, n_random=2):
    """Input sets for saturation: all -32768, all 32767, alternating extremes, then random."""
    sets = [np.full(shape, -32768, np.int16), np.full(shape, 32767, np.int16)]
    alt = np.where(np.indices(shape).sum(axis=0) % 2 == 0, 32767, -32768).astype(np.int16)
    sets.append(alt)
    sets += [rng.integers(-32768, 32768, shape).astype(np.int16) for _ in range(n_random)]
    return [[s] for s in sets]


def conv_s16_model(
    seed,
    shape,
    oc,
    filt,
    stride=(1, 1),
    dil=(1, 1),
    padding="SAME",
    act="NONE",
    per_channel=True,
    groups=1,
    bias="random",
    in_scale=0.01,
    out_scale=None,
    depthwise=False,
    weights=None,
):
    """One 16x8 conv; bias: "random" (about the accumulator's size), "none" (input -1), "large"
    (+-2^40), "zero". The default output scale keeps typical outputs near +-8000 (in range)."""
    rng = np.random.default_rng(seed)
    taps = filt[0] * filt[1] * (1 if depthwise else shape[3] // groups)
    typical_acc = int(np.sqrt(taps) * 73 * 18900)  # rms int8 x rms int16 x sqrt(taps)
    if out_scale is None:
        out_scale = in_scale * 0.026 * typical_acc / 8000
    b = ModelBuilder()
    n, h, w, c = shape
    oh = out_dim(padding, h, filt[0], stride[0], dil[0])
    ow = out_dim(padding, w, filt[1], stride[1], dil[1])
    x = b.tensor(shape, "INT16", in_scale, 0)
    if depthwise:
        wshape, qdim = (1, filt[0], filt[1], oc), 3
    else:
        wshape, qdim = (oc, filt[0], filt[1], c // groups), 0
    wdata = rng.integers(-127, 128, wshape, dtype=np.int8) if weights is None else weights
    if per_channel:
        ws = [float(s) for s in rng.uniform(0.002, 0.05, oc)]
    else:
        ws = [float(rng.uniform(0.002, 0.05))]
    wt = b.const(wdata, scale=ws, zero_point=[0] * len(ws), quantized_dimension=qdim)
    inputs = [x, wt]
    if bias == "none":
        inputs.append(-1)
    else:
        limit = {"random": typical_acc, "large": 1 << 40, "zero": 1}[bias]
        bdata = rng.integers(-limit, limit, oc).astype(np.int64) * (bias != "zero")
        bs = [in_scale * s for s in ws]
        inputs.append(b.const(bdata, scale=bs, zero_point=[0] * len(bs)))
    y = b.tensor([n, oh, ow, oc], "INT16", out_scale, 0)
    if depthwise:
        b.conv(inputs, y, padding, stride, dil, act, depth_multiplier=oc // c, version=5)
    else:
        b.conv(inputs, y, padding, stride, dil, act, version=4)
    return b.build([x], [y])


CONV_GEOMS = [
    # shape, oc, filter, stride, dilation, padding
    ((1, 8, 8, 3), 4, (3, 3), (1, 1), (1, 1), "SAME"),
    ((1, 9, 7, 5), 6, (3, 3), (2, 2), (1, 1), "SAME"),
    ((1, 9, 7, 5), 6, (3, 3), (2, 1), (1, 1), "VALID"),
    ((2, 6, 6, 4), 3, (1, 1), (1, 1), (1, 1), "VALID"),
    ((1, 10, 10, 2), 5, (3, 3), (1, 1), (2, 2), "SAME"),
    ((1, 10, 11, 3), 2, (3, 2), (1, 1), (2, 3), "VALID"),
    ((1, 1, 1, 7), 9, (1, 1), (1, 1), (1, 1), "SAME"),
    ((1, 4, 13, 6), 8, (2, 4), (3, 2), (1, 1), "SAME"),
    ((1, 1, 20, 16), 16, (1, 5), (1, 2), (1, 1), "SAME"),
    ((1, 6, 6, 72), 3, (3, 3), (1, 1), (1, 1), "SAME"),  # 648 taps: several int32 partial sums
]


def test_conv2d_s16_geometries_and_activations():
    cases = []
    for k, (shape, oc, f, s, d, pad) in enumerate(CONV_GEOMS):
        for act in ACTS:
            pc = k % 3 != 0 or act == "RELU6"
            name = f"conv16 {shape} oc{oc} f{f} s{s} d{d} {pad} {act} pc={pc}"
            cases.append((name, conv_s16_model(k, shape, oc, f, s, d, pad, act, per_channel=pc)))
    assert_bit_exact_many(cases, n_inputs=2, seed=20)


def test_conv2d_s16_saturation_and_scales():
    """Output scales that saturate at -32768/32767 and ones that barely move, extreme inputs,
    large biases and weights at the int8 limits."""
    rng = np.random.default_rng(7)
    cases, inputs = [], {}
    scales = [(0.01, 1e-4), (1e-4, 0.5), (0.5, 0.5), (3e-5, 2e-6), (0.02, 40.0)]
    for k, (si, so) in enumerate(scales):
        for bias in ("random", "large", "zero"):
            shape = (1, 5, 6, 4)
            extreme = np.where(rng.random((3, 3, 3, 4)) < 0.5, -128, 127).astype(np.int8)
            model = conv_s16_model(
                40 + k, shape, 3, (3, 3), bias=bias, in_scale=si, out_scale=so, weights=extreme
            )
            inputs[len(cases)] = edge_sets(shape, rng)
            cases.append((f"conv16 scales {si}->{so} bias={bias}", model))
    assert_bit_exact_many(cases, inputs=inputs)


def test_conv2d_s16_grouped():
    cases = []
    geoms = [
        ((1, 1, 50, 24), 24, (1, 3), (1, 1), "SAME", 24),
        ((1, 6, 6, 8), 4, (3, 3), (1, 1), "SAME", 2),
        ((1, 7, 5, 6), 9, (2, 3), (2, 1), "SAME", 3),
    ]
    for k, (shape, oc, f, s, pad, g) in enumerate(geoms):
        name = f"grouped conv16 {shape} oc{oc} f{f} groups={g}"
        cases.append((name, conv_s16_model(60 + k, shape, oc, f, s, (1, 1), pad, groups=g)))
    assert_bit_exact_many(cases, n_inputs=2, seed=21)


def test_conv2d_s16_without_bias():
    # LiteRT requires a conv bias: bias-less convs are checked against TFLM's reference kernel.
    cases = [
        (f"conv16 no bias {act}", conv_s16_model(70, (1, 6, 5, 4), 3, (3, 3), act=act, bias="none"))
        for act in ("NONE", "RELU")
    ]
    assert_bit_exact_many(cases, n_inputs=2, seed=22, reference=tflm_reference)


def test_depthwise_conv2d_s16():
    cases = []
    geoms = [
        ((1, 8, 8, 3), 3, (3, 3), (1, 1), (1, 1), "SAME"),
        ((1, 9, 7, 4), 8, (3, 3), (2, 2), (1, 1), "SAME"),  # depth multiplier 2
        ((1, 9, 7, 2), 6, (3, 2), (1, 2), (1, 1), "VALID"),  # depth multiplier 3
        ((1, 10, 10, 5), 5, (3, 3), (1, 1), (2, 2), "SAME"),
        ((2, 5, 6, 70), 70, (3, 3), (1, 1), (1, 1), "SAME"),  # several channel chunks
        ((1, 4, 4, 1), 40, (2, 2), (1, 1), (1, 1), "VALID"),  # multiplier 40 across chunks
        ((1, 4, 4, 3), 45, (2, 2), (1, 1), (1, 1), "SAME"),  # multiplier 15, chunk mid-channel
        ((1, 1, 30, 8), 8, (1, 7), (1, 3), (1, 1), "SAME"),
    ]
    for k, (shape, oc, f, s, d, pad) in enumerate(geoms):
        for act in ACTS:
            pc = act != "RELU"
            name = f"dwconv16 {shape} oc{oc} f{f} s{s} d{d} {pad} {act} pc={pc}"
            model = conv_s16_model(
                80 + k, shape, oc, f, s, d, pad, act, per_channel=pc, depthwise=True
            )
            cases.append((name, model))
    rng = np.random.default_rng(5)
    inputs = {}
    for k, (si, so) in enumerate([(0.01, 1e-4), (3e-5, 2e-6), (0.3, 0.01)]):
        inputs[len(cases)] = edge_sets((1, 5, 6, 4), rng)
        model = conv_s16_model(
            95 + k,
            (1, 5, 6, 4),
            8,
            (3, 3),
            bias="large",
            in_scale=si,
            out_scale=so,
            depthwise=True,
        )
        cases.append((f"dwconv16 scales {si}->{so}", model))
    assert_bit_exact_many(cases, n_inputs=2, seed=23, inputs=inputs)


def fc_s16_model(
    seed, in_shape, oc, act="NONE", per_channel=False, bias=None, scales=None, weight_scales=None
):
    """One 16x8 FULLY_CONNECTED; bias None: random about the accumulator's size, "none": no bias
    (input -1), an int: that largest |bias|. scales: (input, output), by default keeping typical
    outputs near +-8000."""
    rng = np.random.default_rng(seed)
    b = ModelBuilder()
    depth = in_shape[-1]
    batches = int(np.prod(in_shape)) // depth
    typical_acc = int(np.sqrt(depth) * 73 * 18900)
    scales = scales or (0.01, 0.01 * 0.026 * typical_acc / 8000)
    x = b.tensor(in_shape, "INT16", scales[0], 0)
    n = oc if per_channel else 1
    ws = weight_scales or [float(s) for s in rng.uniform(0.002, 0.05, n)]
    wt = b.const(rng.integers(-128, 128, (oc, depth), dtype=np.int8), scale=ws)
    inputs = [x, wt]
    if bias == "none":
        inputs.append(-1)
    else:
        limit = typical_acc if bias is None else bias
        bdata = rng.integers(-limit, limit, oc, endpoint=True).astype(np.int64)
        inputs.append(b.const(bdata, scale=[scales[0] * s for s in ws]))
    y = b.tensor([batches, oc], "INT16", scales[1], 0)
    b.op(
        "FULLY_CONNECTED", inputs, [y], "FullyConnectedOptions", {"fused_activation_function": act}
    )
    return b.build([x], [y])


def test_fully_connected_s16():
    cases = []
    shapes = [((1, 16), 10), ((3, 7), 5), ((2, 3, 8), 4), ((1, 1), 1), ((1, 1100), 9)]
    for k, (shape, oc) in enumerate(shapes):
        for act in ACTS:
            for pc in (False, True):
                name = f"fc16 {shape} oc{oc} {act} pc={pc}"
                cases.append((name, fc_s16_model(100 + k, shape, oc, act, per_channel=pc)))
    for pc in (False, True):
        cases.append(
            (f"fc16 no bias pc={pc}", fc_s16_model(110, (2, 12), 6, bias="none", per_channel=pc))
        )
    assert_bit_exact_many(cases, n_inputs=3, seed=24)


def test_fully_connected_s16_rounding_and_overflow():
    """LiteRT rounds the double product half away from zero (a scale of exactly 0.5 puts every
    odd accumulator on a tie), saturates within int16, and turns a product beyond int32 into
    INT32_MIN: the lowest output, 0 under RELU, even for a huge positive accumulator."""
    rng = np.random.default_rng(9)
    cases, inputs = [], {}
    setups = [
        ("ties", dict(scales=(0.5, 0.25), weight_scales=[0.25], bias=1000)),
        ("ties per channel", dict(scales=(0.5, 1.0), weight_scales=[1.0, 0.5, 2.0, 0.25], bias=9)),
        ("saturating", dict(scales=(0.01, 1e-4))),
        ("tiny", dict(scales=(2e-5, 3.0))),
        ("beyond int32", dict(scales=(0.01, 1e-6), bias=1 << 40)),
        ("beyond int32 relu", dict(scales=(0.01, 1e-6), bias=1 << 40, act="RELU")),
        ("largest bias", dict(scales=(1e-3, 1e3), bias=(1 << 52))),
    ]
    for k, (what, kw) in enumerate(setups):
        oc = len(kw.get("weight_scales") or [0] * 5)
        pc = oc > 1 and "weight_scales" in kw
        if what.startswith("ties"):  # small inputs keep the products in range
            sets = [[rng.integers(-50, 51, (3, 4)).astype(np.int16)] for _ in range(6)]
            inputs[len(cases)] = sets
            cases.append((f"fc16 {what}", fc_s16_model(120 + k, (3, 4), oc, per_channel=pc, **kw)))
            continue
        inputs[len(cases)] = edge_sets((2, 40), rng, n_random=4)
        cases.append((f"fc16 {what}", fc_s16_model(120 + k, (2, 40), oc, per_channel=pc, **kw)))
    assert_bit_exact_many(cases, inputs=inputs)


def _lower_only(model: bytes):
    sg = parse_model(model, "m").main
    return lower_operator(sg.operators[0], sg)


def test_16x8_refusals_name_the_problem():
    b = ModelBuilder()
    x = b.tensor((1, 4, 4, 2), "INT16", 0.01, 3)
    w = b.const(np.ones((2, 3, 3, 2), np.int8), scale=[0.1, 0.1])
    bias = b.const(np.zeros(2, np.int64), scale=[1e-3, 1e-3])
    y = b.tensor((1, 4, 4, 2), "INT16", 0.02, 0)
    b.op("CONV_2D", [x, w, bias], [y], "Conv2DOptions", {"padding": "SAME"})
    with pytest.raises(Unsupported, match="zero point 3"):
        _lower_only(b.build([x], [y]))

    b = ModelBuilder()
    x = b.tensor((1, 4, 4, 2), "INT16", 0.01, 0)
    w = b.const(np.ones((2, 3, 3, 2), np.int8), scale=[0.1, 0.1])
    bias = b.const(np.zeros(2, np.int32), scale=[1e-3, 1e-3])
    y = b.tensor((1, 4, 4, 2), "INT16", 0.02, 0)
    b.op("CONV_2D", [x, w, bias], [y], "Conv2DOptions", {"padding": "SAME"})
    with pytest.raises(Unsupported, match="INT32 bias"):
        _lower_only(b.build([x], [y]))
