/* Requantization for negative shifts (every depthwise layer seen so far) in one Helium
 * instruction less than adrt_mve_requant_n, bit-exact with the reference
 * (adrt_mul_by_quantized_multiplier) as well; checked on the emulated Cortex-M55 by
 * tests/test_kernels_depthwise_edges.py (tests/firmware/depthwise_requant/main.c).
 * Private to the Helium kernels: it needs <arm_mve.h>.
 *
 * VRSHL rounds half up where the reference rounds negative values half away from zero, so a
 * negative product SRDHM(acc, mult) first loses one (as in adrt_mve_requant_n). With mult > 0
 * the product is negative only when acc is, and when a negative acc gives 0 the lost one is
 * rounded back to 0 by the shift (at least 1): the -1 can be taken from acc's sign and added by
 * VQRDMLAH while it multiplies. VQRDMLAH rounds (add << 32) + 2 * acc * mult, which is
 * add + SRDHM(acc, mult), saturated like the reference's saturating add.
 */
#ifndef ADRT_MVE_DEPTHWISE_REQUANT_H
#define ADRT_MVE_DEPTHWISE_REQUANT_H

#include <arm_mve.h>
#include <stdint.h>

/* acc * mult * 2^shift as the reference rounds it, for mult > 0 and shift < 0. */
static inline int32x4_t adrt_mve_requant_right(int32x4_t acc, int32_t mult, int32_t shift) {
    return vrshlq_n_s32(vqrdmlahq_n_s32(vshrq_n_s32(acc, 31), acc, mult), shift);
}

#endif /* ADRT_MVE_DEPTHWISE_REQUANT_H */
