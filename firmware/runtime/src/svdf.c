#include "adrt/svdf.h"

#include <string.h>

void adrt_svdf_s8(const adrt_svdf_params_t *p, const int8_t *input, int8_t *output,
                  int16_t *memory) {
    const int32_t filters = p->filters, depth = p->memory, units = p->filters / p->rank;
    /* the whole memory moves one element left; each filter's last column is rewritten below */
    memmove(memory, memory + 1, ((size_t)p->batches * filters * depth - 1) * sizeof *memory);
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *x = input + (size_t)b * p->input_size;
        int16_t *mem = memory + (size_t)b * filters * depth;
        const int8_t *w = p->feature_weights;
        for (int32_t f = 0; f < filters; ++f, w += p->input_size) {
            int32_t acc = 0;
            for (int32_t c = 0; c < p->input_size; ++c) {
                acc += (int32_t)w[c] * (x[c] - p->input_zero_point);
            }
            acc = adrt_mul_by_quantized_multiplier(acc, p->feature_multiplier, p->feature_shift);
            mem[(size_t)f * depth + depth - 1] = (int16_t)ADRT_CLAMP(acc, INT16_MIN, INT16_MAX);
        }
        for (int32_t u = 0; u < units; ++u) {
            int32_t acc = p->bias ? p->bias[u] : 0;
            for (int32_t r = 0; r < p->rank; ++r) {
                const int32_t f = u * p->rank + r;
                const int16_t *t = p->time_weights + (size_t)f * depth;
                const int16_t *m = mem + (size_t)f * depth;
                for (int32_t k = 0; k < depth; ++k) {
                    acc += (int32_t)t[k] * m[k];
                }
            }
            int32_t v =
                adrt_mul_by_quantized_multiplier(acc, p->output_multiplier, p->output_shift) +
                p->output_zero_point;
            output[(size_t)b * units + u] = (int8_t)ADRT_CLAMP(v, -128, 127);
        }
    }
}
