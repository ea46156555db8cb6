/* int8 transposed 2-D convolution (TFLite TRANSPOSE_CONV), NHWC input, OHWI filter, per-channel
 * requantization, optional int32 bias.
 *
 * TFLite's reference scatters every input pixel through the filter into an int32 image of the
 * output; this kernel gathers instead: output pixel (oy, ox) receives filter tap (fy, fx) of input
 * pixel ((oy + pad_h - fy) / stride_h, (ox + pad_w - fx) / stride_w) where both divisions are
 * exact and inside the input. Same integer sums, no scratch image: acc = bias + sum(f * (x -
 * in_zp)), then MultiplyByQuantizedMultiplier (double rounding), + out_zp, clamp.
 */
#ifndef ADRT_TRANSPOSE_CONV_H
#define ADRT_TRANSPOSE_CONV_H

#include "adrt/common.h"

/* Shapes, strides and padding of a transposed convolution (int8 and 16x8 kernels). */
typedef struct {
    adrt_shape4_t input;  /* n, h, w, in_c */
    adrt_shape4_t filter; /* out_c, fh, fw, in_c */
    adrt_shape4_t output; /* n, out_h, out_w, out_c */
    int32_t stride_h, stride_w;
    int32_t pad_h, pad_w; /* TFLite's padding of the equivalent forward convolution */
} adrt_transpose_conv_geometry_t;

typedef struct {
    adrt_transpose_conv_geometry_t geometry;
    int32_t input_offset;  /* -input zero point */
    int32_t output_offset; /* output zero point */
    int32_t act_min, act_max;
    const int32_t *multiplier; /* [out_c] Q31 */
    const int32_t *shift;      /* [out_c] */
} adrt_transpose_conv_params_t;

/* bias may be NULL. */
void adrt_transpose_conv_s8(const adrt_transpose_conv_params_t *p, const int8_t *input,
                            const int8_t *filter, const int32_t *bias, int8_t *output);

#endif /* ADRT_TRANSPOSE_CONV_H */
