"""CONV_2D and FULLY_CONNECTED edge cases (issue 12), bit-exact against LiteRT BUILTIN_REF on the
host and on the emulated boards, where the M55 runs the Helium kernels (src/mve/conv.c,
fully_connected.c): channel counts around the kernels' blocks (16 input bytes, 2 channels per
weight pair, 4 per requantization vector, 64 per sums chunk, 3 rows at a time), spatial tails,
padding on every side, stride, dilation, per-tensor and per-channel quantization, extreme
multipliers and shifts, zero points at -128 and 127, and inputs saturated at both ends."""

from __future__ import annotations

import numpy as np

from autodeploy.codegen.pipeline import compile_bytes
from autodeploy.codegen.variants.mve._packing import pack_lanes, pack_weights
from autodeploy.target import MVE
from tests.support.native_harness import assert_bit_exact_many, random_inputs
from tests.test_kernels_conv import conv_model, fc_model

CHANNELS = (1, 3, 5, 15, 17, 33, 100)


def with_saturated_inputs(cases, seed):
    """Input sets for every case: one random, one all -128, one all 127."""
    sets = {}
    for k, (_, model) in enumerate(cases):
        (random_set,) = random_inputs(model, 1, seed + k)
        sets[k] = [
            random_set,
            [np.full_like(a, -128) for a in random_set],
            [np.full_like(a, 127) for a in random_set],
        ]
    return sets


def test_conv2d_channel_counts():
    # every channel count as input and as output depth, for 1x1 (pixels staged in place) and
    # 3x3 (gathered receptive fields); 20 output pixels leave a tail of two after the threes
    cases = []
    for k, in_c in enumerate(CHANNELS):
        out_c = CHANNELS[-1 - k]
        for f in ((1, 1), (3, 3)):
            name = f"conv in_c={in_c} out_c={out_c} f{f}"
            model = conv_model(500 + k, (1, 5, 4, in_c), out_c, f, per_channel=k % 2 == 0)
            cases.append((name, model))
    # whole blocks of 16 input channels, and more than one 64-channel chunk of outputs
    for k, (in_c, out_c) in enumerate([(16, 64), (32, 65), (64, 130), (48, 2)]):
        for f in ((1, 1), (3, 3)):
            name = f"conv in_c={in_c} out_c={out_c} f{f}"
            cases.append((name, conv_model(520 + k, (1, 4, 3, in_c), out_c, f, act="RELU")))
    assert_bit_exact_many(cases, n_inputs=2, seed=30)


CONV_GEOMETRIES = [
    # input, out_c, filter, stride, dilation, padding
    ((1, 3, 3, 4), 5, (5, 5), (1, 1), (1, 1), "SAME"),  # padding on every side of every pixel
    ((1, 2, 3, 2), 3, (5, 5), (1, 1), (1, 1), "SAME"),  # filter larger than the image
    ((1, 4, 6, 3), 4, (4, 2), (1, 1), (1, 1), "SAME"),  # even filter: more padding bottom/right
    ((1, 7, 7, 5), 6, (3, 3), (2, 2), (1, 1), "SAME"),
    ((1, 8, 7, 5), 6, (3, 3), (2, 2), (1, 1), "VALID"),
    ((1, 9, 8, 6), 7, (3, 3), (1, 1), (2, 3), "SAME"),  # dilation with padding
    ((1, 9, 9, 3), 2, (2, 3), (1, 1), (3, 2), "VALID"),
    ((1, 8, 8, 20), 9, (3, 3), (2, 2), (2, 2), "SAME"),  # stride and dilation together
    ((2, 5, 5, 3), 8, (3, 3), (1, 1), (1, 1), "SAME"),  # triples straddle the two images
    ((3, 1, 1, 17), 5, (1, 1), (1, 1), (1, 1), "SAME"),  # one pixel per image
    ((1, 1, 1, 3), 4, (1, 1), (1, 1), (1, 1), "SAME"),  # a single pixel: tail of one
    ((1, 1, 2, 16), 3, (1, 1), (1, 1), (1, 1), "SAME"),  # tail of two
    ((1, 2, 2, 8), 6, (3, 3), (3, 3), (1, 1), "SAME"),  # one output pixel, padded
    ((1, 9, 7, 32), 10, (1, 1), (2, 2), (1, 1), "SAME"),  # 1x1 stride 2, whole blocks
    ((1, 6, 5, 7), 12, (1, 1), (2, 1), (1, 1), "VALID"),  # 1x1 stride, partial block
    ((1, 11, 6, 1), 16, (10, 4), (2, 2), (1, 1), "SAME"),  # KWS-like first layer
    ((1, 10, 8, 3), 8, (3, 3), (2, 2), (1, 1), "SAME"),  # VWW-like first layer
    ((1, 1, 20, 16), 16, (1, 5), (1, 2), (1, 1), "SAME"),  # 1-D along the width
    ((1, 12, 1, 9), 4, (5, 1), (1, 1), (2, 1), "SAME"),  # 1-D along the height, dilated
]


def test_conv2d_geometry_edges():
    cases = []
    for k, (shape, oc, f, s, d, pad) in enumerate(CONV_GEOMETRIES):
        act = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")[k % 4]
        name = f"conv {shape} oc{oc} f{f} s{s} d{d} {pad} {act}"
        cases.append(
            (name, conv_model(600 + k, shape, oc, f, s, d, pad, act, per_channel=k % 3 > 0))
        )
    # the first layer of MLPerf Tiny KWS itself: 49x10x1, 10x4 filter, stride 2, SAME, 64 outputs
    kws = conv_model(650, (1, 49, 10, 1), 64, (10, 4), (2, 2), act="RELU")
    cases.append(("KWS first conv", kws))
    assert_bit_exact_many(cases, n_inputs=2, seed=31)


def _geometric_scales(n, low, high):
    return [float(v) for v in np.geomspace(low, high, n)]


# (name, input (scale, zero point), output (scale, zero point), weight scales or None, bias_max)
QUANT_EDGES = [
    ("zero points -128 -> 127", (0.05, -128), (0.08, 127), None, 3000),
    ("zero points 127 -> -128", (0.05, 127), (0.08, -128), None, 3000),
    ("left shifts", (1.0, 3), (1e-4, -2), [0.05] * 7, 3000),  # multiplier x500: shift 9
    ("shift 0 and 1", (0.5, 0), (0.01, 0), _geometric_scales(7, 0.011, 0.039), 3000),
    ("deep right shifts", (1e-3, 5), (100.0, 0), [1e-3] * 7, 1 << 20),  # about 2^-26
    ("multiplier flushed to 0", (1e-5, -4), (10.0, 1), [1e-5] * 7, 1 << 20),
    ("mixed shifts per channel", (0.05, -9), (0.05, 6), _geometric_scales(7, 1e-7, 10.0), 3000),
    ("large bias", (0.02, 0), (0.5, -1), None, 1 << 24),
]


def test_conv2d_quantization_edges():
    cases = []
    for k, (label, in_q, out_q, w_scales, bias_max) in enumerate(QUANT_EDGES):
        for f, pc in (((1, 1), False), ((3, 3), True)):
            act = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")[(k + f[0]) % 4]
            model = conv_model(
                700 + k,
                (1, 5, 4, 6),
                7,
                f,
                act=act,
                per_channel=pc,
                in_q=in_q,
                out_q=out_q,
                w_scales=(w_scales if pc else w_scales[:1]) if w_scales else None,
                bias_max=bias_max,
            )
            cases.append((f"conv {label} f{f} pc={pc} {act}", model))
    assert_bit_exact_many(cases, inputs=with_saturated_inputs(cases, 32))


FC_SHAPES = [
    # batches, depth, out_c
    (1, 1, 1),
    (1, 3, 3),
    (1, 5, 5),
    (1, 15, 15),
    (1, 16, 17),
    (1, 17, 33),
    (1, 33, 100),
    (1, 100, 130),
    (1, 640, 5),
    (2, 17, 5),
    (3, 33, 17),
    (4, 16, 3),
    (5, 100, 33),
    (7, 5, 65),
    (2, 128, 128),
]


def test_fully_connected_shapes():
    cases = []
    for k, (batches, depth, oc) in enumerate(FC_SHAPES):
        act = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")[k % 4]
        pc = k % 2 == 1
        name = f"fc {batches}x{depth} -> {oc} {act} pc={pc}"
        cases.append((name, fc_model(800 + k, (batches, depth), oc, act, per_channel=pc)))
    assert_bit_exact_many(cases, n_inputs=2, seed=33)


def test_fully_connected_quantization_edges():
    cases = []
    for k, (label, in_q, out_q, w_scales, _) in enumerate(QUANT_EDGES):
        for batches, pc in ((1, False), (4, True)):
            model = fc_model(
                900 + k,
                (batches, 24),
                7,
                act=("NONE", "RELU")[k % 2],
                per_channel=pc,
                in_q=in_q,
                out_q=out_q,
                w_scales=(w_scales if pc else w_scales[:1]) if w_scales else None,
            )
            cases.append((f"fc {label} batches={batches} pc={pc}", model))
    assert_bit_exact_many(cases, inputs=with_saturated_inputs(cases, 34))


GROUPED = [
    # input, out_c, filter, stride, dilation, padding (groups = input channels)
    ((1, 1, 30, 5), 5, (1, 3), (1, 1), (1, 1), "SAME"),
    ((1, 1, 31, 6), 12, (1, 5), (1, 2), (1, 1), "SAME"),  # two outputs per group
    ((1, 1, 17, 3), 9, (1, 3), (1, 1), (1, 2), "VALID"),  # three outputs per group, dilated
    ((1, 6, 5, 7), 7, (3, 3), (2, 1), (1, 1), "SAME"),  # padding on every side, 2-D
    ((2, 4, 4, 17), 17, (2, 3), (1, 1), (2, 1), "SAME"),  # batches, channel tail of one
    ((1, 1, 9, 33), 33, (1, 9), (1, 3), (1, 1), "SAME"),  # filter wider than the stride
]


def test_grouped_conv2d_one_input_channel_per_group():
    # HeartKit's grouped 1-D convolutions (filter depth 1) run the channel-wise Helium kernel
    cases = []
    for k, (shape, oc, f, s, d, pad) in enumerate(GROUPED):
        act = ("NONE", "RELU6", "RELU")[k % 3]
        name = f"grouped conv {shape} oc{oc} f{f} s{s} d{d} {pad} {act}"
        model = conv_model(1000 + k, shape, oc, f, s, d, pad, act, groups=shape[3])
        cases.append((name, model))
    for k, (label, in_q, out_q, w_scales, bias_max) in enumerate(QUANT_EDGES):
        model = conv_model(
            1100 + k,
            (1, 2, 9, 7),
            7,
            (1, 3),
            groups=7,
            in_q=in_q,
            out_q=out_q,
            w_scales=w_scales,
            bias_max=bias_max,
        )
        cases.append((f"grouped conv {label}", model))
    assert_bit_exact_many(cases, inputs=with_saturated_inputs(cases, 35))


def _calls(model):
    program = compile_bytes(model, "<edge>", MVE)
    return [layer.call for layer in program.layers]


def test_helium_variants_are_chosen_and_grouped_conv_over_channels_falls_back():
    # the bit-exactness tests above only test the Helium code if the M55 build runs it
    (conv3,) = _calls(conv_model(1, (1, 6, 6, 4), 8, (3, 3)))
    (conv1,) = _calls(conv_model(2, (1, 6, 6, 32), 8, (1, 1)))
    (grouped,) = _calls(conv_model(3, (1, 6, 6, 8), 4, (3, 3), groups=2))
    (channelwise,) = _calls(conv_model(3, (1, 1, 9, 8), 16, (1, 3), groups=8))
    (fc1,) = _calls(fc_model(4, (1, 32), 5))
    (fc_odd,) = _calls(fc_model(5, (1, 33), 5))
    (fc3,) = _calls(fc_model(6, (3, 32), 5))
    assert (conv3.function, conv3.kernel) == ("adrt_mve_conv2d_s8", "mve")
    assert conv3.scratch_bytes == 4 * 48 + 16  # depth 36 -> 48 per row
    assert (conv1.function, conv1.scratch_bytes) == ("adrt_mve_conv2d_1x1_s8", 3 * 32)
    assert (grouped.function, grouped.kernel) == ("adrt_conv2d_s8", "c")
    assert (channelwise.function, channelwise.kernel) == ("adrt_mve_conv2d_channelwise_s8", "mve")
    assert (fc1.function, fc1.kernel, fc1.scratch_bytes) == (
        "adrt_mve_fully_connected_s8",
        "mve",
        0,
    )
    assert (fc_odd.function, fc_odd.scratch_bytes) == ("adrt_mve_fully_connected_staged_s8", 48)
    assert (fc3.function, fc3.scratch_bytes) == ("adrt_mve_fully_connected_staged_s8", 3 * 32)
    # the original weights are not emitted beside the packed ones
    assert all(call.inputs == (0,) for call in (conv3, conv1, channelwise, fc1, fc3))


def test_weight_and_parameter_packing_layout():
    w = np.arange(5 * 20, dtype=np.int64).reshape(5, 20).astype(np.int8)
    packed = np.asarray(pack_weights(w).values).reshape(3, 2, 2, 16)  # pairs, blocks, ch, lane
    for oc in range(6):
        for i in range(32):
            want = w[oc, i] if oc < 5 and i < 20 else 0
            assert packed[oc // 2, i // 16, oc % 2, i % 16] == want
    # one batch x four channels reads two pairs per step: channels padded to a multiple of 4
    assert len(pack_weights(w, channel_multiple=4)) == 8 * 2 * 16
    lanes = np.asarray(pack_lanes(np.arange(5) + 10, -np.arange(5)).values).reshape(2, 2, 4)
    assert lanes[0].tolist() == [[10, 11, 12, 13], [0, -1, -2, -3]]
    assert lanes[1].tolist() == [[14, 0, 0, 0], [-4, 0, 0, 0]]
