"""SVDF, integer (int8 input and feature weights, int16 time weights and state): bit-exact over
sequences of invocations that carry the activation memory forward. LiteRT runs integer SVDF
only with a fused RELU (which its integer kernel then does not apply); TFLM runs any activation
but needs a bias; the cases use whichever reference runs them."""

from __future__ import annotations

import pytest

from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many, tflm_reference
from tests.support.stateful_models import svdf_model

LITERT_CASES = {
    "rank 1": {},
    "rank 2": dict(rank=2, filters=8),
    "2 batches": dict(batches=2),
    "no bias": dict(bias=False),
    "saturating": dict(gain=20.0, out_q=(0.02, 0)),
    "memory 1": dict(memory=1),
    "rank 3, 3 batches, memory 7": dict(rank=3, filters=9, batches=3, memory=7),
    "micro_speech size": dict(n_input=40, filters=32, memory=10, rank=1),
    "input zp -128": dict(in_q=(0.1, -128), out_q=(0.03, 127)),
}
# LiteRT refuses integer SVDF without RELU; TFLM computes the same integer result.
TFLM_CASES = {
    "no activation": dict(activation="NONE"),
    "no activation, rank 2, 2 batches": dict(activation="NONE", rank=2, filters=8, batches=2),
}


def test_svdf_is_bit_exact_against_litert():
    cases = [(n, svdf_model(seed=k, **kw)) for k, (n, kw) in enumerate(LITERT_CASES.items())]
    assert_bit_exact_many(cases, n_inputs=6)


def test_svdf_without_relu_is_bit_exact_against_tflm():
    cases = [(n, svdf_model(seed=k, **kw)) for k, (n, kw) in enumerate(TFLM_CASES.items())]
    assert_bit_exact_many(cases, n_inputs=6, reference=tflm_reference)


def test_svdf_with_an_int8_state_is_named():
    sub = parse_model(svdf_model(state_dtype="INT8"), "<svdf>").main
    with pytest.raises(Unsupported, match="needs an int16 variable"):
        lower_operator(sub.operators[0], sub)


def test_svdf_rewrites_its_memory():
    sub = parse_model(svdf_model(), "<svdf>").main
    op = sub.operators[0]
    call = lower_operator(op, sub)
    assert call.outputs == (op.outputs[0], op.inputs[4])
    assert call.inputs == (op.inputs[0],)  # the weights travel in the parameters
