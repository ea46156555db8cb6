#include "adrt/quantize.h"

void adrt_quantize_f32_s8(const adrt_quantize_f32_s8_params_t *params, const float *input,
                          int8_t *output) {
    const int32_t n = params->size;
    const float inv = params->inv_scale;
    const float zp = params->zero_point;
    /* thr[q] for q in [-127, 127]: output >= q iff x >= thr[q] (monotone). */
    const float *thr = params->thresholds + 127;
    for (int32_t i = 0; i < n; ++i) {
        const float x = input[i];
        const float f = x * inv + zp;
        int32_t q;
        if (!(f > -128.0f)) { /* also NaN */
            q = -128;
        } else if (f >= 127.0f) {
            q = 127;
        } else {
            q = (int32_t)(f + 128.5f) - 128; /* truncation of a positive value: floor */
        }
        while (q < 127 && x >= thr[q + 1]) {
            ++q;
        }
        while (q > -128 && !(x >= thr[q])) {
            --q;
        }
        output[i] = (int8_t)q;
    }
}

#define ADRT_DEQUANTIZE_LOOP()                                                                     \
    do {                                                                                           \
        const int32_t inner = params->inner;                                                       \
        for (int32_t o = 0; o < params->outer; ++o) {                                              \
            for (int32_t c = 0; c < params->channels; ++c) {                                       \
                const float scale = params->scales[c];                                             \
                const int32_t zp = params->zero_points[c];                                         \
                for (int32_t i = 0; i < inner; ++i) {                                              \
                    output[i] = (float)((int32_t)input[i] - zp) * scale;                           \
                }                                                                                  \
                input += inner;                                                                    \
                output += inner;                                                                   \
            }                                                                                      \
        }                                                                                          \
    } while (0)

void adrt_dequantize_s8_f32(const adrt_dequantize_params_t *params, const int8_t *input,
                            float *output) {
    ADRT_DEQUANTIZE_LOOP();
}

void adrt_dequantize_u8_f32(const adrt_dequantize_params_t *params, const uint8_t *input,
                            float *output) {
    ADRT_DEQUANTIZE_LOOP();
}
