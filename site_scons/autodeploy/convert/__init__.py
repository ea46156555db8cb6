"""Conversion of float models (Keras, SavedModel, ONNX) into the int8 .tflite the rest of the
build reads, with TensorFlow's post-training full-integer quantization.

TensorFlow and onnx2tf pin versions that conflict with the project's own, so they live in their
own tool environment (scripts/tool-env.sh, created on first use) and the conversion runs there,
in a child process (worker.py); this package only prepares the request and reads the results.
"""
