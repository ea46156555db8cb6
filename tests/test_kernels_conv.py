"""CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED (int8): bit-exact against LiteRT BUILTIN_REF."""

from __future__ import annotations

import numpy as np
import pytest

from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many, litert_reference, tflm_reference
from tests.support.tflite_builder import ModelBuilder

ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]


def out_dim(padding, n, f, s, d=1):
    eff = (f - 1) * d + 1
    return (n + s - 1) // s if padding == "SAME" else (n - eff + s) // s


def _quant(rng, per_channel, n):
    if per_channel:
        return [float(s) for s in rng.uniform(0.002, 0.05, n)]
    return [float(rng.uniform(0.002, 0.05))]


def conv_model(
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
    bias=True,
    in_q=(0.05, 3),
    out_q=(0.08, -5),
    depthwise=False,
    zero_bias=False,
    w_scales=None,
    bias_max=3000,
):
    """A one-op CONV_2D (or DEPTHWISE_CONV_2D) model with seeded random weights and bias (in
    +-bias_max); weight scales random (per channel or per tensor) unless given as w_scales."""
    rng = np.random.default_rng(seed)
    b = ModelBuilder()
    n, h, w, c = shape
    oh = out_dim(padding, h, filt[0], stride[0], dil[0])
    ow = out_dim(padding, w, filt[1], stride[1], dil[1])
    x = b.tensor(shape, "INT8", *in_q)
    if depthwise:
        wshape, qdim = (1, filt[0], filt[1], oc), 3
    else:
        wshape, qdim = (oc, filt[0], filt[1], c // groups), 0
    wdata = rng.integers(-127, 128, wshape, dtype=np.int8)
    ws = _quant(rng, per_channel, oc) if w_scales is None else list(w_scales)
    wt = b.const(wdata, scale=ws, zero_point=[0] * len(ws), quantized_dimension=qdim)
    inputs = [x, wt]
    if bias or zero_bias:
        bs = [in_q[0] * s for s in ws]
        bdata = rng.integers(-bias_max, bias_max, oc, dtype=np.int32)
        if zero_bias:
            bdata = np.zeros(oc, np.int32)
        inputs.append(b.const(bdata, scale=bs, zero_point=[0] * len(bs)))
    else:
        inputs.append(-1)
    y = b.tensor([n, oh, ow, oc], "INT8", *out_q)
    b.conv(inputs, y, padding, stride, dil, act, oc // c if depthwise else None)
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
    ((1, 5, 5, 1), 1, (5, 5), (1, 1), (1, 1), "SAME"),
    ((1, 4, 13, 6), 8, (2, 4), (3, 2), (1, 1), "SAME"),
    ((1, 1, 20, 16), 16, (1, 5), (1, 2), (1, 1), "SAME"),
]


def test_conv2d_geometries_and_activations():
    cases = []
    for k, (shape, oc, f, s, d, pad) in enumerate(CONV_GEOMS):
        for act in ACTS:
            for pc in (True, False):
                name = f"conv {shape} oc{oc} f{f} s{s} d{d} {pad} {act} pc={pc}"
                cases.append((name, conv_model(k, shape, oc, f, s, d, pad, act, per_channel=pc)))
    assert_bit_exact_many(cases, n_inputs=2, seed=10)


QUANTS = [((0.05, -128), (0.08, 127)), ((0.5, 127), (0.01, -128)), ((0.003, 0), (2.0, 0))]


@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_quantization_extremes(bias):
    # LiteRT requires a conv bias: bias-less convs are checked against TFLM's reference kernel.
    reference = litert_reference if bias else tflm_reference
    cases = []
    for k, (in_q, out_q) in enumerate(QUANTS):
        if True:
            for act in ("NONE", "RELU6"):
                name = f"conv q{in_q}->{out_q} bias={bias} {act}"
                model = conv_model(
                    100 + k, (1, 6, 5, 4), 3, (3, 3), act=act, bias=bias, in_q=in_q, out_q=out_q
                )
                cases.append((name, model))
    assert_bit_exact_many(cases, n_inputs=2, seed=11, reference=reference)


def test_conv2d_grouped():
    cases = []
    geoms = [
        # heartkit_arrhythmia: filter 24x1x3x1 on 24 channels (groups = 24)
        ((1, 1, 50, 24), 24, (1, 3), (1, 1), "SAME", 24),
        ((1, 1, 25, 24), 24, (1, 3), (1, 2), "VALID", 24),
        ((1, 1, 40, 32), 32, (1, 3), (1, 2), "SAME", 32),  # heartkit's strided layers
        ((1, 6, 6, 8), 4, (3, 3), (1, 1), "SAME", 2),
        ((1, 7, 5, 6), 9, (2, 3), (2, 1), "SAME", 3),
        ((1, 5, 5, 4), 8, (3, 3), (1, 1), "VALID", 4),
    ]
    for k, (shape, oc, f, s, pad, g) in enumerate(geoms):
        for act in ("NONE", "RELU6"):
            name = f"grouped conv {shape} oc{oc} f{f} s{s} {pad} groups={g} {act}"
            model = conv_model(200 + k, shape, oc, f, s, (1, 1), pad, act, groups=g)
            cases.append((name, model))
    assert_bit_exact_many(cases, n_inputs=2, seed=12)


def test_depthwise_conv2d():
    cases = []
    geoms = [
        # shape, out channels, filter, stride, dilation, padding
        ((1, 8, 8, 3), 3, (3, 3), (1, 1), (1, 1), "SAME"),
        ((1, 9, 7, 4), 8, (3, 3), (2, 2), (1, 1), "SAME"),  # depth multiplier 2
        ((1, 9, 7, 2), 6, (3, 2), (1, 2), (1, 1), "VALID"),  # depth multiplier 3
        ((1, 10, 10, 5), 5, (3, 3), (1, 1), (2, 2), "SAME"),
        ((2, 5, 6, 70), 70, (3, 3), (1, 1), (1, 1), "SAME"),  # > one channel chunk
        ((1, 4, 4, 1), 40, (2, 2), (1, 1), (1, 1), "VALID"),  # multiplier 40
        ((1, 1, 1, 3), 3, (1, 1), (1, 1), (1, 1), "SAME"),
        ((1, 1, 30, 8), 8, (1, 7), (1, 3), (1, 1), "SAME"),
    ]
    for k, (shape, oc, f, s, d, pad) in enumerate(geoms):
        for act in ACTS:
            pc = act != "RELU"
            name = f"dwconv {shape} oc{oc} f{f} s{s} d{d} {pad} {act} pc={pc}"
            model = conv_model(
                300 + k, shape, oc, f, s, d, pad, act, per_channel=pc, depthwise=True
            )
            cases.append((name, model))
    assert_bit_exact_many(cases, n_inputs=2, seed=13)


@pytest.mark.parametrize("bias", [True, False])
def test_depthwise_conv2d_quantization_extremes(bias):
    # LiteRT requires a depthwise bias and TFLM crashes without one: a bias-less model is checked
    # against LiteRT running the same model with an all-zero bias (identical arithmetic).
    cases, twins = [], {}
    for k, (in_q, out_q) in enumerate(QUANTS):
        for act in ("NONE", "RELU"):
            kw = dict(act=act, in_q=in_q, out_q=out_q, depthwise=True)
            model = conv_model(350 + k, (1, 5, 6, 4), 8, (3, 3), bias=bias, **kw)
            twins[model] = conv_model(350 + k, (1, 5, 6, 4), 8, (3, 3), zero_bias=True, **kw)
            cases.append((f"dwconv q{in_q}->{out_q} bias={bias} {act}", model))
    reference = litert_reference
    if not bias:

        def reference(model, sets):
            return litert_reference(twins[model], sets)

    assert_bit_exact_many(cases, n_inputs=2, seed=15, reference=reference)


def fc_model(
    seed,
    in_shape,
    oc,
    act="NONE",
    per_channel=False,
    bias=True,
    keep_num_dims=False,
    in_q=(0.05, -7),
    out_q=(0.1, 4),
    w_scales=None,
):
    """A one-op FULLY_CONNECTED model with seeded random weights and bias; weight scales random
    (per channel or per tensor) unless given as w_scales."""
    rng = np.random.default_rng(seed)
    b = ModelBuilder()
    depth = in_shape[-1]
    batches = int(np.prod(in_shape)) // depth
    x = b.tensor(in_shape, "INT8", *in_q)
    ws = _quant(rng, per_channel, oc) if w_scales is None else list(w_scales)
    wt = b.const(rng.integers(-127, 128, (oc, depth), dtype=np.int8), scale=ws)
    inputs = [x, wt]
    if bias:
        bs = [in_q[0] * s for s in ws]
        inputs.append(b.const(rng.integers(-5000, 5000, oc, dtype=np.int32), scale=bs))
    else:
        inputs.append(-1)
    out_shape = list(in_shape[:-1]) + [oc] if keep_num_dims else [batches, oc]
    y = b.tensor(out_shape, "INT8", *out_q)
    opts = {"fused_activation_function": act, "keep_num_dims": keep_num_dims}
    b.op("FULLY_CONNECTED", inputs, [y], "FullyConnectedOptions", opts, version=5)
    return b.build([x], [y])


def test_fully_connected():
    cases = []
    shapes = [((1, 16), 10), ((3, 7), 5), ((2, 3, 8), 4), ((1, 1), 1), ((1, 250), 33)]
    k = 0
    for shape, oc in shapes:
        for act in ACTS:
            for pc in (False, True):
                k += 1
                name = f"fc {shape} oc{oc} {act} pc={pc}"
                cases.append((name, fc_model(400 + k, shape, oc, act, per_channel=pc)))
    cases.append(("fc keep_num_dims", fc_model(450, (2, 3, 8), 4, keep_num_dims=True)))
    cases.append(("fc no bias", fc_model(451, (2, 12), 6, bias=False)))
    for j, (in_q, out_q) in enumerate([((0.05, -128), (0.1, 127)), ((0.3, 127), (0.02, -128))]):
        for pc in (False, True):
            name = f"fc q{in_q}->{out_q} pc={pc}"
            cases.append(
                (name, fc_model(460 + j, (2, 20), 7, per_channel=pc, in_q=in_q, out_q=out_q))
            )
    assert_bit_exact_many(cases, n_inputs=3, seed=14)


def test_conv_rejects_tanh_activation():
    model = conv_model(1, (1, 4, 4, 2), 2, (3, 3), act="TANH")
    sg = parse_model(model, "m").main
    with pytest.raises(Unsupported, match="TANH"):
        lower_operator(sg.operators[0], sg)
