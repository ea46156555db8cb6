#include "adrt/reduce_s16.h"

void adrt_mean_s16(const adrt_mean_params_t *p, const int16_t *input, int16_t *output) {
    const int32_t reduce = p->reduce, inner = p->inner;
    enum { CHUNK = 64 };
    int32_t acc[CHUNK];
    for (int32_t o = 0; o < p->outer; ++o) {
        const int16_t *in_o = input + (size_t)o * reduce * inner;
        int16_t *out = output + (size_t)o * inner;
        for (int32_t i0 = 0; i0 < inner; i0 += CHUNK) {
            const int32_t n = ADRT_MIN(CHUNK, inner - i0);
            for (int32_t k = 0; k < n; ++k) {
                acc[k] = p->bias;
            }
            for (int32_t r = 0; r < reduce; ++r) {
                const int16_t *x = in_o + (size_t)r * inner + i0;
                for (int32_t k = 0; k < n; ++k) {
                    acc[k] += x[k];
                }
            }
            for (int32_t k = 0; k < n; ++k) {
                const int32_t v =
                    adrt_mul_by_quantized_multiplier(acc[k], p->multiplier, p->shift) +
                    p->output_offset;
                out[i0 + k] = (int16_t)ADRT_CLAMP(v, INT16_MIN, INT16_MAX);
            }
        }
    }
}
