"""Helium (MVE) variants: Cortex-M55; kernels in firmware/runtime/src/mve/."""
