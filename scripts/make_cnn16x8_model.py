#!/usr/bin/env python3
"""Makes the 16x8 test models: a small convolutional network quantized by TensorFlow's 16x8
post-training quantization (int16 activations, int8 weights, int64 bias).

    models/cnn16x8_int16.tflite              int16 input and output (the shipped example model)
    tests/data/models/cnn16x8_float_io.tflite  the same network with float32 input and output,
                                             so it starts with QUANTIZE float32 -> int16 and
                                             ends with DEQUANTIZE int16 -> float32

The network (32x32x3 images, 10 classes) uses every op the runtime runs with 16-bit activations
but TRANSPOSE_CONV: CONV_2D (fused RELU, a strided one without), DEPTHWISE_CONV_2D (RELU6), ADD
(a residual), MAX_POOL_2D, LOGISTIC and MUL (a sigmoid gate), LEAKY_RELU, PAD, TANH, SUB,
CONCATENATION (with QUANTIZE int16 -> int16 before it), STRIDED_SLICE, AVERAGE_POOL_2D, MEAN,
RESHAPE, FULLY_CONNECTED and SOFTMAX. It is trained for a few epochs on a
synthetic task (which of 10 fixed random patterns a noisy image shows) so that its activations and
outputs are those of a working classifier, not of random weights, and calibrated on 200 images of
the same task. Training on a CPU is not bit-reproducible across machines: the committed files are
the reference, this script says how they were made.

Runs in the conversion tool environment (TensorFlow 2.19):
    $(scripts/tool-env.sh convert) scripts/make_cnn16x8_model.py
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
INT16_IO = ROOT / "models" / "cnn16x8_int16.tflite"
FLOAT_IO = ROOT / "tests" / "data" / "models" / "cnn16x8_float_io.tflite"
SHAPE = (32, 32, 3)
CLASSES = 10
SEED = 16


def dataset(rng: np.random.Generator, prototypes: np.ndarray, count: int):
    labels = rng.integers(0, CLASSES, count)
    noise = rng.normal(0.0, 0.35, (count, *SHAPE))
    return (prototypes[labels] + noise).astype(np.float32), labels


def network() -> tf.keras.Model:
    layers = tf.keras.layers
    inp = layers.Input(SHAPE)
    x = layers.Conv2D(8, 3, padding="same", activation="relu")(inp)
    x = layers.DepthwiseConv2D(3, padding="same", activation="relu6")(x)
    x = layers.Add()([x, layers.Conv2D(8, 1)(x)])
    x = layers.MaxPooling2D(2)(x)  # 16x16x8
    gate = layers.Conv2D(8, 1, activation="sigmoid")(x)
    x = layers.Multiply()([x, gate])
    x = layers.LeakyReLU(negative_slope=0.1)(x)
    x = layers.ZeroPadding2D(1)(x)  # 18x18x8
    x = layers.Conv2D(16, 3, strides=2)(x)  # 8x8x16
    t = layers.Activation("tanh")(x)
    x = layers.Concatenate()([t, layers.Subtract()([x, t])])  # 8x8x32
    x = x[:, 1:7, 1:7, :]  # 6x6x32
    pooled = layers.Flatten()(layers.AveragePooling2D(2)(x))  # 3x3x32 -> 288
    x = layers.Concatenate()([pooled, layers.GlobalAveragePooling2D()(x)])
    out = layers.Softmax()(layers.Dense(CLASSES)(x))
    return tf.keras.Model(inp, out)


def convert(model: tf.keras.Model, calibration: np.ndarray, int16_io: bool) -> bytes:
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([calibration[i : i + 1]] for i in range(200))
    converter.target_spec.supported_ops = [
        tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8
    ]
    if int16_io:
        converter.inference_input_type = converter.inference_output_type = tf.int16
    return converter.convert()


def describe(path: Path, data: bytes) -> None:
    interpreter = tf.lite.Interpreter(model_content=data)
    ops: dict[str, int] = {}
    for op in interpreter._get_ops_details():
        ops[op["op_name"]] = ops.get(op["op_name"], 0) + 1
    inputs, outputs = interpreter.get_input_details(), interpreter.get_output_details()
    print(f"{path.relative_to(ROOT)}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}")
    for kind, details in (("input", inputs), ("output", outputs)):
        for d in details:
            print(f"  {kind} {d['shape'].tolist()} {d['dtype'].__name__} {d['quantization']}")
    print("  ops: " + ", ".join(f"{name} {n}" for name, n in sorted(ops.items())))


def main() -> None:
    tf.keras.utils.set_random_seed(SEED)
    rng = np.random.default_rng(SEED)
    prototypes = rng.uniform(-1.0, 1.0, (CLASSES, *SHAPE))
    train_x, train_y = dataset(rng, prototypes, 3000)
    test_x, test_y = dataset(rng, prototypes, 500)
    model = network()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train_x, train_y, epochs=4, batch_size=64, verbose=0)
    _, accuracy = model.evaluate(test_x, test_y, verbose=0)
    print(f"float accuracy on 500 held-out images: {accuracy:.3f}")
    calibration, _ = dataset(rng, prototypes, 200)
    for path, int16_io in ((INT16_IO, True), (FLOAT_IO, False)):
        data = convert(model, calibration, int16_io)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        describe(path, data)


if __name__ == "__main__":
    main()
