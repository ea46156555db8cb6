#include "adrt/softmax.h"

void adrt_softmax_s8(const adrt_softmax_s8_params_t *p, const int8_t *input, int8_t *output) {
    const int32_t depth = p->depth;
    for (int32_t r = 0; r < p->rows; ++r) {
        const int8_t *x = input + (size_t)r * depth;
        int8_t *out = output + (size_t)r * depth;
        int32_t max_val = -128;
        for (int32_t j = 0; j < depth; ++j) {
            max_val = x[j] > max_val ? x[j] : max_val;
        }
        const float *t = p->table + (255 - max_val);
        float sum = 0.0f;
        for (int32_t j = 0; j < depth; ++j) {
            sum += t[x[j]];
        }
        const float inv = 1.0f / (sum * p->output_scale);
        for (int32_t j = 0; j < depth; ++j) {
            const float prob = t[x[j]] * inv;
            /* std::round for prob >= 0: the fraction prob - q is exact below 2^23. */
            int32_t q = (int32_t)prob;
            if (prob - (float)q >= 0.5f) {
                q += 1;
            }
            q += p->output_zero_point;
            out[j] = (int8_t)ADRT_CLAMP(q, -128, 127);
        }
    }
}
