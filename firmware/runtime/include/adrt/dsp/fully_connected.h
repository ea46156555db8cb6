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

#endif /* ADRT_DSP_FULLY_CONNECTED_H */
