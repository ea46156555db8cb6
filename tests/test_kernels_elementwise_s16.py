"""16-bit ADD, SUB and MUL (int16 activations, zero point 0), general and power-of-two scales,
with broadcasting: bit-exact against LiteRT BUILTIN_REF."""

from __future__ import annotations

import numpy as np
import pytest

from autodeploy.codegen.lower.elementwise_s16 import checked_log2
from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder
from tests.test_kernels_elementwise import SHAPES

OPTIONS = {"ADD": "AddOptions", "SUB": "SubOptions", "MUL": "MulOptions"}
ACTS = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")


def binary_s16(opcode, shape1, shape2, scales, act="NONE", pot=None, options=True):
    """One int16 op; pot: the pot_scale_int16 option (None leaves the schema default, true);
    options=False omits the options table."""
    b = ModelBuilder()
    out_shape = np.broadcast_shapes(tuple(shape1), tuple(shape2))
    x = b.tensor(shape1, "INT16", scales[0], 0)
    y = b.tensor(shape2, "INT16", scales[1], 0)
    z = b.tensor(out_shape, "INT16", scales[2], 0)
    opts = {"fused_activation_function": act}
    if pot is not None:
        opts["pot_scale_int16"] = pot
    if options:
        b.op(opcode, [x, y], [z], OPTIONS[opcode], opts)
    else:
        b.op(opcode, [x, y], [z])
    return b.build(inputs=[x, y], outputs=[z])


def edge_sets(shapes, rng, n_random=3):
    """Both inputs at -32768, at 32767, opposite extremes, then random values."""
    sets = []
    for a, c in ((-32768, -32768), (32767, 32767), (32767, -32768), (-32768, 32767)):
        sets.append([np.full(s, v, np.int16) for s, v in zip(shapes, (a, c), strict=True)])
    for _ in range(n_random):
        sets.append([rng.integers(-32768, 32768, s).astype(np.int16) for s in shapes])
    return sets


# (input 1, input 2, output) scales: ordinary, very different inputs, a saturating output, a
# tiny output change, near-identical scales.
SCALES = [
    (3.05e-5, 4.1e-5, 6.1e-5),
    (1e-3, 2.5e-6, 1.1e-3),
    (2e-4, 3e-4, 1e-5),
    (0.01, 0.02, 0.5),
    (1.0 / 32768, 1.0 / 32768, 1.0 / 16384),
]


def _cases(opcode, rng):
    general = None if opcode == "MUL" else False  # MUL has no power-of-two path
    cases, inputs = [], {}
    for k, (s1, s2) in enumerate(SHAPES):
        scales = SCALES[k % len(SCALES)]
        act = ACTS[k % len(ACTS)]
        inputs[len(cases)] = edge_sets([s1, s2], rng)
        model = binary_s16(opcode, s1, s2, scales, act, pot=general)
        cases.append((f"{opcode}16 {s1} {s2} {scales} {act}", model))
    for scales in SCALES:
        for act in ACTS:
            model = binary_s16(opcode, [2, 3, 5, 4], [4], scales, act, pot=general)
            cases.append((f"{opcode}16 {scales} {act}", model))
    return cases, inputs


@pytest.mark.parametrize("opcode", ["ADD", "SUB", "MUL"])
def test_general_scales(opcode):
    cases, inputs = _cases(opcode, np.random.default_rng(len(opcode)))
    assert_bit_exact_many(cases, n_inputs=3, seed=31, inputs=inputs)


# Power-of-two scales (log2 of input 1, input 2, output): both at the output's scale, one input
# smaller by 2^3, 2^17 or 2^20 (beyond int16: gemmlowp's int16 mask wraps); the third case's
# scales are powers of two only within CheckedLog2's 1e-3.
POT = [(-15, -15, -15), (-12, -15, -12), (-13, -16, -13), (-14, -31, -14), (-23, -3, -3)]


def test_power_of_two_scales():
    rng = np.random.default_rng(3)
    cases, inputs = [], {}
    for opcode in ("ADD", "SUB"):
        for k, logs in enumerate(POT):
            scales = [2.0**v for v in logs]
            if k == 2:
                scales = [s * 1.0004 for s in scales]  # still a power of two for TFLite
            for act in ("NONE", "RELU6"):
                inputs[len(cases)] = edge_sets([[3, 4, 5], [3, 4, 5]], rng)
                model = binary_s16(opcode, [3, 4, 5], [3, 4, 5], scales, act)
                cases.append((f"{opcode}16 pot {logs} {act}", model))
        shape2 = [1, 4, 1] if opcode == "SUB" else [3, 4, 5]  # only SUB broadcasts on this path
        model = binary_s16(opcode, [3, 4, 5], shape2, [2.0**-15, 2.0**-17, 2.0**-15])
        cases.append((f"{opcode}16 pot input 2 shifted", model))
        inputs[len(cases) - 1] = edge_sets([[3, 4, 5], shape2], rng)
    assert_bit_exact_many(cases, n_inputs=3, seed=32, inputs=inputs)


def test_option_and_missing_options_select_the_general_path():
    rng = np.random.default_rng(4)
    scales = [2.0**-12, 2.0**-15, 2.0**-12]
    cases = [
        ("ADD16 pot scales, option false", binary_s16("ADD", [2, 9], [2, 9], scales, pot=False)),
        ("SUB16 pot scales, option false", binary_s16("SUB", [2, 9], [2, 9], scales, pot=False)),
        ("ADD16 pot scales, no options", binary_s16("ADD", [2, 9], [2, 9], scales, options=False)),
        ("SUB16 not pot, option true", binary_s16("SUB", [2, 9], [9], SCALES[0], pot=True)),
    ]
    inputs = {k: edge_sets([[2, 9], [2, 9] if k < 3 else [9]], rng) for k in range(4)}
    assert_bit_exact_many(cases, inputs=inputs)
    sg = parse_model(cases[0][1], "m").main
    assert lower_operator(sg.operators[0], sg).function == "adrt_add_s16"
    sg = parse_model(binary_s16("ADD", [2, 9], [2, 9], scales), "m").main
    assert lower_operator(sg.operators[0], sg).function == "adrt_add_s16_pot"


def test_checked_log2():
    assert checked_log2(2.0**-15) == -15
    assert checked_log2(2.0**-7 * 1.0006) == -7
    assert checked_log2(2.0**-7 * 1.01) is None
    assert checked_log2(3.0e-5) is None


def test_power_of_two_refusals():
    model = binary_s16("ADD", [3, 4], [4], [2.0**-15, 2.0**-16, 2.0**-15])
    sg = parse_model(model, "m").main
    with pytest.raises(Unsupported, match="broadcasting"):
        lower_operator(sg.operators[0], sg)
    model = binary_s16("SUB", [4], [4], [2.0**-14, 2.0**-16, 2.0**-15])
    sg = parse_model(model, "m").main
    with pytest.raises(Unsupported, match="one input at the output's scale"):
        lower_operator(sg.operators[0], sg)
