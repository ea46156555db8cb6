/* Helium (MVE) int8 depthwise convolution: the arithmetic of adrt_depthwise_conv2d_s8
 * (TFLite's DepthwiseConvPerChannel), byte-exact, for the Cortex-M55.
 *
 * Each output is one VMLADAV: a 16-byte load of the input "window" (every tap of one output
 * channel, contiguous in scratch) times a 16-byte vector of the channel's weights placed in the
 * same order (zeros elsewhere), summed across lanes; kernel_sum = bias + input_offset * sum(w)
 * then gives the reference accumulator. Neighbouring windows that fit in one 16-byte load share
 * it (their weight vectors are shifted copies). Eight outputs of one channel are requantized
 * together and scattered to the NHWC output. The scratch holds the input channel-major, with
 * the input zero point in the padding, so borders need no special case (a padding tap
 * contributes w * (zero_point + input_offset) = 0).
 *
 * Two scratch layouts (the build-time variant, codegen/variants/mve/depthwise.py, picks one and
 * packs the weights for it):
 *   rows   (every kernel below but the planes ones): per channel, a ring of ring_rows input rows
 *          interleaved column-major: byte (j * ring_rows + s) is padded column j of the row in
 *          ring slot s, so a window is its columns back to back and neighbouring outputs are
 *          stride_w * ring_rows bytes apart. A pass computes pass_rows output rows (ring_rows =
 *          kernel_h + (pass_rows - 1) * stride_h): with 2, both rows' windows start at the same
 *          byte and share loads, and a group of 8 outputs is 4 columns of 2 rows. With
 *          dilation_h 1, input row iy lives in slot iy % ring_rows and is staged once; the
 *          weights exist once per ring rotation a pass can see.
 *   planes (adrt_mve_depthwise_3x3s1_w*_s8): 3x3, stride 1, SAME, maps at most 5 wide (KWS).
 *          Bands of 8 output rows: 10 padded input rows per channel, pitch width + 1 (the
 *          padding column after a row is the next row's left one), so a window spans at most
 *          15 bytes and a band's 8 * width outputs are whole groups of 8 at constant offsets.
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

/* Rows layout, any filter size, stride, dilation and depth multiplier; one output row per pass,
 * window steps and chunks read from the params. The scratch is given as scratch_bytes by the
 * variant (all kernels). */
void adrt_mve_depthwise_s8(const adrt_mve_depthwise_params_t *p, const int8_t *input,
                           int8_t *output, void *scratch);
/* Rows layout with compile-time geometry (codegen/variants/mve/depthwise.py, ROWS_KERNELS):
 *   k1s1  kernel_h 1, stride_w 1, 1 row per pass, windows of one load shared by four columns
 *         (step 1; the 1-D convolutions, H x 1 maps being run as 1 x H);
 *   k3s1  kernel_h 3, strides 1, 2 rows per pass, windows of one 16-byte load, two columns
 *         sharing it (window step 4 bytes);
 *   k3s2  kernel_h 3, strides 2, 2 rows per pass, windows of one load (step 10);
 *   k5s1  kernel_h 5, strides 1, 2 rows per pass, windows of two loads (step 6);
 *   k5s2  kernel_h 5, stride_w 2, 1 row per pass, windows of two loads (step 10). */
void adrt_mve_depthwise_k1s1_s8(const adrt_mve_depthwise_params_t *p, const int8_t *input,
                                int8_t *output, void *scratch);
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
