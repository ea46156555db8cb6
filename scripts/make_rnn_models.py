"""Makes the converted test models for LSTMs, streaming state and dilated TCNs (issue 13):

    models/kws_lstm_int8.tflite             keyword spotting with an LSTM over 49 MFCC frames
    models/kws_streaming_variables_int8.tflite  the same task one frame per invoke, the frames
                                            and the smoothed scores kept in resource variables
    models/tcn_dilated_int8.tflite          a dilated temporal convolutional network

Run it with the conversion tool environment's Python (TensorFlow 2.19 and tf_keras, created on
first use by scripts/tool-env.sh):

    $(scripts/tool-env.sh convert) scripts/make_rnn_models.py

Each model is built with seeded random weights (they stand in for trained ones: structure,
quantization and cost are what the tests need) and converted by TensorFlow's post-training
full-integer quantization (int8 inputs and outputs), calibrated on the MFCC features of
models/datasets/kws_espeak.npz (KWS models) or seeded random signals (TCN). tf_keras (Keras 2)
is used for the LSTM because only its LSTM layer carries the annotation that lets the converter
fuse it into one UNIDIRECTIONAL_SEQUENCE_LSTM (Keras 3's becomes a WHILE loop).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
FEATURES = np.load(ROOT / "models/datasets/kws_espeak.npz")["input_0"][..., 0]  # (36, 49, 10)
FRAMES, COEFFICIENTS, CLASSES = 49, 10, 12


def _convert(converter: tf.lite.TFLiteConverter, calibration) -> bytes:
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = calibration
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()


def kws_lstm() -> bytes:
    """MFCC 49x10 -> LSTM(64) (the last step's output) -> Dense(12) -> softmax."""
    keras.utils.set_random_seed(13)
    inputs = keras.Input((FRAMES, COEFFICIENTS), batch_size=1)
    hidden = keras.layers.LSTM(64)(inputs)
    scores = keras.layers.Dense(CLASSES, activation="softmax")(hidden)
    model = keras.Model(inputs, scores)

    def calibration():
        for sample in FEATURES:
            yield [sample[None].astype(np.float32)]

    return _convert(tf.lite.TFLiteConverter.from_keras_model(model), calibration)


class StreamingKws(tf.Module):
    """One MFCC frame per call: the last 49 frames live in a variable, a small CNN scores them
    and a second variable smooths the scores over calls (posterior smoothing)."""

    def __init__(self):
        super().__init__()
        keras.utils.set_random_seed(14)
        self.frames = tf.Variable(tf.zeros([1, FRAMES, COEFFICIENTS]), trainable=False)
        self.smoothed = tf.Variable(tf.fill([1, CLASSES], 1.0 / CLASSES), trainable=False)
        self.net = keras.Sequential(
            [
                keras.layers.Conv2D(16, (5, 5), strides=2, activation="relu"),
                keras.layers.DepthwiseConv2D(3, padding="same", activation="relu"),
                keras.layers.Conv2D(32, 1, activation="relu"),
                keras.layers.GlobalAveragePooling2D(),
                keras.layers.Dense(CLASSES, activation="softmax"),
            ]
        )
        self.net.build((1, FRAMES, COEFFICIENTS, 1))

    @tf.function(input_signature=[tf.TensorSpec([1, 1, COEFFICIENTS], tf.float32)])
    def __call__(self, frame):
        frames = tf.concat([self.frames[:, 1:, :], frame], axis=1)
        self.frames.assign(frames)
        scores = self.net(tf.reshape(frames, [1, FRAMES, COEFFICIENTS, 1]))
        smoothed = 0.75 * self.smoothed + 0.25 * scores
        self.smoothed.assign(smoothed)
        # the smoothed scores (a separate tensor from the one assigned: the converter's int8
        # output conversion refuses a graph output that is also a variable's new value)
        return tf.nn.relu(smoothed)


def kws_streaming_variables() -> bytes:
    module = StreamingKws()
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [module.__call__.get_concrete_function()], module
    )
    converter.experimental_enable_resource_variables = True
    # int8 variables instead of float32 ones (TensorFlow's flag for it is still private)
    converter._experimental_variable_quantization = True

    def calibration():
        for sample in FEATURES[:12]:
            for frame in sample:
                yield [frame[None, None].astype(np.float32)]

    return _convert(converter, calibration)


def tcn_dilated() -> bytes:
    """A 1-D signal (128 steps, 4 channels, laid out 1 x W) through depthwise convolutions with
    dilations 2, 4 and 8 to logits of 5 classes per step (a segmentation, as sleep staging).
    The converter lowers each dilated depthwise into SPACE_TO_BATCH_ND -> DEPTHWISE_CONV_2D ->
    BATCH_TO_SPACE_ND and stores the shapes of batch 1 (the Keras model's batch is dynamic) for
    the tensors inside, which are 2, 4 and 8 batches at run time: the stale shapes the runtime
    has to compute for itself."""
    keras.utils.set_random_seed(15)
    inputs = keras.Input((1, 128, 4))
    x = keras.layers.Conv2D(16, (1, 5), padding="same", activation="relu")(inputs)
    for dilation, channels in ((2, 24), (4, 24), (8, 32)):
        x = keras.layers.DepthwiseConv2D(
            (1, 3), dilation_rate=(1, dilation), padding="same", activation="relu"
        )(x)
        x = keras.layers.Conv2D(channels, 1, activation="relu")(x)
    # five class logits per time step (a pooled classifier of random weights would answer
    # nearly the same for every random input, hiding its layers from the validation)
    logits = keras.layers.Conv2D(5, 1)(x)
    model = keras.Model(inputs, logits)
    rng = np.random.default_rng(15)

    def calibration():
        for _ in range(32):
            yield [rng.standard_normal((1, 1, 128, 4)).astype(np.float32)]

    return _convert(tf.lite.TFLiteConverter.from_keras_model(model), calibration)


def main() -> int:
    for name, make in (
        ("kws_lstm_int8.tflite", kws_lstm),
        ("kws_streaming_variables_int8.tflite", kws_streaming_variables),
        ("tcn_dilated_int8.tflite", tcn_dilated),
    ):
        data = make()
        (MODELS / name).write_bytes(data)
        print(f"models/{name}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
