/* int8 2-D convolution (TFLite CONV_2D, one group) with the DSP extension's dual 16-bit MACs,
 * for Cortex-M4/M7/M33 (src/dsp/conv.c; the build packs its weights,
 * codegen/variants/dsp/conv.py). Bit-exact with adrt_conv2d_s8.
 *
 * Each output pixel's receptive field becomes a column of depth = filter_h * filter_w * input.c
 * int16 values (taps outside the image hold the input zero point, so every pixel starts from
 * kernel_sum = bias - input_zero_point * sum(filter)), and two columns at a time are multiplied
 * by the packed weights, two output channels at a time.
 */
#ifndef ADRT_DSP_CONV_H
#define ADRT_DSP_CONV_H

#include "adrt/common.h"

typedef struct {
    adrt_shape4_t input;  /* n, h, w, c */
    adrt_shape4_t output; /* n, out_h, out_w, out_c */
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_h, pad_w;
    int32_t depth;            /* filter_h * filter_w * input.c */
    int32_t pointwise;        /* 1x1 filter, stride 1, no padding: columns are input pixels */
    int32_t input_zero_point; /* value of the taps outside the image */
    int32_t act_min, act_max;
    const uint32_t *weights;   /* see src/dsp/dsp_gemm.h */
    const int32_t *kernel_sum; /* [out_c rounded up to even] */
    /* [out_c rounded up to even][4], see src/dsp/dsp_arith.h (output zero point included) */
    const int32_t *requant;
} adrt_dsp_conv2d_params_t;

/* scratch: two int16 columns (4 bytes per depth value, depth rounded up to a multiple of 4) and,
 * unless pointwise, one int8 column to gather the receptive field in (1 byte per value). */
void adrt_dsp_conv2d_s8(const adrt_dsp_conv2d_params_t *p, const int8_t *input, int8_t *output,
                        void *scratch);

#endif /* ADRT_DSP_CONV_H */
