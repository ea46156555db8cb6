"""The DSP-extension kernels (SMLAD/SXTB16: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED) against
LiteRT BUILTIN_REF, on edge cases that stress their build-time packing: channel counts that leave
tails of 1-3 in a block of 4 or an odd channel in a pair, odd pixel counts, padding on every
side, stride, dilation, depth multipliers, zero points at both ends, saturated inputs, and
multipliers from a left shift to a right shift past 30.

Every assert runs on the host (portable C) and on the emulated boards with both compilers: the
Cortex-M4 boards run these DSP kernels (on the M55 boards the Helium variants take precedence
where they exist). test_the_dsp_kernels_cover_the_cases checks that each case really compiles to
the DSP kernel on the M4's target, so a silent fallback cannot make the exactness tests pass.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from autodeploy.codegen.lower.activation import mul_by_quantized_multiplier
from autodeploy.codegen.pipeline import compile_bytes
from autodeploy.codegen.quant import quantize_multiplier
from autodeploy.codegen.variants.dsp._requant import fast_record
from autodeploy.target import DSP
from tests.support.native_harness import assert_bit_exact_many, random_inputs
from tests.support.tflite_builder import ModelBuilder
from tests.test_kernels_elementwise import binary_model
from tests.test_kernels_pooling import pool_model

ODD_CHANNELS = (1, 3, 5, 15, 17, 33, 100)


def _out_dim(padding: str, n: int, f: int, s: int, d: int) -> int:
    eff = (f - 1) * d + 1
    return (n + s - 1) // s if padding == "SAME" else (n - eff + s) // s


def layer_model(
    op: str,
    seed: int,
    shape,
    oc: int,
    filt=(1, 1),
    *,
    stride=(1, 1),
    dil=(1, 1),
    padding="SAME",
    act="NONE",
    in_q=(0.05, 3),
    out_q=(0.08, -5),
    w_scale=(0.002, 0.05),
    per_channel=True,
    weights="random",
    bias_range=3000,
    groups=1,
) -> bytes:
    """One CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED layer. Weight scales are drawn from the
    range w_scale (per channel or one per tensor); weights are random int8, "max" (every weight
    127: the largest accumulators) or "dead" (every third channel's weights 0 and its bias
    +-2^30, as quantizers leave unused channels)."""
    rng = np.random.default_rng(seed)
    b = ModelBuilder()
    x = b.tensor(shape, "INT8", *in_q)
    if op == "FULLY_CONNECTED":
        wshape, qdim = (oc, shape[-1]), 0
    elif op == "DEPTHWISE_CONV_2D":
        wshape, qdim = (1, *filt, oc), 3
    else:
        wshape, qdim = (oc, *filt, shape[3] // groups), 0
    if weights == "max":
        wdata = np.full(wshape, 127, np.int8)
    else:
        wdata = rng.integers(-127, 128, wshape, dtype=np.int8)
    bdata = rng.integers(-bias_range, bias_range + 1, oc, dtype=np.int32)
    if weights == "dead":
        dead = np.arange(oc) % 3 == 0
        np.moveaxis(wdata, qdim, 0)[dead] = 0
        bdata[dead] = rng.choice([-(1 << 30), 1 << 30], int(dead.sum()))
    scales = [float(s) for s in rng.uniform(*w_scale, oc if per_channel else 1)]
    w = b.const(wdata, scale=scales, zero_point=[0] * len(scales), quantized_dimension=qdim)
    bias_scales = [in_q[0] * s for s in scales]
    bias = b.const(bdata, scale=bias_scales)
    if op == "FULLY_CONNECTED":
        y = b.tensor([int(np.prod(shape)) // shape[-1], oc], "INT8", *out_q)
        opts = {"fused_activation_function": act}
        b.op(op, [x, w, bias], [y], "FullyConnectedOptions", opts, version=5)
        return b.build([x], [y])
    n, h, wd, c = shape
    oh = _out_dim(padding, h, filt[0], stride[0], dil[0])
    ow = _out_dim(padding, wd, filt[1], stride[1], dil[1])
    y = b.tensor([n, oh, ow, oc], "INT8", *out_q)
    opts = {
        "padding": padding,
        "stride_h": stride[0],
        "stride_w": stride[1],
        "dilation_h_factor": dil[0],
        "dilation_w_factor": dil[1],
        "fused_activation_function": act,
    }
    if op == "DEPTHWISE_CONV_2D":
        opts["depth_multiplier"] = oc // c
        b.op(op, [x, w, bias], [y], "DepthwiseConv2DOptions", opts, version=6)
    else:
        b.op(op, [x, w, bias], [y], "Conv2DOptions", opts, version=6)
    return b.build([x], [y])


# Quantizations: zero points at both ends, per tensor, effective multipliers > 1 (a left shift),
# near 2^31, and so small that the right shift exceeds 30 (every output is the zero point).
QUANTS = {
    "zp -128 -> 127": dict(in_q=(0.05, -128), out_q=(0.08, 127)),
    "zp 127 -> -128": dict(in_q=(0.5, 127), out_q=(0.02, -128)),
    "per tensor": dict(per_channel=False),
    "scale > 1": dict(in_q=(1.0, -3), out_q=(0.01, 2), w_scale=(0.1, 0.6)),
    "multiplier ~ 2^31": dict(in_q=(0.5, 0), out_q=(0.5, 0), w_scale=(0.999999, 0.9999999)),
    "shift -30": dict(in_q=(0.01, 5), out_q=(50.0, 0), w_scale=(1e-6, 2e-6)),
    "shift < -31": dict(in_q=(0.01, 5), out_q=(100.0, 0), w_scale=(1e-9, 2e-9)),
}
ACTS = ("RELU", "RELU6", "RELU_N1_TO_1")
PORTABLE = "(portable)"  # ends the name of a case the DSP kernels leave to the portable one


def conv_cases() -> list[tuple[str, bytes]]:
    cases = []
    for k, c in enumerate(ODD_CHANNELS):
        oc = ODD_CHANNELS[(k + 2) % len(ODD_CHANNELS)]
        cases.append((f"conv 1x1 {c}->{oc}", layer_model("CONV_2D", k, (1, 3, 5, c), oc)))
        cases.append(
            (f"conv 3x3 {c}->{oc}", layer_model("CONV_2D", 10 + k, (1, 5, 3, c), oc, (3, 3)))
        )
    geometries = [
        # name, shape, oc, filter, stride, dilation, padding
        ("stride 2 odd image", (1, 7, 6, 3), 4, (3, 3), (2, 2), (1, 1), "SAME"),
        ("2x2 pads right and bottom", (1, 5, 4, 6), 3, (2, 2), (1, 1), (1, 1), "SAME"),
        ("filter larger than image", (1, 3, 4, 2), 5, (5, 5), (1, 1), (1, 1), "SAME"),
        ("1x7", (1, 2, 9, 4), 6, (1, 7), (1, 1), (1, 1), "SAME"),
        ("kws first layer", (1, 49, 10, 1), 64, (10, 4), (2, 2), (1, 1), "SAME"),
        ("dilation 2", (1, 9, 9, 5), 3, (3, 3), (1, 1), (2, 2), "SAME"),
        ("dilation 2x3 valid", (1, 10, 11, 3), 2, (3, 2), (1, 1), (2, 3), "VALID"),
        ("1x1 stride 2", (1, 5, 7, 6), 5, (1, 1), (2, 2), (1, 1), "SAME"),
        ("stride 2x1 valid", (1, 9, 7, 5), 7, (3, 3), (2, 1), (1, 1), "VALID"),
        ("batch 2 pointwise", (2, 3, 3, 8), 9, (1, 1), (1, 1), (1, 1), "VALID"),
        ("batch 2 3x3", (2, 4, 3, 3), 4, (3, 3), (1, 1), (1, 1), "SAME"),
        ("one pixel", (1, 1, 1, 7), 9, (1, 1), (1, 1), (1, 1), "SAME"),
    ]
    for k, (name, shape, oc, f, s, d, pad) in enumerate(geometries):
        model = layer_model("CONV_2D", 100 + k, shape, oc, f, stride=s, dil=d, padding=pad)
        cases.append((f"conv {name}", model))
    for k, (name, q) in enumerate(QUANTS.items()):
        model = layer_model("CONV_2D", 200 + k, (1, 4, 5, 7), 5, (3, 3), **q)
        cases.append((f"conv {name}", model))
    for k, act in enumerate(ACTS):
        model = layer_model("CONV_2D", 220 + k, (1, 4, 3, 6), 3, (3, 3), act=act)
        cases.append((f"conv {act}", model))
    cases.append(
        ("conv dead channels", layer_model("CONV_2D", 225, (1, 3, 4, 8), 7, weights="dead"))
    )
    grouped = [
        # name, shape, out channels, groups, filter, stride: one input channel per group runs
        # on the depthwise kernel, more per group stays portable
        ("heartkit", (1, 1, 40, 24), 24, 24, (1, 3), (1, 1)),
        ("heartkit stride 2", (1, 1, 25, 32), 32, 32, (1, 3), (1, 2)),
        ("2 outputs per group", (1, 5, 4, 5), 10, 5, (3, 3), (1, 1)),
        (f"2 inputs per group {PORTABLE}", (1, 5, 4, 6), 6, 3, (3, 3), (1, 1)),
    ]
    for k, (name, shape, oc, g, f, s) in enumerate(grouped):
        model = layer_model("CONV_2D", 240 + k, shape, oc, f, stride=s, groups=g)
        cases.append((f"grouped conv {name}", model))
    # The largest accumulators (every weight 127, 900 taps) shifted left by 5, still within the
    # fast requantization's range; by 6 with the input offset added, past it (portable kernel).
    big = dict(weights="max", bias_range=0, out_q=(1.0, 0))
    for name, in_q, w_scale in (
        ("largest accumulators", (1.0, 0), (20.0, 30.0)),
        (f"accumulators past the fast range {PORTABLE}", (1.0, -128), (50.0, 60.0)),
    ):
        model = layer_model(
            "CONV_2D", 230, (1, 3, 3, 100), 4, (3, 3), in_q=in_q, w_scale=w_scale, **big
        )
        cases.append((f"conv {name}", model))
    return cases


def depthwise_cases() -> list[tuple[str, bytes]]:
    cases = []
    for k, c in enumerate(ODD_CHANNELS):
        model = layer_model("DEPTHWISE_CONV_2D", 300 + k, (1, 4, 5, c), c, (3, 3))
        cases.append((f"dwconv 3x3 {c} channels", model))
    geometries = [
        # name, shape, out channels, filter, stride, dilation, padding
        ("multiplier 2", (1, 5, 4, 3), 6, (3, 3), (1, 1), (1, 1), "SAME"),
        ("multiplier 3, 5x5 stride 2", (1, 7, 6, 5), 15, (5, 5), (2, 2), (1, 1), "SAME"),
        ("multiplier 8, one channel", (1, 4, 4, 1), 8, (2, 2), (1, 1), (1, 1), "SAME"),
        ("micro_speech", (1, 49, 40, 1), 8, (10, 8), (2, 2), (1, 1), "SAME"),
        ("3x3 stride 2 valid", (1, 9, 8, 8), 8, (3, 3), (2, 2), (1, 1), "VALID"),
        ("3x3 stride 2 same", (1, 6, 7, 20), 20, (3, 3), (2, 2), (1, 1), "SAME"),
        ("dilation 2", (1, 8, 9, 6), 6, (3, 3), (1, 1), (2, 2), "SAME"),
        ("dilation 3x2 valid", (1, 9, 8, 4), 4, (3, 3), (1, 1), (3, 2), "VALID"),
        ("dilation 2x1", (1, 9, 6, 8), 8, (3, 3), (1, 1), (2, 1), "SAME"),
        ("wide image, ring of 4 channels", (1, 6, 70, 10), 10, (3, 3), (1, 1), (1, 1), "SAME"),
        ("1x7", (1, 1, 30, 9), 9, (1, 7), (1, 3), (1, 1), "SAME"),
        ("7x1 column image", (1, 30, 1, 9), 9, (7, 1), (3, 1), (1, 1), "SAME"),
        ("3x1 column image dilation 2", (1, 20, 1, 8), 8, (3, 1), (1, 1), (2, 1), "VALID"),
        ("2x2 pads right and bottom", (1, 5, 4, 12), 12, (2, 2), (1, 1), (1, 1), "SAME"),
        ("filter larger than image", (1, 2, 3, 4), 4, (3, 3), (1, 1), (1, 1), "SAME"),
        ("batch 2", (2, 4, 3, 8), 8, (3, 3), (1, 1), (1, 1), "SAME"),
        ("kws", (1, 25, 5, 64), 64, (3, 3), (1, 1), (1, 1), "SAME"),
    ]
    for k, (name, shape, oc, f, s, d, pad) in enumerate(geometries):
        model = layer_model(
            "DEPTHWISE_CONV_2D", 320 + k, shape, oc, f, stride=s, dil=d, padding=pad
        )
        cases.append((f"dwconv {name}", model))
    for k, (name, q) in enumerate(QUANTS.items()):
        model = layer_model("DEPTHWISE_CONV_2D", 350 + k, (1, 4, 5, 7), 7, (3, 3), **q)
        cases.append((f"dwconv {name}", model))
    for k, act in enumerate(ACTS):
        model = layer_model("DEPTHWISE_CONV_2D", 370 + k, (1, 4, 3, 6), 12, (3, 3), act=act)
        cases.append((f"dwconv {act}", model))
    model = layer_model("DEPTHWISE_CONV_2D", 380, (1, 3, 4, 9), 9, (3, 3), weights="dead")
    cases.append(("dwconv dead channels", model))
    return cases


def fully_connected_cases() -> list[tuple[str, bytes]]:
    cases = []
    for k, depth in enumerate((*ODD_CHANNELS, 250)):
        oc = ODD_CHANNELS[(k + 3) % len(ODD_CHANNELS)]
        batches = 1 + k % 3
        model = layer_model("FULLY_CONNECTED", 400 + k, (batches, depth), oc, per_channel=k % 2)
        cases.append((f"fc {batches}x{depth} -> {oc}", model))
    for k, (name, q) in enumerate(QUANTS.items()):
        model = layer_model("FULLY_CONNECTED", 420 + k, (3, 21), 5, **q)
        cases.append((f"fc {name}", model))
    for k, act in enumerate(ACTS):
        model = layer_model("FULLY_CONNECTED", 440 + k, (2, 12), 7, act=act)
        cases.append((f"fc {act}", model))
    return cases + [(name, model) for name, model, _ in shallow_fully_connected_cases()]


# Shallow layers (depth <= 16): extreme multipliers with every shift at least 32 (m near 2^31
# with a total shift of exactly 32; a total shift past 60), zero points at both ends, a RELU
# that clamps nothing beyond the output zero point -128.
SHALLOW_QUANTS = {
    "zp -128 -> 127": dict(in_q=(0.05, -128), out_q=(0.08, 127)),
    "zp 127 -> -128": dict(in_q=(0.5, 127), out_q=(0.5, -128)),
    "per tensor": dict(per_channel=False),
    "multiplier ~ 2^31, shift 32": dict(
        in_q=(0.5, 0), out_q=(1.0, 0), w_scale=(0.999999, 0.9999999)
    ),
    "shift -30": dict(in_q=(0.01, 5), out_q=(50.0, 0), w_scale=(1e-6, 2e-6)),
    "relu, zp -128": dict(out_q=(0.08, -128), act="RELU"),
}


@cache
def shallow_fully_connected_cases() -> list[tuple[str, bytes, str]]:
    """(name, model, the kernel function it must compile to) for the shallow DSP kernels:
    depths 1 to 16 around each depth class's edges, 1 to 17 outputs (odd and even), 1 to 3
    batches, then the quantizations above at depths 2, 3 and 16."""
    cases = []
    shapes = ((1, 1), (2, 3), (3, 17), (4, 16), (5, 2), (8, 17), (12, 1), (13, 3), (15, 17))
    for k, (depth, oc) in enumerate((*shapes, (16, 5), (16, 16))):
        batches = 1 + k % 3
        model = layer_model(
            "FULLY_CONNECTED", 460 + k, (batches, depth), oc, per_channel=k % 2 == 0
        )
        cases.append((f"fc shallow {batches}x{depth} -> {oc}", model, depth))
    for k, (name, q) in enumerate(SHALLOW_QUANTS.items()):
        for j, depth in enumerate((2, 3, 16)):
            model = layer_model("FULLY_CONNECTED", 480 + 3 * k + j, (2, depth), 5, **q)
            cases.append((f"fc shallow {depth} {name}", model, depth))
    return [
        (name, model, f"adrt_dsp_fully_connected_shallow{min(c for c in (2, 4, 16) if d <= c)}_s8")
        for name, model, d in cases
    ]


def elementwise_cases() -> list[tuple[str, bytes]]:
    shapes = {
        "same shape": ([1, 4, 5, 7], [1, 4, 5, 7]),
        "per channel": ([1, 4, 5, 7], [1, 1, 1, 7]),
        "per channel first": ([1, 1, 1, 6], [1, 3, 5, 6]),
        "per pixel": ([1, 4, 5, 7], [1, 4, 5, 1]),
        "scalar": ([1, 3, 5, 6], [1]),
        "scalar first": ([], [1, 3, 5, 6]),
        f"three loop levels {PORTABLE}": ([2, 1, 4, 1], [1, 3, 1, 5]),
    }
    quants = {
        "": ((0.05, 3), (0.04, -2), (0.06, 1), "NONE"),
        " zp -128 -> 127": ((0.05, -128), (0.1, 127), (0.08, 127), "NONE"),
        " zp 127 -> -128": ((0.5, 127), (0.02, -128), (0.3, -128), "NONE"),
        " relu6": ((0.05, 3), (0.04, -2), (0.06, 1), "RELU6"),
        " scales 1e6 apart": ((1e-6, 0), (1.0, 5), (0.9, 0), "NONE"),
        " output scale 100x smaller": ((1.0, 0), (1.0, 0), (0.01, 0), "NONE"),
    }
    cases = []
    for op in ("MUL", "ADD", "SUB"):
        for name, (s1, s2) in shapes.items():
            cases.append((f"{op} {name}", binary_model(op, s1, s2, *quants[""])))
        for suffix, q in quants.items():
            if suffix:
                cases.append((f"{op}{suffix}", binary_model(op, [1, 3, 4, 5], [1, 3, 4, 5], *q)))
    return cases


def average_pool_cases() -> list[tuple[str, bytes]]:
    geometries = {
        # name: shape, filter, stride, padding
        "kws global": ((1, 25, 5, 64), (25, 5), (25, 5), "VALID"),
        "3x3 stride 2 same": ((1, 7, 9, 5), (3, 3), (2, 2), "SAME"),
        "3x2 batch 2": ((2, 5, 5, 3), (3, 2), (1, 2), "SAME"),
        "2x2 stride 2": ((1, 8, 8, 17), (2, 2), (2, 2), "VALID"),
        "256 taps": ((1, 16, 16, 6), (16, 16), (1, 1), "VALID"),
        f"400 taps {PORTABLE}": ((1, 20, 20, 4), (20, 20), (1, 1), "VALID"),
    }
    cases = []
    for name, (shape, f, s, pad) in geometries.items():
        for act, (scale, zp) in (
            ("NONE", (0.05, 0)),
            ("RELU6", (0.02, -128)),
            ("NONE", (0.1, 127)),
        ):
            model = pool_model("AVERAGE_POOL_2D", shape, f, s, pad, act, scale, zp)
            cases.append((f"avgpool {act} zp {zp} {name}", model))
    return cases


def _saturated_inputs(cases) -> dict[int, list]:
    """Two random input sets per case, then every input at -128 and every input at 127."""
    inputs = {}
    for k, (_, model) in enumerate(cases):
        sets = random_inputs(model, 2, 50 + k)
        sets += [[np.full_like(a, v) for a in sets[0]] for v in (-128, 127)]
        inputs[k] = sets
    return inputs


@cache
def _all_cases() -> dict[str, list[tuple[str, bytes]]]:
    return {
        "CONV_2D": conv_cases(),
        "DEPTHWISE_CONV_2D": depthwise_cases(),
        "FULLY_CONNECTED": fully_connected_cases(),
        "MUL/ADD/SUB": elementwise_cases(),
        "AVERAGE_POOL_2D": average_pool_cases(),
    }


@pytest.mark.parametrize(
    "op", ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "MUL/ADD/SUB", "AVERAGE_POOL_2D"]
)
def test_dsp_kernels_are_bit_exact(op):
    cases = _all_cases()[op]
    assert_bit_exact_many(cases, inputs=_saturated_inputs(cases))


def test_the_dsp_kernels_cover_the_cases():
    """Each case compiles to a DSP kernel for the Cortex-M4, except those named portable: an
    accumulator that may leave the range of the fast requantization, a grouped convolution with
    more than one input channel per group, a broadcast of more than rows of outputs, a pooling
    window of more than 256 taps."""
    for op, cases in _all_cases().items():
        for name, model in cases:
            program = compile_bytes(model, name, DSP)
            (layer,) = program.layers
            expected = "c" if name.endswith(PORTABLE) else "dsp"
            assert layer.call.kernel == expected, f"{op} {name}: {layer.call.kernel} kernel"


def test_shallow_fully_connected_layers_run_the_shallow_kernels():
    for name, model, function in shallow_fully_connected_cases():
        (layer,) = compile_bytes(model, name, DSP).layers
        assert layer.call.function == function, f"{name}: {layer.call.function}"


def _dsp_requant(acc: int, record) -> int:
    """src/dsp/dsp_arith.h's adrt_dsp_requant in Python, asserting that every intermediate fits
    the 32-bit register it lives in."""
    m, left1, rounding, right1 = record

    def fits(v: int) -> int:
        assert -(1 << 31) <= v < 1 << 31, v
        return v

    s = fits((fits(acc << left1) * m + (1 << 31)) >> 32)  # SMMULR
    return fits(rounding + 2 * s + (-1 if s < 0 else 0)) >> right1


def test_fast_requantization_records_match_the_reference():
    """The five-instruction requantization of the DSP kernels equals TFLite's double rounding
    (plus the output zero point) for every accumulator within the bound its record was built
    for, over multipliers from a left shift of 30 to a flush to zero."""
    rng = np.random.default_rng(7)
    built = 0
    for k in range(1000):
        # every 4th multiplier a power of 2 (m = 2^30): both roundings meet exact ties
        exponent = rng.uniform(-40, 12) if k % 4 else float(rng.integers(-40, 12))
        m, shift = quantize_multiplier(float(2.0**exponent))
        bound = int(rng.integers(1, 1 << int(rng.integers(1, 29))))
        z = int(rng.integers(-128, 128))
        record = fast_record(m, shift, bound, z)
        if record is None:
            continue
        built += 1
        accs = [bound, -bound, *range(-min(bound, 64), min(bound, 64) + 1)]
        accs += rng.integers(-bound, bound + 1, 20).tolist()
        for acc in accs:
            assert _dsp_requant(acc, record) == mul_by_quantized_multiplier(acc, m, shift) + z
    assert built > 600
