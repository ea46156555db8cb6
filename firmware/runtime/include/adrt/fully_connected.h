/* int8 fully connected (TFLite FULLY_CONNECTED): out[b, oc] = requant(bias + sum(w * (x - zp))).
 *
 * input viewed as [batches, depth], weights [out_c, depth]; kernel_sum = bias + input_offset *
 * sum(w[oc]) so the inner loop is a plain int8 dot product. Per-tensor quantization repeats the
 * single multiplier (multiplier_stride 0), per-channel uses one per output (stride 1).
 */
#ifndef ADRT_FULLY_CONNECTED_H
#define ADRT_FULLY_CONNECTED_H

#include "adrt/requant.h"

typedef struct {
    int32_t batches;
    int32_t depth;
    int32_t out_c;
    int32_t output_offset;
    int32_t act_min, act_max;
    int32_t multiplier_stride; /* 0: per tensor, 1: per channel */
    const int32_t *multiplier;
    const int32_t *shift;
    const int32_t *kernel_sum; /* [out_c] */
} adrt_fully_connected_params_t;

/* The bias is folded into kernel_sum; the argument may be NULL and is not read. */
void adrt_fully_connected_s8(const adrt_fully_connected_params_t *p, const int8_t *input,
                             const int8_t *weights, const int32_t *bias, int8_t *output);

#endif /* ADRT_FULLY_CONNECTED_H */
