"""The 16x8 test network (scripts/make_cnn16x8_model.py: TensorFlow's 16x8 post-training
quantization). models/cnn16x8_int16.tflite (int16 input and output) runs in test_models_native
with the other shipped models; its float-I/O twin, which adds QUANTIZE float32 -> int16 and
DEQUANTIZE int16 -> float32, runs here on 20 seeded inputs on every board."""

from __future__ import annotations

from pathlib import Path

import pytest

from autodeploy.codegen.pipeline import compile_bytes
from autodeploy.target import DSP, MVE
from tests.support.native_harness import assert_bit_exact_many

ROOT = Path(__file__).resolve().parent.parent
INT16_IO = ROOT / "models" / "cnn16x8_int16.tflite"
FLOAT_IO = ROOT / "tests" / "data" / "models" / "cnn16x8_float_io.tflite"
#: The ops the runtime runs with 16-bit activations, minus TRANSPOSE_CONV (the ops branch's).
OPS_16X8 = {
    "CONV_2D",
    "DEPTHWISE_CONV_2D",
    "FULLY_CONNECTED",
    "ADD",
    "SUB",
    "MUL",
    "PAD",
    "LEAKY_RELU",
    "STRIDED_SLICE",
    "CONCATENATION",
    "RESHAPE",
    "QUANTIZE",
    "DEQUANTIZE",
    "SOFTMAX",
    "LOGISTIC",
    "TANH",
    "MEAN",
    "MAX_POOL_2D",
    "AVERAGE_POOL_2D",
}


@pytest.mark.parametrize("target", [MVE, DSP], ids=lambda t: t.name)
def test_the_two_models_use_every_16x8_op_and_compile_for_the_boards(target):
    seen = set()
    for path in (INT16_IO, FLOAT_IO):
        program = compile_bytes(path.read_bytes(), str(path), target)
        assert program.problems == []
        seen |= {layer.op.opcode for layer in program.layers}
        int16_calls = [x.call.function for x in program.layers if x.call.function.endswith("s16")]
        assert "adrt_conv2d_s16" in int16_calls and "adrt_softmax_s16" in int16_calls
    assert seen >= OPS_16X8


def test_float_io_model_is_bit_exact_on_20_seeded_inputs():
    assert_bit_exact_many([("cnn16x8 float I/O", FLOAT_IO.read_bytes())], n_inputs=20, seed=16)
