/* Helium requantization of int32 accumulators, bit-exact with the reference's scalar arithmetic
 * (adrt/common.h: TFLite's double-rounding MultiplyByQuantizedMultiplier), four lanes at a time.
 * Private to the Helium kernels (firmware/runtime/src/mve/): it needs <arm_mve.h>.
 *
 * Why each step matches the scalar code:
 *   x << left          VSHL by a non-negative count wraps like (uint32_t)x << left;
 *   SRDHM(x, m)        VQRDMULH is (2*x*m + 2^31) >> 32 saturated, which equals gemmlowp's
 *                      SaturatingRoundingDoublingHighMul for every input (INT32_MIN * INT32_MIN
 *                      saturates to INT32_MAX in both);
 *   RDBPOT(x, r)       VRSHL by -r rounds half up; the reference rounds half away from zero, so
 *                      negative x is first lowered by one (saturating) when r > 0. The shift
 *                      vector holds -r, which is negative exactly when r > 0: (x & -r) >> 31 is
 *                      -1 for negative x with r > 0 and 0 otherwise.
 */
#ifndef ADRT_MVE_REQUANT_H
#define ADRT_MVE_REQUANT_H

#include <arm_mve.h>
#include <stdint.h>

/* Per-lane multipliers and shifts: left = max(shift, 0), right_neg = -max(-shift, 0). */
static inline int32x4_t adrt_mve_requant(int32x4_t acc, int32x4_t mult, int32x4_t left,
                                         int32x4_t right_neg) {
    int32x4_t x = vqrdmulhq_s32(vshlq_s32(acc, left), mult);
    x = vqaddq_s32(x, vshrq_n_s32(vandq_s32(x, right_neg), 31));
    return vrshlq_s32(x, right_neg);
}

/* One multiplier and shift for all lanes (per-tensor quantization). */
static inline int32x4_t adrt_mve_requant_n(int32x4_t acc, int32_t mult, int32_t shift) {
    int32x4_t x = vqrdmulhq_n_s32(shift > 0 ? vshlq_r_s32(acc, shift) : acc, mult);
    if (shift < 0) {
        x = vqaddq_s32(x, vshrq_n_s32(x, 31));
        x = vrshlq_n_s32(x, shift);
    }
    return x;
}

/* acc requantized, + output offset, clamped to [act_min, act_max] (int8 range or narrower). */
static inline int32x4_t adrt_mve_requant_clamp(int32x4_t acc, int32x4_t mult, int32x4_t left,
                                               int32x4_t right_neg, int32_t out_offset,
                                               int32_t act_min, int32_t act_max) {
    int32x4_t x = vaddq_n_s32(adrt_mve_requant(acc, mult, left, right_neg), out_offset);
    return vminq_s32(vmaxq_s32(x, vdupq_n_s32(act_min)), vdupq_n_s32(act_max));
}

#endif /* ADRT_MVE_REQUANT_H */
