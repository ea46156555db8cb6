#include "adrt/fully_connected.h"

void adrt_fully_connected_s8(const adrt_fully_connected_params_t *p, const int8_t *input,
                             const int8_t *weights, const int32_t *bias, int8_t *output) {
    (void)bias;
    const int32_t depth = p->depth, out_c = p->out_c;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *x = input + (size_t)b * depth;
        int8_t *out = output + (size_t)b * out_c;
        const int8_t *w = weights;
        const int32_t *mult = p->multiplier, *shift = p->shift;
        for (int32_t oc = 0; oc < out_c; ++oc) {
            int32_t acc = p->kernel_sum[oc];
            for (int32_t i = 0; i < depth; ++i) {
                acc += (int32_t)w[i] * x[i];
            }
            w += depth;
            acc = adrt_mul_by_quantized_multiplier_sr(acc, *mult, *shift) + p->output_offset;
            out[oc] = (int8_t)ADRT_CLAMP(acc, p->act_min, p->act_max);
            mult += p->multiplier_stride;
            shift += p->multiplier_stride;
        }
    }
}
