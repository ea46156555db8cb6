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

void adrt_reduce_max_s8(const adrt_reduce_params_t *p, const int8_t *input, int8_t *output) {
    const int32_t reduce = p->reduce, inner = p->inner;
    for (int32_t o = 0; o < p->outer; ++o) {
        const int8_t *in_o = input + (size_t)o * reduce * inner;
        int8_t *out = output + (size_t)o * inner;
        for (int32_t k = 0; k < inner; ++k) {
            out[k] = in_o[k];
        }
        for (int32_t r = 1; r < reduce; ++r) {
            const int8_t *x = in_o + (size_t)r * inner;
            for (int32_t k = 0; k < inner; ++k) {
                out[k] = ADRT_MAX(out[k], x[k]);
            }
        }
    }
}

void adrt_arg_minmax_s8(const adrt_arg_minmax_params_t *p, const int8_t *input, void *output) {
    const int32_t axis_size = p->axis_size, inner = p->inner;
    int32_t *out32 = (int32_t *)output;
    int64_t *out64 = (int64_t *)output;
    size_t n = 0;
    for (int32_t o = 0; o < p->outer; ++o) {
        const int8_t *in_o = input + (size_t)o * axis_size * inner;
        for (int32_t k = 0; k < inner; ++k, ++n) {
            int8_t best = in_o[k];
            int32_t index = 0;
            /* Strict comparisons: the first of equal values wins, as in TFLite. */
            for (int32_t a = 1; a < axis_size; ++a) {
                const int8_t v = in_o[(size_t)a * inner + k];
                if (p->select_min ? v < best : v > best) {
                    best = v;
                    index = a;
                }
            }
            if (p->output_bytes == 8) {
                out64[n] = index;
            } else {
                out32[n] = index;
            }
        }
    }
}
