/* int8 2-D convolution (TFLite CONV_2D), NHWC input, OHWI filter, per-channel requantization.
 *
 * Grouped convolution: groups = input.c / filter.c, output channels split evenly across groups.
 * Arithmetic follows TFLite's reference ConvPerChannel: acc = bias + sum(f * (x - in_zp)) over
 * in-image taps, then MultiplyByQuantizedMultiplier, + out_zp, clamp. Interior pixels use the
 * precomputed kernel_sum = bias + input_offset * sum(filter) and a plain int8 dot product.
 */
#ifndef ADRT_CONV_H
#define ADRT_CONV_H

#include "adrt/common.h"

typedef struct {
    adrt_shape4_t input;  /* n, h, w, c */
    adrt_shape4_t filter; /* out_c, fh, fw, in_c per group */
    adrt_shape4_t output; /* n, out_h, out_w, out_c */
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_h, pad_w;
    int32_t groups;
    int32_t input_offset;  /* -input zero point */
    int32_t output_offset; /* output zero point */
    int32_t act_min, act_max;
    const int32_t *multiplier; /* [out_c] Q31 */
    const int32_t *shift;      /* [out_c] */
    const int32_t *kernel_sum; /* [out_c] bias + input_offset * sum(filter[oc]) */
} adrt_conv2d_params_t;

/* bias may be NULL. */
void adrt_conv2d_s8(const adrt_conv2d_params_t *p, const int8_t *input, const int8_t *filter,
                    const int32_t *bias, int8_t *output);

#endif /* ADRT_CONV_H */
