/* Helium (MVE) int8 CONV_2D for the Cortex-M55: same arithmetic as adrt_conv2d_s8 (adrt/conv.h),
 * bit for bit, with weights and per-channel parameters packed at build time
 * (site_scons/autodeploy/codegen/variants/mve/conv.py). Groups must be 1, except for the
 * channel-wise kernel below.
 *
 * Output pixels are computed three at a time against two output channels at a time
 * (src/mve/mve_matmul.h), their input rows copied into scratch first. A pixel's input row is
 * its receptive field: the pixel itself for a 1x1 filter without padding
 * (adrt_mve_conv2d_1x1_s8), else gathered with taps outside the image set to the input zero
 * point, so the kernel sums (which fold in -zero_point * sum(weights)) stay exact at the
 * borders.
 */
#ifndef ADRT_MVE_CONV_H
#define ADRT_MVE_CONV_H

#include "adrt/common.h"

typedef struct {
    adrt_shape4_t input;  /* n, h, w, c */
    adrt_shape4_t output; /* n, out_h, out_w, out_c */
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_h, pad_w;
    int32_t input_offset;  /* -input zero point */
    int32_t output_offset; /* output zero point */
    int32_t act_min, act_max;
    int32_t right_shifts_only; /* 1 when every shift is <= -1 (a shorter requantization) */
    /* dense kernels: [ceil(out_c / 2)][ceil(depth / 16)][2][16], depth = filter_h * filter_w *
     * input.c; channel-wise kernel: [filter_h * filter_w][ceil(out_c / 4) * 4]; zero padded */
    const int8_t *weights;
    /* per four channels, four vectors of 4 lanes (missing channels 0): multiplier,
     * max(shift, 0), -max(-shift, 0), kernel_sum */
    const int32_t *quant;
    /* channel-wise kernel only: [ceil(out_c / 4) * 4], the input channel of each output one */
    const int32_t *channel;
} adrt_mve_conv2d_params_t;

/* Scratch: 4 * ceil(depth / 16) * 16 + 16 bytes. */
void adrt_mve_conv2d_s8(const adrt_mve_conv2d_params_t *p, const int8_t *input, int8_t *output,
                        void *scratch);

/* 1x1 filter, no padding (any stride). Scratch: 3 * ceil(input.c / 16) * 16 bytes. */
void adrt_mve_conv2d_1x1_s8(const adrt_mve_conv2d_params_t *p, const int8_t *input, int8_t *output,
                            void *scratch);

/* Grouped CONV_2D whose groups each read one input channel (filter depth 1, groups = input.c;
 * HeartKit's 1-D convolutions): output channel o reads input channel channel[o]. Output
 * channels are the vector lanes, four at a time. */
void adrt_mve_conv2d_channelwise_s8(const adrt_mve_conv2d_params_t *p, const int8_t *input,
                                    int8_t *output);

#endif /* ADRT_MVE_CONV_H */
