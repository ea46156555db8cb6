"""TensorFlow Lite Micro sources for a model: array, op resolver, arena size, init function."""
