/* Requantization variants some LiteRT kernels use instead of common.h's double rounding. */
#ifndef ADRT_REQUANT_H
#define ADRT_REQUANT_H

#include "adrt/common.h"

/* Single-rounding x * multiplier * 2^shift: round(x * m / 2^(31 - shift)), ties upward, as
 * TFLite's TFLITE_SINGLE_ROUNDING MultiplyByQuantizedMultiplier (and ruy) compute it. */
static inline int32_t adrt_mul_by_quantized_multiplier_sr(int32_t x, int32_t multiplier,
                                                          int shift) {
    const int total_shift = 31 - shift;
    const int64_t round = (int64_t)1 << (total_shift - 1);
    return (int32_t)(((int64_t)x * multiplier + round) >> total_shift);
}

#endif /* ADRT_REQUANT_H */
