"""Reading .tflite flatbuffers (reader.py) into plain data (model.py)."""
