/* int8 SOFTMAX over the last axis, matching LiteRT's int8 softmax arithmetic.
 *
 * LiteRT computes int8 softmax in float32 from a 256-entry exp table: table[255 - d] =
 * expf(-input_scale * beta * d), sum in row order, inv = 1 / (sum * output_scale), out =
 * round(table[..] * inv) + zero_point. Reproducing it bit for bit needs the same float32
 * operations (so this kernel uses the FPU; compile without FMA contraction, as -std=c99 does).
 */
#ifndef ADRT_SOFTMAX_H
#define ADRT_SOFTMAX_H

#include "adrt/common.h"

typedef struct {
    int32_t rows;  /* product of all but the last dimension */
    int32_t depth; /* last dimension */
    float output_scale;
    int32_t output_zero_point;
    const float *table; /* [256] */
} adrt_softmax_s8_params_t;

void adrt_softmax_s8(const adrt_softmax_s8_params_t *p, const int8_t *input, int8_t *output);

#endif /* ADRT_SOFTMAX_H */
