/* Requantization of the 64-bit accumulators of TFLite's 16x8 kernels (int16 activations, int8
 * weights, int64 bias): CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED.
 *
 * TFLite scales an int64 accumulator with a Q31 multiplier m and shift s (QuantizeMultiplier) by
 * first rounding m to 16 bits, m16 = (m + 2^15) >> 16 (0x7FFF when m >= 0x7FFF0000), then
 * computing (acc * m16 + 2^(t - 1)) >> t with t = 15 - s, and keeping the low 32 bits. The
 * generator stores m16 and t per channel; products and sums wrap as 64-bit two's complement
 * (as the reference's do on the hosts it runs on) and the result is the int64's low 32 bits.
 */
#ifndef ADRT_REQUANT_S16_H
#define ADRT_REQUANT_S16_H

#include "adrt/common.h"

static inline int32_t adrt_requant_s64(int64_t acc, int32_t multiplier16, int32_t total_shift) {
    const uint64_t round = (uint64_t)1 << (total_shift - 1);
    const int64_t scaled = (int64_t)((uint64_t)acc * (uint64_t)(int64_t)multiplier16 + round);
    return (int32_t)(uint32_t)(uint64_t)(scaled >> total_shift);
}

/* sum(w[i] * x[i]) for i < n: int32 partial sums of at most 512 products (|w * x| <= 2^22), so
 * no partial sum overflows, added up in 64 bits. */
static inline int64_t adrt_dot_s16_s8(const int16_t *x, const int8_t *w, int32_t n) {
    int64_t total = 0;
    while (n > 0) {
        const int32_t chunk = n < 512 ? n : 512;
        int32_t acc = 0;
        for (int32_t i = 0; i < chunk; ++i) {
            acc += (int32_t)w[i] * x[i];
        }
        total += acc;
        x += chunk;
        w += chunk;
        n -= chunk;
    }
    return total;
}

#endif /* ADRT_REQUANT_S16_H */
