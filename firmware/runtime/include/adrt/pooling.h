/* int8 2-D pooling (TFLite AVERAGE_POOL_2D, MAX_POOL_2D), NHWC.
 *
 * Input and output share scale and zero point; only the fused activation clamp is applied.
 * Average pooling rounds half away from zero like TFLite's reference kernel; the division by
 * the window size is a multiply by a precomputed reciprocal (exact for |sum| < 2^24).
 */
#ifndef ADRT_POOLING_H
#define ADRT_POOLING_H

#include "adrt/common.h"

typedef struct {
    adrt_shape4_t input;  /* n, h, w, c */
    adrt_shape4_t output; /* n, out_h, out_w, c */
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t pad_h, pad_w; /* top/left padding */
    int32_t act_min, act_max;
    /* Average pooling only: recip[k] = ceil(2^40 / (count_lo + k)) for every window size
     * (number of in-bounds taps) that occurs; NULL -> divide. */
    const uint64_t *recip;
    int32_t count_lo;
} adrt_pool_params_t;

void adrt_max_pool2d_s8(const adrt_pool_params_t *p, const int8_t *input, int8_t *output);
void adrt_avg_pool2d_s8(const adrt_pool_params_t *p, const int8_t *input, int8_t *output);

#endif /* ADRT_POOLING_H */
