"""SVDF, integer (int8 input and feature weights, int16 time weights and state): bit-exact over
sequences of invocations that carry the activation memory forward. LiteRT runs integer SVDF
only with a fused RELU (which its integer kernel then does not apply); TFLM runs any activation
but needs a bias; the cases use whichever reference runs them."""

from __future__ import annotations

import numpy as np
import pytest

from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact_many, tflm_reference
from tests.support.tflite_builder import ModelBuilder


def svdf_model(
    batches=1,
    n_input=8,
    filters=6,
    rank=1,
    memory=5,
    bias=True,
    activation="RELU",
    in_q=(0.05, 3),
    out_q=(0.02, -7),
    state_scale=0.01,
    gain=1.0,
    seed=0,
    state_dtype="INT16",
):
    rng = np.random.default_rng(seed)
    b = ModelBuilder()
    x = b.tensor([batches, n_input], "INT8", *in_q)
    features = rng.integers(-127, 128, (filters, n_input)).astype(np.int8)
    times = rng.integers(-30000, 30000, (filters, memory)).astype(np.int16)
    wf = b.const(features, scale=[0.01 * gain])
    wt = b.const(times, scale=[0.0002 * gain])
    bias_t = -1
    if bias:
        values = rng.integers(-50000, 50000, filters // rank).astype(np.int32)
        bias_t = b.const(values, scale=[state_scale * 0.0002 * gain])
    state = b.tensor(
        [batches, filters * memory], state_dtype, state_scale, 0, is_variable=True, name="memory"
    )
    y = b.tensor([batches, filters // rank], "INT8", *out_q)
    options = {"rank": rank, "fused_activation_function": activation}
    b.op("SVDF", [x, wf, wt, bias_t, state], [y], "SVDFOptions", options)
    return b.build([x], [y])


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
