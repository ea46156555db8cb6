#include "adrt/activation.h"

/* Four elements per iteration: independent loads let the core overlap them. */
#define ADRT_LUT_LOOP()                                                                            \
    do {                                                                                           \
        const int32_t n = params->size;                                                            \
        int32_t i = 0;                                                                             \
        for (; i + 4 <= n; i += 4) {                                                               \
            const uint8_t x0 = (uint8_t)input[i];                                                  \
            const uint8_t x1 = (uint8_t)input[i + 1];                                              \
            const uint8_t x2 = (uint8_t)input[i + 2];                                              \
            const uint8_t x3 = (uint8_t)input[i + 3];                                              \
            output[i] = t[x0];                                                                     \
            output[i + 1] = t[x1];                                                                 \
            output[i + 2] = t[x2];                                                                 \
            output[i + 3] = t[x3];                                                                 \
        }                                                                                          \
        for (; i < n; ++i) {                                                                       \
            output[i] = t[(uint8_t)input[i]];                                                      \
        }                                                                                          \
    } while (0)

void adrt_lut_s8(const adrt_lut_s8_params_t *params, const int8_t *input, int8_t *output) {
    const int8_t *t = params->table;
    ADRT_LUT_LOOP();
}

void adrt_lut_s8_u8(const adrt_lut_u8_params_t *params, const int8_t *input, uint8_t *output) {
    const uint8_t *t = params->table;
    ADRT_LUT_LOOP();
}

void adrt_lut_u8_s8(const adrt_lut_s8_params_t *params, const uint8_t *input, int8_t *output) {
    const int8_t *t = params->table;
    ADRT_LUT_LOOP();
}

void adrt_lut_u8(const adrt_lut_u8_params_t *params, const uint8_t *input, uint8_t *output) {
    const uint8_t *t = params->table;
    ADRT_LUT_LOOP();
}
