/* Fixed-point arithmetic shared by the int8 kernels.
 *
 * These reproduce the TFLite reference integer arithmetic bit for bit (gemmlowp's
 * SaturatingRoundingDoublingHighMul and RoundingDivideByPOT, TFLite's double-rounding
 * MultiplyByQuantizedMultiplier), so kernel outputs match LiteRT's BUILTIN_REF kernels exactly.
 */
#ifndef ADRT_COMMON_H
#define ADRT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define ADRT_MIN(a, b) ((a) < (b) ? (a) : (b))
#define ADRT_MAX(a, b) ((a) > (b) ? (a) : (b))
#define ADRT_CLAMP(x, lo, hi) ADRT_MIN(ADRT_MAX((x), (lo)), (hi))

/* Up to 4-D shapes in NHWC order; lower ranks are padded with leading 1s by the generator. */
typedef struct {
    int32_t n, h, w, c;
} adrt_shape4_t;

/* Filter taps t in [*begin, *end) of a window of `taps` taps whose input position
 * origin + t * dilation lies in [0, size); the range is empty when *end <= *begin. dilation >= 1.
 */
static inline void adrt_tap_range(int32_t origin, int32_t dilation, int32_t taps, int32_t size,
                                  int32_t *begin, int32_t *end) {
    *begin = origin < 0 ? (dilation - 1 - origin) / dilation : 0;
    *end = ADRT_MIN(taps, (size - origin + dilation - 1) / dilation);
}

static inline int32_t adrt_sat_rounding_doubling_high_mul(int32_t a, int32_t b) {
    if (a == b && a == INT32_MIN) {
        return INT32_MAX;
    }
    int64_t ab = (int64_t)a * (int64_t)b;
    int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    return (int32_t)((ab + nudge) / (1ll << 31));
}

static inline int32_t adrt_rounding_divide_by_pot(int32_t x, int exponent) {
    int32_t mask = (int32_t)((1ll << exponent) - 1);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + ((x < 0) ? 1 : 0);
    return (x >> exponent) + ((remainder > threshold) ? 1 : 0);
}

/* x * multiplier * 2^shift, multiplier a Q31 value in [2^30, 2^31), shift in [-31, 30]. */
static inline int32_t adrt_mul_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift) {
    int left_shift = shift > 0 ? shift : 0;
    int right_shift = shift > 0 ? 0 : -shift;
    int32_t shifted = (int32_t)((uint32_t)x << left_shift);
    return adrt_rounding_divide_by_pot(adrt_sat_rounding_doubling_high_mul(shifted, multiplier),
                                       right_shift);
}

#endif /* ADRT_COMMON_H */
