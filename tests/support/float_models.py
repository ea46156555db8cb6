"""Small float models for the conversion tests, built inside the conversion tool environment
(run with its interpreter: `python float_models.py keras|onnx OUT_DIR`). Each writes the model
and a calibration .npy of representative inputs in the model's own layout."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

SAMPLES = 32


def keras_model(out: Path) -> None:
    import tensorflow as tf

    init = tf.keras.initializers.RandomNormal  # seeded: the same model on every run
    inputs = tf.keras.Input((16, 16, 1), name="image")
    x = tf.keras.layers.Conv2D(
        8, 3, padding="same", activation="relu", kernel_initializer=init(0, 0.5, seed=1)
    )(inputs)
    x = tf.keras.layers.DepthwiseConv2D(
        3, padding="same", activation="relu", depthwise_initializer=init(0, 0.5, seed=2)
    )(x)
    x = tf.keras.layers.GlobalAveragePooling2D()(x)
    # large weights: decisive class scores, so top-1 agreement measures the quantization
    outputs = tf.keras.layers.Dense(4, activation="softmax", kernel_initializer=init(0, 8, seed=3))(
        x
    )
    tf.keras.Model(inputs, outputs).save(out / "model.keras")
    rng = np.random.default_rng(7)  # per-sample brightness and contrast vary the class scores
    images = rng.uniform(0, 1, (SAMPLES, 16, 16, 1)) * rng.uniform(0.2, 2, (SAMPLES, 1, 1, 1))
    np.save(out / "calibration.npy", images.astype(np.float32))


def onnx_model(out: Path) -> None:
    """NCHW: Conv 3x3 (3->4) + Relu + GlobalAveragePool + Flatten + Gemm (4->5), with onnx's
    helper API."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(11)
    weights = [
        numpy_helper.from_array(rng.normal(0, 0.3, (4, 3, 3, 3)).astype(np.float32), "conv_w"),
        numpy_helper.from_array(rng.normal(0, 0.1, (4,)).astype(np.float32), "conv_b"),
        numpy_helper.from_array(rng.normal(0, 0.5, (5, 4)).astype(np.float32), "fc_w"),
        numpy_helper.from_array(rng.normal(0, 0.1, (5,)).astype(np.float32), "fc_b"),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "conv_w", "conv_b"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("GlobalAveragePool", ["r"], ["p"]),
        helper.make_node("Flatten", ["p"], ["f"]),
        helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["y"], transB=1),
    ]
    graph = helper.make_graph(
        nodes,
        "small_cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 5])],
        initializer=weights,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, out / "model.onnx")
    np.save(out / "calibration.npy", rng.uniform(0, 1, (SAMPLES, 3, 8, 8)).astype(np.float32))


if __name__ == "__main__":
    kind, folder = sys.argv[1], Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    {"keras": keras_model, "onnx": onnx_model}[kind](folder)
