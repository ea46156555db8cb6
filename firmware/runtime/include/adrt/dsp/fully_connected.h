/* int8 fully connected (TFLite FULLY_CONNECTED) with the DSP extension's dual 16-bit MACs, for
 * Cortex-M4/M7/M33 (src/dsp/fully_connected.c; the build packs its weights,
 * codegen/variants/dsp/fully_connected.py). Bit-exact with adrt_fully_connected_s8: single
 * rounding (adrt/requant.h).
 *
 * Input rows are widened to int16 two at a time and multiplied by the packed weights, two output
 * channels at a time; kernel_sum = bias - input_zero_point * sum(weights) per channel.
 */
#ifndef ADRT_DSP_FULLY_CONNECTED_H
#define ADRT_DSP_FULLY_CONNECTED_H

#include "adrt/common.h"

typedef struct {
    int32_t batches;
    int32_t depth;
    int32_t out_c;
    int32_t act_min, act_max;
    int32_t high_word;         /* every requantization shift is at least 32 */
    const uint32_t *weights;   /* see src/dsp/dsp_gemm.h */
    const int32_t *kernel_sum; /* [out_c rounded up to even] */
    /* [out_c rounded up to even][4]: multiplier, shift (- 32 if high_word), rounding term
     * (output zero point included) as int64 low and high words; see src/dsp/dsp_gemm.h */
    const int32_t *requant;
} adrt_dsp_fully_connected_params_t;

/* scratch: two int16 rows, 4 bytes per depth value (depth rounded up to a multiple of 4). */
void adrt_dsp_fully_connected_s8(const adrt_dsp_fully_connected_params_t *p, const int8_t *input,
                                 int8_t *output, void *scratch);

/* Shallow layers (depth <= 16, the activation range int8's own, every requantization a right
 * shift by at least 32), where the outputs cost more than the MACs
 * (src/dsp/fully_connected_shallow.c, packed by codegen/variants/dsp/_fc_shallow.py). Records,
 * read with LDM, hold each output channel's weights widened to int16 pairs (past depth 0),
 * kernel_sum and single-rounding requantization
 * q = [m, k low, k high, s - 32] (s = 31 - shift >= 32 the total right shift, k = 2^(s-1) +
 * z * 2^s as int64, z the output zero point), in words:
 *   depth <= 2:  kernel_sum, w(0,1), q                                               (6)
 *   depth <= 4:  kernel_sum, w(0,2), w(1,3), q                                       (7)
 *   depth <= 16: per pair of channels a and b: kernel_sum a, kernel_sum b, then for each group
 *                of 4 weights g: a's w(4g,4g+2), w(4g+1,4g+3), b's the same; q a, q b  (26)
 *                and for an odd channel count, the last one: w(0,2), w(1,3), w(4,6), w(5,7),
 *                kernel_sum, w(8,10), w(9,11), w(12,14), w(13,15), q                 (13)
 * (w(i,j): weights i and j of the channel, i in the low half). */
typedef struct {
    int32_t batches;
    int32_t depth;
    int32_t out_c;
    const int32_t *records;
} adrt_dsp_fully_connected_shallow_params_t;

void adrt_dsp_fully_connected_shallow2_s8(const adrt_dsp_fully_connected_shallow_params_t *p,
                                          const int8_t *input, int8_t *output);

void adrt_dsp_fully_connected_shallow4_s8(const adrt_dsp_fully_connected_shallow_params_t *p,
                                          const int8_t *input, int8_t *output);

/* scratch: 32 bytes, an input row widened to int16. */
void adrt_dsp_fully_connected_shallow16_s8(const adrt_dsp_fully_connected_shallow_params_t *p,
                                           const int8_t *input, int8_t *output, void *scratch);

#endif /* ADRT_DSP_FULLY_CONNECTED_H */
