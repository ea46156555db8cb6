/* 16x8 convolutions (TFLite's int16 activations with int8 weights and int64 bias): CONV_2D,
 * DEPTHWISE_CONV_2D and FULLY_CONNECTED.
 *
 * Activations are symmetric (zero point 0), so there is no input offset: acc = bias + sum(w * x)
 * over in-image taps in 64 bits, then the fused activation clamp (within int16). The convolutions
 * scale acc with adrt_requant_s64 (the channel's 16-bit multiplier and total shift), as TFLite's
 * reference kernels. LiteRT's 16x8 FULLY_CONNECTED instead computes round(double(acc) * scale)
 * with scale = double(input scale) * weight scale / output scale, an int32 conversion that gives
 * INT32_MIN out of range (x86): the kernel reproduces that product's rounding to 53 bits exactly
 * in integer arithmetic from the scale's mantissa and exponent. |acc| < 2^53 (the generator
 * checks it from the bias and depth). Layouts as the int8 kernels:
 * NHWC input, OHWI filter for CONV_2D (grouped: groups = input.c / filter.c), [1, fh, fw, out_c]
 * for DEPTHWISE_CONV_2D (out channel = ic * depth_multiplier + m), [out_c, depth] weights for
 * FULLY_CONNECTED. The bias may be NULL (no bias).
 */
#ifndef ADRT_CONV_S16_H
#define ADRT_CONV_S16_H

#include "adrt/requant_s16.h"

typedef struct {
    adrt_shape4_t input;  /* n, h, w, c */
    adrt_shape4_t filter; /* CONV_2D: out_c, fh, fw, in_c per group; depthwise: 1, fh, fw, out_c */
    adrt_shape4_t output; /* n, out_h, out_w, out_c */
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_h, pad_w;
    int32_t groups;           /* CONV_2D only */
    int32_t depth_multiplier; /* DEPTHWISE_CONV_2D only */
    int32_t act_min, act_max;
    const int32_t *multiplier; /* [out_c] 16-bit multipliers */
    const int32_t *shift;      /* [out_c] total right shifts, in [1, 46] */
} adrt_conv2d_s16_params_t;

typedef struct {
    int32_t batches;
    int32_t depth;
    int32_t out_c;
    int32_t act_min, act_max;
    int32_t scale_stride; /* 0: per tensor, 1: per channel */
    /* scale = scale_mantissa * 2^scale_exponent, the mantissa below 2^53 (0 for a zero scale) */
    const uint64_t *scale_mantissa;
    const int32_t *scale_exponent;
} adrt_fully_connected_s16_params_t;

void adrt_conv2d_s16(const adrt_conv2d_s16_params_t *p, const int16_t *input, const int8_t *filter,
                     const int64_t *bias, int16_t *output);
void adrt_depthwise_conv2d_s16(const adrt_conv2d_s16_params_t *p, const int16_t *input,
                               const int8_t *filter, const int64_t *bias, int16_t *output);
void adrt_fully_connected_s16(const adrt_fully_connected_s16_params_t *p, const int16_t *input,
                              const int8_t *weights, const int64_t *bias, int16_t *output);

#endif /* ADRT_CONV_S16_H */
