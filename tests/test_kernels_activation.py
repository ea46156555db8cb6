"""int8/uint8 RELU family, LEAKY_RELU and HARD_SWISH: bit-exact against LiteRT, on every input
value (the kernels are 256-entry tables, so each case checks the whole function)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.model import Operator, Subgraph
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder

MODELS = Path(__file__).resolve().parents[1] / "models"
NP = {"INT8": np.int8, "UINT8": np.uint8}


def unary_model(opcode, q_in, q_out, dtype="INT8", shape=(1, 16, 16, 1), options=None, out=None):
    b = ModelBuilder()
    x = b.tensor(shape, dtype, scale=q_in[0], zero_point=q_in[1])
    y = b.tensor(shape, out or dtype, scale=q_out[0], zero_point=q_out[1])
    opts_type = "LeakyReluOptions" if opcode == "LEAKY_RELU" else None
    b.op(opcode, [x], [y], opts_type, options)
    return b.build(inputs=[x], outputs=[y])


def all_values(dtype: str, n: int, seed: int) -> list[list[np.ndarray]]:
    """Input sets covering every value of the 8-bit type (then random values)."""
    info = np.iinfo(NP[dtype])
    rng = np.random.default_rng(seed)
    full = np.arange(info.min, info.max + 1)
    vals = np.concatenate([rng.permutation(full), rng.integers(info.min, info.max + 1, n)])
    return [[vals[:n].astype(NP[dtype])], [vals[n : 2 * n].astype(NP[dtype])]]


def run_cases(cases):
    """cases: (name, model bytes, input dtype); every case is fed all 256 values."""
    named = [(name, model) for name, model, _ in cases]
    inputs = {k: all_values(dt, 256, k) for k, (_, _, dt) in enumerate(cases)}
    assert_bit_exact_many(named, inputs=inputs)


def extract_single_op(sg: Subgraph, op: Operator) -> bytes:
    """A one-operator model reproducing `op` of a shipped model (shapes, quantization, constant
    operands and options); non-constant inputs become model inputs."""
    b = ModelBuilder()
    idx = {}
    for i in [*op.inputs, *op.outputs]:
        if i < 0 or i in idx:
            continue
        t = sg.tensors[i]
        q = t.quantization
        kw = {}
        if q is not None and q.scale:
            kw = dict(
                scale=list(q.scale),
                zero_point=list(q.zero_point),
                quantized_dimension=q.quantized_dimension,
            )
        idx[i] = b.tensor(t.shape, t.dtype, data=t.data, **kw)
    b.op(
        op.opcode,
        [idx.get(i, -1) for i in op.inputs],
        [idx[i] for i in op.outputs],
        op.options_type,
        op.options or None,
    )
    ins = [idx[i] for i in op.inputs if i >= 0 and sg.tensors[i].data is None]
    return b.build(inputs=ins, outputs=[idx[i] for i in op.outputs])


def shipped_layers(opcodes: set[str]) -> list[tuple[str, bytes]]:
    """Distinct single-op models for every operator of `opcodes` in the shipped models."""
    out, seen = [], set()
    for path in sorted(MODELS.glob("*.tflite")):
        sg = parse_model(path.read_bytes(), str(path)).main
        for op in sg.operators:
            if op.opcode not in opcodes:
                continue
            model = extract_single_op(sg, op)
            if model in seen:
                continue
            seen.add(model)
            out.append((f"{path.stem} op {op.index} {op.opcode}", model))
    return out


QUANTS = [
    ((0.05, 0), (0.05, 0)),
    ((0.05, -128), (0.05, -128)),
    ((0.02, 5), (0.03, -128)),
    ((0.1, 127), (0.02, -100)),
    ((0.003441, -128), (0.003922, -128)),
    ((0.005601, -52), (0.003922, -128)),
    ((1e-6, 15), (2e-6, -3)),
    ((3.0, -7), (0.5, 20)),
    ((0.01, 0), (0.2, 127)),
]


def test_relu_family_bit_exact():
    cases = []
    for opcode in ("RELU", "RELU6", "RELU_N1_TO_1", "RELU_0_TO_1"):
        for k, (qi, qo) in enumerate(QUANTS):
            cases.append((f"{opcode} q{k}", unary_model(opcode, qi, qo), "INT8"))
        cases.append(
            (f"{opcode} uint8", unary_model(opcode, (0.05, 128), (0.04, 100), "UINT8"), "UINT8")
        )
    run_cases(cases)


def test_leaky_relu_bit_exact():
    cases = []
    for alpha in (0.1, 0.2, 0.0, 0.01, 1.5, -0.5, 0.3333):
        for k, (qi, qo) in enumerate(QUANTS):
            model = unary_model("LEAKY_RELU", qi, qo, options={"alpha": alpha})
            cases.append((f"LEAKY_RELU alpha {alpha} q{k}", model, "INT8"))
    rng = np.random.default_rng(31)
    for k in range(40):
        alpha = float(rng.choice([-1, 1]) * 10 ** rng.uniform(-3, 0.5))
        if k % 4 == 0:
            alpha = float(rng.choice([-0.5, -0.25, -1.0, -0.125, 0.5, 2.0]))  # tie-prone
        qi = (float(10 ** rng.uniform(-5, 0.5)), int(rng.integers(-128, 128)))
        qo = (qi[0] * float(10 ** rng.uniform(-1, 1)), int(rng.integers(-128, 128)))
        model = unary_model("LEAKY_RELU", qi, qo, options={"alpha": alpha})
        cases.append((f"LEAKY_RELU random {k} alpha {alpha} {qi} {qo}", model, "INT8"))
    model = unary_model("LEAKY_RELU", (0.05, 128), (0.04, 100), "UINT8", options={"alpha": 0.2})
    cases.append(("LEAKY_RELU uint8", model, "UINT8"))
    run_cases(cases)


def test_hard_swish_bit_exact():
    cases = []
    for k, (qi, qo) in enumerate(QUANTS):
        cases.append((f"HARD_SWISH q{k}", unary_model("HARD_SWISH", qi, qo), "INT8"))
    # Random scales spanning the reluish multiplier's left-shift and right-shift regimes and
    # output multipliers from tiny to near 1, random zero points including the extremes.
    rng = np.random.default_rng(77)
    for k in range(120):
        si = float(10 ** rng.uniform(-7, 1.5))
        so = si * float(10 ** rng.uniform(-1.79, 0.5)) / 2
        zi = int(rng.choice([-128, 127, int(rng.integers(-128, 128))]))
        zo = int(rng.choice([-128, 127, int(rng.integers(-128, 128))]))
        model = unary_model("HARD_SWISH", (si, zi), (so, zo))
        cases.append((f"HARD_SWISH random {k} ({si}, {zi}) -> ({so}, {zo})", model, "INT8"))
    # Tiny input scales: int16 rounding shifts of 16 and more (gemmlowp's int16 mask wraps).
    for si in (1e-8, 3e-9, 4e-10, 1000.0):
        model = unary_model("HARD_SWISH", (si, 3), (si / 1.9, -5))
        cases.append((f"HARD_SWISH extreme scale {si}", model, "INT8"))
    for k in range(4):
        model = unary_model("HARD_SWISH", (0.05 * (k + 1), 128), (0.03, 60 * k), "UINT8")
        cases.append((f"HARD_SWISH uint8 {k}", model, "UINT8"))
    run_cases(cases)


def test_shipped_model_layers():
    """Every RELU / HARD_SWISH / LEAKY_RELU configuration in the shipped models, exactly."""
    layers = shipped_layers({"RELU", "RELU6", "LEAKY_RELU", "HARD_SWISH"})
    assert len(layers) >= 10
    # Full-range random inputs: every layer has at least 24 * 256 elements.
    assert_bit_exact_many(layers, n_inputs=1, seed=4)


def test_hard_swish_output_multiplier_above_one_unsupported():
    model = unary_model("HARD_SWISH", (1.0, 0), (1e-4, 0))
    sg = parse_model(model, "<hs>").main
    with pytest.raises(Unsupported, match="multiplier"):
        lower_operator(sg.operators[0], sg)


def test_relu_is_a_table_lookup():
    model = unary_model("RELU", (0.05, -3), (0.05, -3))
    sg = parse_model(model, "<relu>").main
    call = lower_operator(sg.operators[0], sg)
    assert call.function == "adrt_lut_s8"
    table = dict(call.params)["table"].values
    assert len(table) == 256
    assert table[0] == 0 and table[5] == 5  # non-negative inputs pass through
    assert table[255] == -1 and table[251] == -3  # -5 clamps to the zero point


def test_vector_lookup_tails():
    """The Helium lookup (16 bytes per gather) on 1..17, 31..33 and 257 elements, int8 and uint8
    (test_kernels_quantize covers the mixed int8/uint8 tables)."""
    named = []
    for n in [*range(1, 18), 31, 32, 33, 257]:
        q_in, q_out = QUANTS[n % len(QUANTS)]
        named.append((f"HARD_SWISH {n}", unary_model("HARD_SWISH", q_in, q_out, shape=(1, n))))
        named.append((f"RELU6 {n}", unary_model("RELU6", q_in, q_out, shape=(n,))))
        model = unary_model("RELU", (0.05, 128), (0.04, 100), "UINT8", shape=(n,))
        named.append((f"RELU uint8 {n}", model))
    assert_bit_exact_many(named, n_inputs=2, seed=9)
