"""Arm Ethos-U NPUs: Vela compilation and its estimates, ML Embedded Evaluation Kit export.

Vela (pip ethos-u-vela) turns an int8 .tflite into one whose NPU layers are a single
`ethos-u` custom op. Nothing here can execute that op (QEMU has no NPU, the Corstone FVPs are not
available), so every NPU figure is Vela's estimate and is labelled so.
"""

#: How every NPU figure is labelled.
ESTIMATE_LABEL = "Vela estimate"
