"""Target-specific kernel variants: Helium (mve/) and DSP SIMD (dsp/) versions of portable calls.

See registry.py: lowering produces the portable KernelCall, then the target's variants may
replace it with a faster call of the same arithmetic (packed weights, scratch memory).
"""
