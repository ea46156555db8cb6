/* int8 AVERAGE_POOL_2D for Cortex-M4/M7/M33 (src/dsp/pooling.c; the build makes its reciprocal
 * table, codegen/variants/dsp/pooling.py). Bit-exact with adrt_avg_pool2d_s8.
 *
 * Window sums of 4 channels at a time accumulate as int16 pairs with SXTAB16 (exact for
 * windows of up to 256 taps), and each rounded quotient is one UMULL by a 32-bit reciprocal
 * that the build has checked to be exact for every sum such a window can have.
 */
#ifndef ADRT_DSP_POOLING_H
#define ADRT_DSP_POOLING_H

#include "adrt/common.h"

typedef struct {
    adrt_shape4_t input;  /* n, h, w, c */
    adrt_shape4_t output; /* n, out_h, out_w, c */
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t pad_h, pad_w;
    int32_t act_min, act_max;
    int32_t count_lo; /* the smallest number of taps in a window */
    /* [count - count_lo]: ceil(2^32 / count), or 0 for a count of 1 */
    const uint32_t *recip;
} adrt_dsp_pool_params_t;

void adrt_dsp_avg_pool2d_s8(const adrt_dsp_pool_params_t *p, const int8_t *input, int8_t *output);

#endif /* ADRT_DSP_POOLING_H */
