#include "adrt/quantize_s16.h"

#include <string.h>

static inline int32_t requantize(const adrt_requantize_params_t *p, int32_t x) {
    return adrt_mul_by_quantized_multiplier(x + p->input_offset, p->multiplier, p->shift) +
           p->output_offset;
}

void adrt_requantize_s16(const adrt_requantize_params_t *params, const int16_t *input,
                         int16_t *output) {
    for (int32_t i = 0; i < params->size; ++i) {
        const int32_t v = requantize(params, input[i]);
        output[i] = (int16_t)ADRT_CLAMP(v, INT16_MIN, INT16_MAX);
    }
}

void adrt_requantize_s16_s8(const adrt_requantize_params_t *params, const int16_t *input,
                            int8_t *output) {
    for (int32_t i = 0; i < params->size; ++i) {
        const int32_t v = requantize(params, input[i]);
        output[i] = (int8_t)ADRT_CLAMP(v, INT8_MIN, INT8_MAX);
    }
}

void adrt_lut_s8_s16(const adrt_lut_s8_s16_params_t *params, const int8_t *input, int16_t *output) {
    const int16_t *t = params->table;
    for (int32_t i = 0; i < params->size; ++i) {
        output[i] = t[(uint8_t)input[i]];
    }
}

/* The float32 next to g (g != 0) away from zero (up = 1) or towards it (up = 0) in magnitude. */
static float float_step(float g, int away) {
    uint32_t bits;
    memcpy(&bits, &g, sizeof bits);
    bits = away ? bits + 1u : bits - 1u;
    memcpy(&g, &bits, sizeof g);
    return g;
}

/* Whether round(fl32(x / scale)) >= n, halves away from zero (see quantize_s16.h). */
static int reaches(float x, int32_t n, double scale) {
    float g = (float)n - 0.5f; /* exact: |n| < 2^17 */
    if (n <= 0) {
        g = float_step(g, 0); /* n - 1/2 rounds to n - 1 there: the next float up */
    }
    const float below = g > 0.0f ? float_step(g, 0) : float_step(g, 1);
    /* x never equals the boundary (its odd part has 25 bits, a float's at most 24), so the
     * tie-breaking of the division's rounding never decides. */
    return (double)x > ((double)below + (double)g) * 0.5 * scale;
}

void adrt_quantize_f32_s16(const adrt_quantize_f32_s16_params_t *params, const float *input,
                           int16_t *output) {
    const int32_t zp = params->zero_point_int;
    for (int32_t i = 0; i < params->size; ++i) {
        const float x = input[i];
        const float f = x * params->inv_scale + params->zero_point;
        int32_t q;
        if (!(f > -32768.0f)) { /* also NaN */
            q = INT16_MIN;
        } else if (f >= 32767.0f) {
            q = INT16_MAX;
        } else {
            q = (int32_t)(f + 32768.5f) - 32768; /* truncation of a positive value: floor */
        }
        while (q < INT16_MAX && reaches(x, q + 1 - zp, params->scale)) {
            ++q;
        }
        while (q > INT16_MIN && !reaches(x, q - zp, params->scale)) {
            --q;
        }
        output[i] = (int16_t)q;
    }
}

void adrt_dequantize_s16_f32(const adrt_dequantize_params_t *params, const int16_t *input,
                             float *output) {
    const int32_t inner = params->inner;
    for (int32_t o = 0; o < params->outer; ++o) {
        for (int32_t c = 0; c < params->channels; ++c) {
            const float scale = params->scales[c];
            const int32_t zp = params->zero_points[c];
            for (int32_t i = 0; i < inner; ++i) {
                output[i] = (float)((int32_t)input[i] - zp) * scale;
            }
            input += inner;
            output += inner;
        }
    }
}
