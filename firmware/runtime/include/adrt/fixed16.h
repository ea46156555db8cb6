/* 16-bit fixed-point logistic and tanh, as TFLite's integer LSTM computes its gates.
 *
 * TFLite's LSTM (the 8x8->16 integer scheme) evaluates sigmoid and tanh with gemmlowp's
 * fixed-point algorithms on int16 values: exp by a Taylor polynomial around -1/8 and a barrel
 * shifter of exp(-2^k) factors, 1/(1+x) by three Newton-Raphson steps, every product a
 * saturating rounding doubling high multiply on int16 and every sum wrapping in int16. These
 * functions follow the same steps, so their results equal the reference's for every input.
 *
 * A value with `integer_bits` m is raw / 2^(15 - m); results are Q0.15.
 */
#ifndef ADRT_FIXED16_H
#define ADRT_FIXED16_H

#include "adrt/common.h"

/* logistic(x) for x in Q3.12. */
int16_t adrt_q15_logistic(int16_t x);

/* tanh(x) for x with `integer_bits` in [0, 6]. */
int16_t adrt_q15_tanh(int16_t x, int32_t integer_bits);

/* x * y / 2^shift rounded to nearest, halves away from zero (gemmlowp's RoundingDivideByPOT of
 * the int32 product), then truncated to int16 as TFLite's CwiseMul does. shift in [0, 31]. */
static inline int16_t adrt_q15_mul_shift(int16_t x, int16_t y, int32_t shift) {
    return (int16_t)adrt_rounding_divide_by_pot((int32_t)x * (int32_t)y, shift);
}

/* a + b saturated to int16. */
static inline int16_t adrt_q15_add_sat(int32_t a, int32_t b) {
    return (int16_t)ADRT_CLAMP(a + b, INT16_MIN, INT16_MAX);
}

#endif /* ADRT_FIXED16_H */
