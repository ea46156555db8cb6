"""DSP SIMD variants (SMLAD, SXTB16): Cortex-M4/M7/M33; kernels in firmware/runtime/src/dsp/."""
