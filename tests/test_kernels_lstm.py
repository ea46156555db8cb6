"""UNIDIRECTIONAL_SEQUENCE_LSTM, integer (int8 x int8 -> int16 cell): bit-exact against LiteRT
BUILTIN_REF for every variant its kernel has (CIFG, peephole, layer normalization, projection
with and without bias, clips, time-major and batch-major, several batches, every supported
cell-state scale), over several invocations that carry the state forward; TFLM refuses all but
the plain LSTM. The gate scales come from the op's intermediates, as converters write them."""

from __future__ import annotations

import dataclasses

import pytest

from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.model import Quantization
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many
from tests.support.stateful_models import lstm_model

CASES = {
    "plain": {},
    "cifg": dict(cifg=True),
    "peephole": dict(peephole=True),
    "peephole cifg": dict(peephole=True, cifg=True),
    "projection": dict(projection=True, n_output=3),
    "projection without bias, hidden zp 7": dict(
        projection=True, n_output=5, projection_bias=False, hidden_q=(0.03, 7)
    ),
    # a hidden scale this small clamps the int8 hidden state: only LiteRT's own offsets match
    "projection, saturated hidden": dict(projection=True, n_output=3, hidden_q=(0.003, 20)),
    "projection, saturated hidden 2": dict(
        projection=True, n_output=6, hidden_q=(0.002, -50), weight_scale=0.05
    ),
    "layer norm": dict(layer_norm=True, gate_scales=(2**-10, 2**-11, 2**-12, 2**-9)),
    "layer norm cifg": dict(layer_norm=True, cifg=True, gate_scales=(1, 2**-12, 2**-13, 2**-10)),
    "everything": dict(peephole=True, projection=True, n_output=4, layer_norm=True, cifg=True),
    "peephole + narrower projection": dict(peephole=True, projection=True, n_output=2),
    "clips": dict(cell_clip=0.5, projection=True, proj_clip=0.2, n_output=3),
    "cell clip only": dict(cell_clip=0.3),
    "time major, 2 batches": dict(time_major=True, n_batch=2),
    "time major, 3 batches, projection": dict(
        time_major=True, n_batch=3, projection=True, n_output=2, peephole=True
    ),
    "2 batches": dict(n_batch=2),
    "one step": dict(n_time=1),
    "kws size": dict(n_input=10, n_cell=16, n_time=20, weight_scale=0.05),
    "saturating gates": dict(n_input=12, n_cell=8, weight_scale=0.2),
    "cell scale 2^-15": dict(cell_bits=-15),
    "cell scale 2^-9": dict(cell_bits=-9),
    "input zp -128": dict(in_q=(0.1, -128), out_q=(0.05, 127)),
}


def test_lstm_variants_are_bit_exact():
    """Each case runs 4 invocations in sequence: later ones start from the state the earlier
    ones left, on the board and in the reference."""
    cases = [(name, lstm_model(seed=k, **kw)) for k, (name, kw) in enumerate(CASES.items())]
    assert_bit_exact_many(cases, n_inputs=4)


def _lower(model: bytes):
    sub = parse_model(model, "<lstm>").main
    return lower_operator(sub.operators[0], sub)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(cell_bits=-8), r"cell state scale 2\^-8"),
        (dict(cell_bits=-16), r"cell state scale 2\^-16"),
        (dict(intermediates=False), "0 intermediate tensors"),
        (dict(input_dtype="INT16"), "INT16 input"),
    ],
)
def test_unsupported_lstm_is_named(kwargs, message):
    with pytest.raises(Unsupported, match=message):
        _lower(lstm_model(**kwargs))


def test_cell_scale_must_be_a_power_of_two():
    model = lstm_model()
    sub = parse_model(model, "<lstm>").main
    op = sub.operators[0]
    cell = sub.tensors[op.inputs[19]]
    sub.tensors[cell.index] = dataclasses.replace(cell, quantization=Quantization((3e-4,), (0,)))
    with pytest.raises(Unsupported, match="needs a power of two"):
        lower_operator(op, sub)


def test_lstm_state_is_written_and_scratch_is_declared():
    call = _lower(lstm_model(n_cell=6, time_major=True, n_batch=2))
    sub = parse_model(lstm_model(n_cell=6, time_major=True, n_batch=2), "<lstm>").main
    op = sub.operators[0]
    assert call.outputs == (op.outputs[0], op.inputs[18], op.inputs[19])
    assert call.scratch_bytes == 2 * 6 * 9  # four int16 gates and the int8 hidden, per batch
