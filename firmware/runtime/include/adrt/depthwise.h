/* int8 depthwise 2-D convolution (TFLite DEPTHWISE_CONV_2D), NHWC, filter [1, fh, fw, out_c].
 *
 * out channel oc = ic * depth_multiplier + m. Arithmetic as TFLite's reference
 * DepthwiseConvPerChannel; interior pixels start from kernel_sum = bias + input_offset * sum(f).
 */
#ifndef ADRT_DEPTHWISE_H
#define ADRT_DEPTHWISE_H

#include "adrt/common.h"

typedef struct {
    adrt_shape4_t input;  /* n, h, w, in_c */
    adrt_shape4_t filter; /* 1, fh, fw, out_c */
    adrt_shape4_t output; /* n, out_h, out_w, out_c */
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_h, pad_w;
    int32_t depth_multiplier;
    int32_t input_offset;  /* -input zero point */
    int32_t output_offset; /* output zero point */
    int32_t act_min, act_max;
    const int32_t *multiplier; /* [out_c] */
    const int32_t *shift;      /* [out_c] */
    const int32_t *kernel_sum; /* [out_c] */
} adrt_depthwise_conv2d_params_t;

/* bias may be NULL. */
void adrt_depthwise_conv2d_s8(const adrt_depthwise_conv2d_params_t *p, const int8_t *input,
                              const int8_t *filter, const int32_t *bias, int8_t *output);

#endif /* ADRT_DEPTHWISE_H */
