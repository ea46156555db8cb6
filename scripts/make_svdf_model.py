"""Makes models/kws_svdf_int8.tflite: keyword spotting with SVDF layers, one feature frame per
invoke, in the style of TFLite Micro's SVDF speech models (TensorFlow's converter does not emit
SVDF from Keras layers, so the flatbuffer is built directly, like the kernel tests' models).

    input  [1, 40] int8 (one frame of 40 filterbank features)
    SVDF   rank 1, 64 filters, memory 8   (int8 feature weights, int16 time weights and state)
    FULLY_CONNECTED 32, RELU
    SVDF   rank 2, 32 filters -> 16 units, memory 4
    FULLY_CONNECTED 12
    SOFTMAX -> [1, 12] int8

Weights are seeded random values standing in for trained ones; the quantization follows the
integer SVDF scheme (bias scale = state scale x time-weights scale, int16 state with zero point
0, a fused RELU, which LiteRT requires and its integer kernel does not apply). Each invoke
shifts the SVDF memories by one frame: the model is stateful.

    .venv/bin/python scripts/make_svdf_model.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "site_scons")]

from tests.support.tflite_builder import ModelBuilder  # noqa: E402

OUTPUT = ROOT / "models/kws_svdf_int8.tflite"


class _Net:
    def __init__(self, seed: int):
        self.b = ModelBuilder()
        self.rng = np.random.default_rng(seed)

    def svdf(self, x, n_in, filters, rank, memory, state_scale, out_q, name):
        b, rng = self.b, self.rng
        feature_scale, time_scale = 0.6 / (127 * np.sqrt(n_in)), 1.0 / (32767 * np.sqrt(memory))
        wf = b.const(rng.integers(-127, 128, (filters, n_in)).astype(np.int8), feature_scale)
        wt = b.const(rng.integers(-32767, 32768, (filters, memory)).astype(np.int16), time_scale)
        bias_scale = float(np.float32(state_scale) * np.float32(time_scale))
        bias = b.const(
            rng.integers(-2000, 2000, filters // rank).astype(np.int32),
            bias_scale,
            name=f"{name}_bias",
        )
        state = b.tensor(
            [1, filters * memory], "INT16", state_scale, 0, is_variable=True, name=f"{name}_memory"
        )
        y = b.tensor([1, filters // rank], "INT8", *out_q, name=name)
        options = {"rank": rank, "fused_activation_function": "RELU"}
        b.op("SVDF", [x, wf, wt, bias, state], [y], "SVDFOptions", options)
        return y

    def dense(self, x, n_in, units, in_scale, out_q, relu, name):
        b, rng = self.b, self.rng
        w_scale = 1.5 / (127 * np.sqrt(n_in))
        w = b.const(rng.integers(-127, 128, (units, n_in)).astype(np.int8), w_scale)
        bias_scale = float(np.float32(in_scale) * np.float32(w_scale))
        bias = b.const(rng.integers(-500, 500, units).astype(np.int32), bias_scale)
        y = b.tensor([1, units], "INT8", *out_q, name=name)
        activation = "RELU" if relu else "NONE"
        b.op("FULLY_CONNECTED", [x, w, bias], [y], "FullyConnectedOptions",
             {"fused_activation_function": activation})  # fmt: skip
        return y


def build() -> bytes:
    net = _Net(seed=16)
    b = net.b
    x = b.tensor([1, 40], "INT8", 0.05, -10, name="features")
    h1 = net.svdf(x, 40, 64, 1, 8, 2.0**-10, (0.05, 0), "svdf1")
    h2 = net.dense(h1, 64, 32, 0.05, (0.03, -128), True, "dense1")
    h3 = net.svdf(h2, 32, 32, 2, 4, 2.0**-11, (0.05, 0), "svdf2")
    logits = net.dense(h3, 16, 12, 0.05, (0.1, 0), False, "logits")
    scores = b.tensor([1, 12], "INT8", 1 / 256, -128, name="scores")
    b.op("SOFTMAX", [logits], [scores], "SoftmaxOptions", {"beta": 1.0})
    return b.build([x], [scores], description="autodeploy SVDF keyword spotting test model")


def main() -> int:
    data = build()
    OUTPUT.write_bytes(data)
    print(f"{OUTPUT.relative_to(ROOT)}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
