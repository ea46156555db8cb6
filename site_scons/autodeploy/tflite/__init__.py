"""Reading .tflite flatbuffers into plain data (model.py) with bounds-checked parsing (reader.py)."""
