"""int8 ADD, SUB, MUL, MINIMUM, MAXIMUM: bit-exact against LiteRT's reference kernels."""

from __future__ import annotations

import numpy as np
import pytest

from autodeploy.codegen.lower.elementwise import broadcast_iteration
from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder

OPTIONS = {
    "ADD": "AddOptions",
    "SUB": "SubOptions",
    "MUL": "MulOptions",
    "MINIMUM": "MaximumMinimumOptions",
    "MAXIMUM": "MaximumMinimumOptions",
}
FUSED = ("ADD", "SUB", "MUL")


def binary_model(opcode, shape1, shape2, q1, q2, qo, act="NONE", const1=None, const2=None):
    """One binary op; q* are (scale, zero_point); const* make that operand constant."""
    b = ModelBuilder()
    out_shape = np.broadcast_shapes(tuple(shape1), tuple(shape2))
    if const1 is not None:
        x = b.const(np.asarray(const1, np.int8).reshape(shape1), scale=q1[0], zero_point=q1[1])
    else:
        x = b.tensor(shape1, "INT8", scale=q1[0], zero_point=q1[1])
    if const2 is not None:
        y = b.const(np.asarray(const2, np.int8).reshape(shape2), scale=q2[0], zero_point=q2[1])
    else:
        y = b.tensor(shape2, "INT8", scale=q2[0], zero_point=q2[1])
    z = b.tensor(out_shape, "INT8", scale=qo[0], zero_point=qo[1])
    opts = {"fused_activation_function": act} if opcode in FUSED else {}
    b.op(opcode, [x, y], [z], OPTIONS[opcode], opts)
    inputs = [t for t, c in ((x, const1), (y, const2)) if c is None]
    return b.build(inputs=inputs, outputs=[z])


# Broadcast patterns (shape1, shape2) covering the no-broadcast fast path, scalar and per-channel
# operands on either side, odd and 1-sized dims, rank mismatch, and 5-D / 6-D shapes.
SHAPES = [
    ([1, 8, 8, 16], [1, 8, 8, 16]),
    ([3, 5, 7], [3, 5, 7]),
    ([1], [1]),
    ([], []),
    ([1, 5, 3, 7], []),
    ([], [1, 5, 3, 7]),
    ([1, 5, 3, 7], [1]),
    ([1, 6, 6, 24], [1, 1, 1, 24]),
    ([1, 1, 1, 24], [1, 6, 6, 24]),
    ([1, 4, 5, 9], [9]),
    ([2, 1, 4, 1], [1, 3, 1, 5]),
    ([2, 3, 1], [2, 1, 4]),
    ([1, 7, 1, 3], [1, 1, 5, 1]),
    ([5, 1], [1, 6]),
    ([2, 3, 4, 5, 3], [2, 1, 4, 1, 3]),
    ([2, 1, 3, 1, 2, 1], [1, 2, 1, 2, 1, 3]),
    ([1, 2, 3, 4, 5, 6], [6]),
]

# (q1, q2, qo) quantization triples: ordinary, extreme zero points, extreme scale ratios.
QUANTS = [
    ((0.05, 3), (0.08, -7), (0.1, 2)),
    ((0.5, -128), (0.5, 127), (0.75, -128)),
    ((0.01, 127), (0.3, -128), (0.02, 127)),
    ((1e-6, 15), (1.3e-6, -4), (2e-6, 7)),
    ((2.0, 0), (0.001, 0), (2.5, -5)),
    ((0.003, -100), (4.0, 100), (0.7, 0)),
]

ACTS = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")


def _cases(opcode: str):
    cases = []
    for k, (s1, s2) in enumerate(SHAPES):
        q1, q2, qo = QUANTS[k % len(QUANTS)]
        act = ACTS[k % len(ACTS)] if opcode in FUSED else "NONE"
        cases.append((f"{opcode} {s1} {s2} q{k % len(QUANTS)} {act}", s1, s2, q1, q2, qo, act))
    if opcode in FUSED:
        for k, (q1, q2, qo) in enumerate(QUANTS):
            for act in ACTS:
                cases.append((f"{opcode} q{k} {act}", [2, 3, 5, 4], [4], q1, q2, qo, act))
    return cases


def _run(opcode: str, extra=()):
    named = []
    for name, s1, s2, q1, q2, qo, act in _cases(opcode):
        named.append((name, binary_model(opcode, s1, s2, q1, q2, qo, act)))
    named += list(extra)
    assert_bit_exact_many(named, n_inputs=3, seed=11)


def test_add_bit_exact():
    _run("ADD")


def test_sub_bit_exact():
    _run("SUB")


def test_mul_bit_exact():
    _run("MUL")


def test_minimum_maximum_bit_exact():
    named = []
    for opcode in ("MINIMUM", "MAXIMUM"):
        for name, s1, s2, q1, q2, qo, act in _cases(opcode):
            named.append((name, binary_model(opcode, s1, s2, q1, q2, qo, act)))
    assert_bit_exact_many(named, n_inputs=3, seed=5)


def test_random_configurations():
    """Seeded random shapes, broadcast patterns, quantization and activations for all ops."""
    rng = np.random.default_rng(1234)
    named = []
    for k in range(60):
        opcode = ("ADD", "SUB", "MUL", "MINIMUM", "MAXIMUM")[k % 5]
        rank = int(rng.integers(1, 6))
        out = [int(d) for d in rng.integers(1, 6, rank)]
        s1 = [d if rng.random() < 0.6 else 1 for d in out][int(rng.integers(0, rank)) :]
        s2 = [d if rng.random() < 0.6 else 1 for d in out][int(rng.integers(0, rank)) :]
        qs = []
        for _ in range(3):
            scale = float(10 ** rng.uniform(-4, 0.5))
            zp = int(rng.choice([-128, 127, int(rng.integers(-128, 128))]))
            qs.append((scale, zp))
        # ADD requires the output multiplier below 1: keep the output scale large enough.
        if opcode in ("ADD", "SUB"):
            lo = 2 * max(qs[0][0], qs[1][0]) / (1 << 20) * 4
            qs[2] = (max(qs[2][0], lo), qs[2][1])
        act = str(rng.choice(ACTS)) if opcode in FUSED else "NONE"
        name = f"random {k} {opcode} {s1} {s2} {qs} {act}"
        named.append((name, binary_model(opcode, s1, s2, *qs, act)))
    assert_bit_exact_many(named, n_inputs=2, seed=99)


def test_constant_operands():
    rng = np.random.default_rng(3)
    named = []
    for opcode in ("ADD", "SUB", "MUL", "MINIMUM", "MAXIMUM"):
        c = rng.integers(-128, 128, 12)
        named.append(
            (
                f"{opcode} const second",
                binary_model(opcode, [2, 5, 12], [12], (0.1, 4), (0.02, -3), (0.12, 1), const2=c),
            )
        )
        named.append(
            (
                f"{opcode} const first",
                binary_model(opcode, [1], [3, 4], (0.1, 4), (0.02, -3), (0.12, 1), const1=[77]),
            )
        )
    assert_bit_exact_many(named, n_inputs=2, seed=8)


def test_shipped_model_layers():
    """Exact layer configurations of the shipped models using these ops."""
    named = [
        # mobilenet_v3_small: squeeze-excite gating, x * hard_sigmoid(se) per channel.
        (
            "mnv3 mul se scalar",
            binary_model(
                "MUL",
                [1, 1, 1, 16],
                [],
                (0.011882, -128),
                (0.000654, -128),
                (0.00198, -128),
                const2=[127],
            ),
        ),
        (
            "mnv3 mul gate 56x56x16",
            binary_model(
                "MUL",
                [1, 56, 56, 16],
                [1, 1, 1, 16],
                (0.001277, -128),
                (0.00198, -128),
                (0.000637, -128),
            ),
        ),
        (
            "mnv3 mul gate 14x14x96",
            binary_model(
                "MUL", [1, 14, 14, 96], [1, 1, 1, 96], (1e-6, 15), (0.001961, -128), (1e-6, 15)
            ),
        ),
        (
            "mnv3 add residual",
            binary_model(
                "ADD", [1, 28, 28, 24], [1, 28, 28, 24], (5.1e-5, -8), (5.2e-5, -7), (5.2e-5, -7)
            ),
        ),
        # heartkit: clipped gates, sequence * channel gate.
        (
            "heartkit minimum scalar",
            binary_model(
                "MINIMUM",
                [1, 1, 1, 24],
                [],
                (0.003441, -128),
                (0.003441, -128),
                (0.003441, -128),
                const2=[100],
            ),
        ),
        (
            "heartkit mul 200x24",
            binary_model(
                "MUL",
                [1, 1, 200, 24],
                [1, 1, 1, 24],
                (0.023529, -128),
                (0.003441, -128),
                (0.020648, -128),
            ),
        ),
        # resnet8 / mobilenet_v2 residual adds.
        (
            "resnet8 add",
            binary_model(
                "ADD",
                [1, 32, 32, 16],
                [1, 32, 32, 16],
                (0.039394, -128),
                (0.104195, 4),
                (0.050946, -128),
            ),
        ),
        (
            "mnv2 add",
            binary_model(
                "ADD", [1, 7, 7, 160], [1, 7, 7, 160], (0.103638, 1), (0.148255, 8), (0.154049, 11)
            ),
        ),
    ]
    assert_bit_exact_many(named, n_inputs=2, seed=21)


def test_broadcast_iteration_merges_dimensions():
    it = broadcast_iteration((1, 56, 56, 16), (1, 1, 1, 16), (1, 56, 56, 16))
    f = dict(it.fields)
    assert f["dims"] == (1, 1, 1, 1, 56 * 56, 16)
    assert f["stride1"] == (0, 0, 0, 0, 16, 1)
    assert f["stride2"] == (0, 0, 0, 0, 0, 1)
    f = dict(broadcast_iteration((2, 3, 4), (2, 3, 4), (2, 3, 4)).fields)
    assert f["dims"] == (1, 1, 1, 1, 1, 24)
    f = dict(broadcast_iteration((4, 5), (), (4, 5)).fields)
    assert f["dims"][-1] == 20 and f["stride2"][-1] == 0
    with pytest.raises(Unsupported):
        broadcast_iteration((3, 4), (2, 4), (3, 4))


def test_unsupported_combinations():
    # Output multiplier >= 1 is refused by TFLite's ADD; so it is here.
    model = binary_model("ADD", [4], [4], (1.0, 0), (1.0, 0), (1e-7, 0))
    sg = parse_model(model, "<add>").main
    with pytest.raises(Unsupported, match="multiplier"):
        lower_operator(sg.operators[0], sg)
    # SUB: LiteRT's reference result for such a multiplier is garbage (+-1); refused as well.
    model = binary_model("SUB", [4], [4], (1.0, 0), (0.5, 3), (1e-6, 0))
    sg = parse_model(model, "<sub>").main
    with pytest.raises(Unsupported, match="multiplier"):
        lower_operator(sg.operators[0], sg)
    model = binary_model("ADD", [4], [4], (1.0, 0), (1.0, 0), (0.1, 0), act="TANH")
    sg = parse_model(model, "<add>").main
    with pytest.raises(Unsupported, match="TANH"):
        lower_operator(sg.operators[0], sg)


def test_every_shipped_model_layer():
    """Every ADD/SUB/MUL/MINIMUM/MAXIMUM of the shipped models, with its exact quantization."""
    from tests.test_kernels_activation import shipped_layers

    layers = shipped_layers({"ADD", "SUB", "MUL", "MINIMUM", "MAXIMUM"})
    assert len(layers) >= 20
    assert_bit_exact_many(layers, n_inputs=1, seed=6)


# -- Helium variants (firmware/runtime/src/mve/elementwise.c) -----------------------------------


# Broadcast layouts with a row of n elements, each taking a different path of the vector kernel:
# full rows, rows repeating one operand (column blocks, either side), a per-row scalar operand,
# a scalar operand, and rows walked by the outer cursor.
def _tail_shapes(n: int) -> list[tuple[list[int], list[int]]]:
    return [
        ([n], [n]),
        ([1, 3, 2, n], [1, 1, 1, n]),
        ([1, 1, 1, n], [2, 3, 1, n]),
        ([4, n], [4, 1]),
        ([1], [2, n]),
        ([3, 1, n], [1, 2, n]),
    ]


# Quantizations stressing the vector arithmetic: zero points at both ends, a MUL multiplier
# above 1 (left shift), near the smallest shift, and output scales that saturate both ends.
EXTREME_QUANTS = [
    ((0.5, -128), (0.25, 127), (0.7, 127)),
    ((0.02, 127), (0.02, 127), (0.03, -128)),
    ((1.0, 0), (2.0, 0), (0.004, 0)),  # MUL: 500 (shift 9); ADD/SUB: saturating output
    ((3e-5, 5), (2e-5, -9), (2.5, 0)),  # MUL: 2.4e-10 (shift -31)
    ((0.1, -3), (0.1, -3), (0.1, 0)),  # equal input scales: both ADD inputs multiplier 1/2
    ((0.5, 1), (0.25, -1), (0.5, 0)),  # MUL: exactly 1/4 (products of -1 round to 0)
]


def _saturated_inputs(model: bytes, seed: int) -> list[list[np.ndarray]]:
    """Input sets: every input at -128, every input at 127, then one at each end, then random."""
    sg = parse_model(model, "<sat>").main
    shapes = [sg.tensors[i].shape for i in sg.inputs]
    rng = np.random.default_rng(seed)
    ends = [(-128, -128), (127, 127), (-128, 127), (127, -128)]
    sets = [[np.full(s, v[k % 2], np.int8) for k, s in enumerate(shapes)] for v in ends]
    sets.append([rng.integers(-128, 128, s).astype(np.int8) for s in shapes])
    return sets


def ops_model(opcode: str, specs) -> bytes:
    """One model with an independent `opcode` op per (shape1, shape2, q1, q2, qo, act) spec."""
    b = ModelBuilder()
    inputs, outputs = [], []
    for s1, s2, q1, q2, qo, act in specs:
        x = b.tensor(s1, "INT8", scale=q1[0], zero_point=q1[1])
        y = b.tensor(s2, "INT8", scale=q2[0], zero_point=q2[1])
        z = b.tensor(np.broadcast_shapes(tuple(s1), tuple(s2)), "INT8", qo[0], qo[1])
        opts = {"fused_activation_function": act} if opcode in FUSED else {}
        b.op(opcode, [x, y], [z], OPTIONS[opcode], opts)
        inputs += [x, y]
        outputs.append(z)
    return b.build(inputs=inputs, outputs=outputs)


def layouts_model(opcode: str, lengths, every_layout) -> bytes:
    """For each n in `lengths`, the full-row and repeated-row layouts of _tail_shapes(n), and the
    others too when n is in `every_layout`; one model, quantizations and activations varied."""
    specs = []
    for n in lengths:
        for k, (s1, s2) in enumerate(_tail_shapes(n)):
            if k > 1 and n not in every_layout:
                continue
            q1, q2, qo = QUANTS[(n + k) % len(QUANTS)]
            if opcode in ("ADD", "SUB") and (n + k) % len(QUANTS) == 3:
                q1, q2, qo = QUANTS[0]  # 1e-6 scales: ADD needs output scale > 2^-19 x input
            specs.append((s1, s2, q1, q2, qo, ACTS[(n + k) % len(ACTS)]))
    return ops_model(opcode, specs)


def test_vector_row_tails_and_broadcasts():
    """Rows of 1..17 and 31..33 elements in every broadcast layout, for every op."""
    named = []
    lengths = [*range(1, 18), 31, 32, 33]
    for opcode in ("ADD", "SUB", "MUL", "MINIMUM", "MAXIMUM"):
        # MUL has the most row paths (column blocks of 8 with a tail, rows of 8 with a tail)
        every_layout = lengths if opcode == "MUL" else (1, 2, 3, 8, 15, 17, 33)
        for group in (lengths[0:10], lengths[10:]):
            model = layouts_model(opcode, group, every_layout)
            named.append((f"{opcode} rows of {group[0]}..{group[-1]}", model))
    assert_bit_exact_many(named, n_inputs=2, seed=41)


def test_vector_saturation_and_extreme_quantization():
    named, inputs = [], {}
    for opcode in ("ADD", "SUB", "MUL"):
        for k, (q1, q2, qo) in enumerate(EXTREME_QUANTS):
            for act in ("NONE", "RELU_N1_TO_1"):
                shapes = (([23], [23]), ([1, 5, 3, 19], [1, 1, 1, 19]), ([2, 9], [1]))
                model = ops_model(opcode, [(s1, s2, q1, q2, qo, act) for s1, s2 in shapes])
                inputs[len(named)] = _saturated_inputs(model, len(named))
                named.append((f"{opcode} extreme q{k} {act}", model))
    assert_bit_exact_many(named, inputs=inputs)


def test_shipped_layers_take_the_helium_kernels():
    """Every int8 ADD/SUB/MUL/MINIMUM/MAXIMUM of the shipped models compiles to its Helium kernel
    on the M55 target (the vector path's preconditions hold for TFLite's quantization parameters;
    the 16x8 kernels are portable C)."""
    from autodeploy.codegen.pipeline import compile_bytes
    from autodeploy.target import MVE
    from tests.test_kernels_activation import shipped_layers

    layers = shipped_layers({"ADD", "SUB", "MUL", "MINIMUM", "MAXIMUM"})
    assert layers
    for name, model in layers:
        (layer,) = compile_bytes(model, name, MVE).layers
        if not layer.call.function.endswith("_s16"):
            assert layer.call.kernel == "mve", (name, layer.call.function)


def test_helium_add_refuses_an_output_multiplier_of_one_half_or_more():
    """Output shift 0 (multiplier in [1/2, 1)) is outside the vector path: the DSP kernel takes
    it; one step down in output scale, the Helium kernel runs."""
    from autodeploy.codegen.pipeline import compile_bytes
    from autodeploy.target import MVE, PORTABLE

    model = binary_model("ADD", [7], [7], (1.0, 0), (1.0, 3), (2.9e-6, 0))
    (portable,) = compile_bytes(model, "<add>", PORTABLE).layers
    assert portable.call.param("output_shift") == 0
    (layer,) = compile_bytes(model, "<add>", MVE).layers
    assert layer.call.kernel == "dsp"
    model = binary_model("ADD", [7], [7], (1.0, 0), (1.0, 3), (6e-6, 0))
    (layer,) = compile_bytes(model, "<add>", MVE).layers
    assert layer.call.kernel == "mve"
