/* Helium (MVE) int8 depthwise convolution: the arithmetic of adrt_depthwise_conv2d_s8
 * (TFLite's DepthwiseConvPerChannel), byte-exact, for the Cortex-M55.
 *
 * Each output is one VMLADAV: a 16-byte load of the input "window" (every tap of one output
 * channel, contiguous in scratch) times a 16-byte vector of the channel's weights placed in the
 * same order (zeros elsewhere), summed across lanes; kernel_sum = bias + input_offset * sum(w)
 * then gives the reference accumulator. Eight outputs of one channel (neighbouring pixels) are
 * requantized together and scattered to the NHWC output. The scratch holds the input,
 * channel-major and with the input zero point in the padding, so borders need no special case
 * (a padding tap contributes w * (zero_point + input_offset) = 0).
 *
 * Two scratch layouts (the build-time variant, codegen/variants/mve/depthwise.py, packs the
 * weights for the one it picks):
 *   rows   (adrt_mve_depthwise*_s8 below but the narrow ones): per output row, a ring of
 *          kernel_h input rows per channel, interleaved column-major: byte (j * kernel_h + s)
 *          is padded column j of the row in ring slot s, so a window is the kernel's columns
 *          back to back and consecutive outputs step stride_w * kernel_h bytes. With
 *          dilation_h 1, row iy lives in slot iy % kernel_h and each input row is staged once;
 *          the weights exist once per ring rotation.
 *   planes (adrt_mve_depthwise_3x3s1_w*_s8): 3x3, stride 1, SAME, maps at most 5 wide. Bands
 *          of 8 output rows: 10 padded input rows per channel, pitch width + 1 (the left pad
 *          column doubles as the previous row's right pad), so a window spans 2 * pitch + 3 <= 15
 *          bytes and a band's 8 * width outputs are whole groups of 8 at constant offsets.
 */
#ifndef ADRT_MVE_DEPTHWISE_H
#define ADRT_MVE_DEPTHWISE_H

#include "adrt/common.h"

typedef struct {
    adrt_shape4_t input;  /* n, h, w, in_c */
    adrt_shape4_t output; /* n, out_h, out_w, out_c = in_c * depth_multiplier */
    int32_t kernel_h, kernel_w;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_h, pad_w; /* padding rows above, columns left */
    int32_t depth_multiplier;
    int32_t input_zero_point;
    int32_t output_offset; /* output zero point */
    int32_t act_min, act_max;
    int32_t channel_block; /* input channels staged in scratch at a time */
    int32_t channel_pitch; /* scratch bytes per staged channel */
    int32_t ring_rows;     /* rows layout: input rows per channel in the ring */
    int32_t pass_rows;     /* rows layout: output rows computed per pass (1 or 2) */
    int32_t window_chunks; /* 16-byte vectors per window */
    int32_t rotations;     /* rows layout: weight sets, one per ring rotation seen by a pass */
    int32_t weight_shifts; /* copies of a one-chunk window's weights shifted by 0, 1, .. steps */
    int32_t record_words;  /* int32 words per output channel record */
    /* One record per output channel: its weights, int8
     * [rotations][pass_rows][weight_shifts][window_chunks * 16] (the record_words - 4 first
     * words), then
     * kernel_sum (bias + input_offset * sum(filter)), multiplier, shift and the byte offset of
     * its input channel in the staged scratch. */
    const int32_t *records;
} adrt_mve_depthwise_params_t;

/* Rows layout, any filter size, stride, dilation and depth multiplier. */
void adrt_mve_depthwise_s8(const adrt_mve_depthwise_params_t *p, const int8_t *input,
                           int8_t *output, void *scratch);
/* Rows layout with a compile-time window step: kernel_h 3 and stride_w 1 or 2, or kernel_h 5
 * and stride_w 1 or 2, windows of at most 16 (kernel_h 3) or 32 (kernel_h 5) bytes. */
void adrt_mve_depthwise_k3s1_s8(const adrt_mve_depthwise_params_t *p, const int8_t *input,
                                int8_t *output, void *scratch);
void adrt_mve_depthwise_k3s2_s8(const adrt_mve_depthwise_params_t *p, const int8_t *input,
                                int8_t *output, void *scratch);
void adrt_mve_depthwise_k5s1_s8(const adrt_mve_depthwise_params_t *p, const int8_t *input,
                                int8_t *output, void *scratch);
void adrt_mve_depthwise_k5s2_s8(const adrt_mve_depthwise_params_t *p, const int8_t *input,
                                int8_t *output, void *scratch);
/* Planes layout, 3x3 stride 1 SAME, output width 1 to 5. */
void adrt_mve_depthwise_3x3s1_w1_s8(const adrt_mve_depthwise_params_t *p, const int8_t *input,
                                    int8_t *output, void *scratch);
void adrt_mve_depthwise_3x3s1_w2_s8(const adrt_mve_depthwise_params_t *p, const int8_t *input,
                                    int8_t *output, void *scratch);
void adrt_mve_depthwise_3x3s1_w3_s8(const adrt_mve_depthwise_params_t *p, const int8_t *input,
                                    int8_t *output, void *scratch);
void adrt_mve_depthwise_3x3s1_w4_s8(const adrt_mve_depthwise_params_t *p, const int8_t *input,
                                    int8_t *output, void *scratch);
void adrt_mve_depthwise_3x3s1_w5_s8(const adrt_mve_depthwise_params_t *p, const int8_t *input,
                                    int8_t *output, void *scratch);

#endif /* ADRT_MVE_DEPTHWISE_H */
