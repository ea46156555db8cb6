#include "adrt/reduce.h"

enum { MEAN_CHUNK = 64 };

void adrt_mean_s8(const adrt_mean_params_t *p, const int8_t *input, int8_t *output) {
    const int32_t reduce = p->reduce, inner = p->inner;
    int32_t acc[MEAN_CHUNK];
    for (int32_t o = 0; o < p->outer; ++o) {
        const int8_t *in_o = input + (size_t)o * reduce * inner;
        int8_t *out = output + (size_t)o * inner;
        for (int32_t i0 = 0; i0 < inner; i0 += MEAN_CHUNK) {
            const int32_t n = ADRT_MIN(MEAN_CHUNK, inner - i0);
            for (int32_t k = 0; k < n; ++k) {
                acc[k] = p->bias;
            }
            for (int32_t r = 0; r < reduce; ++r) {
                const int8_t *x = in_o + (size_t)r * inner + i0;
                for (int32_t k = 0; k < n; ++k) {
                    acc[k] += x[k];
                }
            }
            for (int32_t k = 0; k < n; ++k) {
                int32_t v = adrt_mul_by_quantized_multiplier(acc[k], p->multiplier, p->shift) +
                            p->output_offset;
                out[i0 + k] = (int8_t)ADRT_CLAMP(v, -128, 127);
            }
        }
    }
}
