/* int8 depthwise 2-D convolution (TFLite DEPTHWISE_CONV_2D) with the DSP extension's 16-bit
 * MACs, for Cortex-M4/M7/M33 (src/dsp/depthwise.c; the build packs its weights,
 * codegen/variants/dsp/depthwise.py). Bit-exact with adrt_depthwise_conv2d_s8.
 *
 * Output channel c * depth_multiplier + m reads input channel c with filter m. For a block of
 * block_channels input channels at a time, the input rows a window spans are widened once to
 * int16 into a ring of rows in scratch, padded with the input zero point around the image, so
 * every pixel reads all its taps and starts from kernel_sum = bias - input_zero_point *
 * sum(filter); each tap of 4 channels is then 2 loads and 4 MACs.
 */
#ifndef ADRT_DSP_DEPTHWISE_H
#define ADRT_DSP_DEPTHWISE_H

#include "adrt/common.h"

typedef struct {
    adrt_shape4_t input;  /* n, h, w, c */
    adrt_shape4_t output; /* n, out_h, out_w, c * depth_multiplier */
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_h, pad_w;
    int32_t depth_multiplier;
    int32_t input_zero_point; /* value of the taps outside the image */
    int32_t act_min, act_max;
    int32_t block_channels; /* a multiple of 4: input channels widened into the ring at a time */
    int32_t padded_width;   /* pad_w + input.w + the padding right of the image */
    /* [depth_multiplier][input channels / 4, rounded up][filter_h * filter_w taps][2]: the
     * filter values of 4 channels as int16 pairs (channels 0 and 2, then 1 and 3) */
    const int32_t *weights;
    const int32_t *kernel_sum; /* [depth_multiplier][input channels rounded up to 4] */
    /* [depth_multiplier][input channels rounded up to 4][4], see src/dsp/dsp_arith.h (output
     * zero point included) */
    const int32_t *requant;
} adrt_dsp_depthwise_conv2d_params_t;

/* scratch: the ring, (filter_h - 1) * dilation_h + 1 rows of padded_width * block_channels int16
 * values, then filter_h row pointers. */
void adrt_dsp_depthwise_conv2d_s8(const adrt_dsp_depthwise_conv2d_params_t *p, const int8_t *input,
                                  int8_t *output, void *scratch);

#endif /* ADRT_DSP_DEPTHWISE_H */
