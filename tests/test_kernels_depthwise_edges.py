"""DEPTHWISE_CONV_2D edge cases, bit-exact against LiteRT BUILTIN_REF on the host and on the
emulated boards (the Helium kernels on the M55 with gcc and clang: every scratch layout and
specialized kernel of codegen/variants/mve/depthwise.py, partial groups, bands and channel
blocks, both requantization paths)."""

from __future__ import annotations

import numpy as np
import pytest

from autodeploy.codegen.pipeline import compile_bytes
from autodeploy.target import MVE
from tests.support.generated_program import (
    REPO,
    board_named,
    build_image,
    run_image,
    runtime_library,
    workdir,
)
from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder

CHANNEL_COUNTS = (1, 3, 5, 15, 17, 33, 100)


def out_dim(padding: str, n: int, f: int, s: int, d: int) -> int:
    eff = (f - 1) * d + 1
    return (n + s - 1) // s if padding == "SAME" else (n - eff + s) // s


def dw_model(
    seed: int,
    shape: tuple[int, int, int, int],
    filt: tuple[int, int],
    *,
    dm: int = 1,
    stride: tuple[int, int] = (1, 1),
    dil: tuple[int, int] = (1, 1),
    padding: str = "SAME",
    act: str = "NONE",
    per_channel: bool = True,
    in_q: tuple[float, int] = (0.05, 3),
    out_q: tuple[float, int] = (0.08, -5),
    w_scale: tuple[float, float] = (0.002, 0.05),
    bias_range: int = 3000,
) -> bytes:
    """One DEPTHWISE_CONV_2D with weights over the whole int8 range; weight scales drawn from
    w_scale (one per channel, or one for the tensor)."""
    rng = np.random.default_rng(seed)
    n, h, w, c = shape
    oc = c * dm
    b = ModelBuilder()
    x = b.tensor(shape, "INT8", *in_q)
    weights = rng.integers(-128, 128, (1, *filt, oc), dtype=np.int8)
    scales = [float(s) for s in rng.uniform(*w_scale, oc if per_channel else 1)]
    wt = b.const(weights, scale=scales, zero_point=[0] * len(scales), quantized_dimension=3)
    bias = rng.integers(-bias_range, bias_range + 1, oc, dtype=np.int32)
    bt = b.const(bias, scale=[in_q[0] * s for s in scales], zero_point=[0] * len(scales))
    oh = out_dim(padding, h, filt[0], stride[0], dil[0])
    ow = out_dim(padding, w, filt[1], stride[1], dil[1])
    y = b.tensor([n, oh, ow, oc], "INT8", *out_q)
    b.conv([x, wt, bt], y, padding, stride, dil, act, depth_multiplier=dm)
    return b.build([x], [y])


def helium_kernel(model: bytes) -> str:
    """The function the M55 build calls for the model's one layer."""
    (layer,) = compile_bytes(model, "case", MVE).layers
    return layer.call.function


def saturated_inputs(shape: tuple[int, ...], seed: int) -> list[list[np.ndarray]]:
    """Input sets at both ends of int8, alternating between them, and random."""
    rng = np.random.default_rng(seed)
    checker = np.indices(shape).sum(axis=0) % 2
    return [
        [np.full(shape, -128, np.int8)],
        [np.full(shape, 127, np.int8)],
        [np.where(checker == 1, 127, -128).astype(np.int8)],
        [rng.integers(-128, 128, shape, dtype=np.int8)],
    ]


def test_depthwise_channel_counts_on_every_kernel():
    # per layout: (shape without channels, filter, stride, padding); the maps have tails (partial
    # groups of columns, a partial band of rows, an odd last pass)
    geometries = [
        ((1, 11, 5), (3, 3), (1, 1), "SAME"),  # planes, width 5, bands 8 + 3
        ((1, 9, 3), (3, 3), (1, 1), "SAME"),  # planes, width 3
        ((1, 7, 9), (3, 3), (1, 1), "SAME"),  # rows 3x3 stride 1: two groups + 1 column
        ((1, 9, 10), (3, 3), (2, 2), "SAME"),  # rows 3x3 stride 2, padding after only
        ((1, 7, 8), (5, 5), (1, 1), "SAME"),  # rows 5x5 stride 1 (two-chunk windows)
        ((1, 9, 9), (5, 5), (2, 2), "VALID"),  # rows 5x5 stride 2
        ((1, 6, 7), (2, 3), (1, 1), "SAME"),  # general kernel
        ((1, 20, 1), (5, 1), (1, 1), "VALID"),  # H x 1, run as 1 x H: rows 1 x k stride 1
    ]
    cases, kernels = [], set()
    for k, (hw, f, s, pad) in enumerate(geometries):
        for j, c in enumerate(CHANNEL_COUNTS):
            model = dw_model(1000 + 10 * k + j, (*hw, c), f, stride=s, padding=pad,
                             per_channel=j % 2 == 0)  # fmt: skip
            kernels.add(helium_kernel(model))
            cases.append((f"dw {hw}x{c} f{f} s{s} {pad}", model))
    assert kernels == {
        "adrt_mve_depthwise_3x3s1_w5_s8",
        "adrt_mve_depthwise_3x3s1_w3_s8",
        "adrt_mve_depthwise_k3s1_s8",
        "adrt_mve_depthwise_k3s2_s8",
        "adrt_mve_depthwise_k5s1_s8",
        "adrt_mve_depthwise_k5s2_s8",
        "adrt_mve_depthwise_s8",
        "adrt_mve_depthwise_k1s1_s8",
    }
    assert_bit_exact_many(cases, n_inputs=2, seed=40)


def test_depthwise_geometries():
    # shape, filter, depth multiplier, stride, dilation, padding
    geometries = [
        ((1, 9, 1, 4), (3, 3), 1, (1, 1), (1, 1), "SAME"),  # planes, width 1
        ((1, 17, 2, 8), (3, 3), 2, (1, 1), (1, 1), "SAME"),  # planes, width 2, multiplier 2
        ((1, 8, 4, 6), (3, 3), 3, (1, 1), (1, 1), "SAME"),  # planes, width 4, one whole band
        ((2, 10, 5, 40), (3, 3), 1, (1, 1), (1, 1), "SAME"),  # planes: 3 channel blocks, batch
        ((1, 4, 70, 40), (3, 3), 1, (1, 1), (1, 1), "SAME"),  # rows: 2 channel blocks
        ((1, 5, 5, 4), (3, 3), 1, (1, 1), (1, 1), "VALID"),  # narrow VALID: rows, not planes
        ((1, 12, 12, 8), (3, 3), 4, (1, 1), (2, 2), "SAME"),  # dilation: general kernel
        ((1, 11, 13, 5), (3, 3), 1, (1, 1), (3, 1), "VALID"),
        ((1, 9, 14, 6), (3, 3), 1, (1, 1), (1, 2), "SAME"),  # dilated across only
        ((1, 10, 11, 3), (3, 3), 2, (2, 1), (1, 1), "SAME"),  # stride 2 down, 1 across
        ((1, 9, 12, 5), (3, 3), 1, (1, 2), (1, 1), "SAME"),  # stride 1 down, 2 across
        ((1, 13, 13, 7), (3, 3), 1, (3, 3), (1, 1), "SAME"),  # stride 3: rows skipped
        ((1, 12, 12, 4), (7, 7), 1, (1, 1), (1, 1), "SAME"),  # four-chunk windows
        ((1, 8, 9, 6), (5, 5), 3, (2, 2), (1, 1), "SAME"),  # 5x5 stride 2, multiplier 3
        ((1, 1, 30, 8), (1, 7), 1, (1, 3), (1, 1), "SAME"),  # one row
        ((1, 10, 1, 8), (7, 1), 1, (1, 1), (1, 1), "SAME"),  # one column, run as one row
        ((1, 30, 1, 17), (3, 1), 2, (1, 1), (1, 1), "SAME"),
        ((1, 15, 1, 33), (15, 1), 1, (1, 1), (1, 1), "VALID"),  # one output per channel
        ((1, 24, 1, 12), (10, 1), 1, (2, 1), (1, 1), "VALID"),
        ((1, 6, 6, 5), (1, 1), 2, (1, 1), (1, 1), "VALID"),
        ((1, 4, 4, 1), (2, 2), 40, (1, 1), (1, 1), "VALID"),  # multiplier 40
        ((1, 7, 7, 9), (2, 2), 1, (2, 2), (1, 1), "SAME"),  # even kernel: padding after only
        ((1, 6, 6, 12), (4, 4), 1, (1, 1), (1, 1), "SAME"),  # padding 1 before, 2 after
        ((1, 3, 3, 16), (3, 3), 1, (1, 1), (1, 1), "VALID"),  # single output pixel
    ]
    cases = []
    for k, (shape, f, dm, s, d, pad) in enumerate(geometries):
        for act in ("NONE", "RELU6"):
            model = dw_model(2000 + k, shape, f, dm=dm, stride=s, dil=d, padding=pad, act=act,
                             per_channel=k % 3 != 1)  # fmt: skip
            cases.append((f"dw {shape} f{f} dm{dm} s{s} d{d} {pad} {act}", model))
    assert_bit_exact_many(cases, n_inputs=2, seed=41)


def test_depthwise_quantization_extremes():
    # (input scale, zero point), (output scale, zero point), weight scales: zero points at both
    # ends; requantization multipliers far above 1 (left shifts) and far below (shift ~ -25)
    quants = [
        ((0.05, -128), (0.08, 127), (0.002, 0.05)),
        ((0.5, 127), (0.01, -128), (0.002, 0.05)),
        ((1.0, 0), (0.004, 0), (0.5, 1.0)),  # multiplier ~ 100-250: shift 7-8
        ((0.001, -128), (40.0, -128), (0.0001, 0.001)),  # multiplier ~ 1e-9
        ((0.02, 5), (0.02, -3), (0.9, 1.0)),  # multiplier ~ 1: shift 0 or 1
    ]
    geometries = [
        ((1, 9, 5, 16), (3, 3), (1, 1), "SAME"),  # planes
        ((1, 6, 9, 17), (3, 3), (1, 1), "SAME"),  # rows, k3s1
        ((1, 9, 9, 8), (3, 3), (2, 2), "SAME"),  # rows, k3s2
        ((1, 6, 7, 3), (3, 3), (1, 1), "VALID"),  # rows, narrow
        ((1, 7, 7, 5), (2, 2), (1, 1), "SAME"),  # general
    ]
    cases, inputs = [], {}
    for k, (in_q, out_q, w_scale) in enumerate(quants):
        for j, (shape, f, s, pad) in enumerate(geometries):
            for act in ("NONE", "RELU", "RELU_N1_TO_1"):
                model = dw_model(3000 + 100 * k + 10 * j, shape, f, stride=s, padding=pad,
                                 act=act, per_channel=(j + k) % 2 == 0, in_q=in_q, out_q=out_q,
                                 w_scale=w_scale, bias_range=1 << 20)  # fmt: skip
                inputs[len(cases)] = saturated_inputs(shape, seed=len(cases))
                cases.append((f"dw q{in_q}->{out_q} w{w_scale} {shape} s{s} {pad} {act}", model))
    assert_bit_exact_many(cases, inputs=inputs)


@pytest.mark.parametrize("board", ["m55-gcc", "m55-clang"])
def test_right_shift_requantization_equals_the_reference(board):
    """The fast path's requantization (src/mve/depthwise_requant.h) for every shift < 0."""
    b = board_named(board)
    out = workdir() / f"depthwise_requant_{board}"
    out.mkdir(exist_ok=True)
    sources = [REPO / "tests" / "firmware" / "depthwise_requant" / "main.c"]
    sources += sorted((REPO / "firmware" / "board" / "mps3_an547").glob("*.c"))
    sources += sorted((REPO / "firmware" / "board" / "common").glob("*.c"))
    image = out / "image.elf"
    mve_src = REPO / "firmware" / "runtime" / "src" / "mve"
    common = REPO / "tests" / "firmware" / "common"
    build_image(b, sources, image, runtime_library(board), include=[mve_src, common])
    result = run_image(b, image)
    assert "depthwise_requant: 0 of 186000 lanes differ" in result.stderr, result.stderr
    assert result.returncode == 0
