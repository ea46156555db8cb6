/* 16x8 transposed 2-D convolution (TFLite TRANSPOSE_CONV with int16 activations of zero point 0,
 * int8 per-channel weights, optional int64 bias): NHWC input, OHWI filter, geometry as
 * adrt_transpose_conv_s8 (gathered, no scratch image). acc = bias + sum(f * x) in 64 bits, scaled
 * as the 16x8 convolutions (adrt_requant_s64, see adrt/requant_s16.h), then the fused activation
 * clamp within int16.
 */
#ifndef ADRT_TRANSPOSE_CONV_S16_H
#define ADRT_TRANSPOSE_CONV_S16_H

#include "adrt/requant_s16.h"
#include "adrt/transpose_conv.h"

typedef struct {
    adrt_transpose_conv_geometry_t geometry;
    int32_t act_min, act_max;
    const int32_t *multiplier; /* [out_c] 16-bit multipliers */
    const int32_t *shift;      /* [out_c] total right shifts, in [1, 46] */
} adrt_transpose_conv_s16_params_t;

/* bias may be NULL. */
void adrt_transpose_conv_s16(const adrt_transpose_conv_s16_params_t *p, const int16_t *input,
                             const int8_t *filter, const int64_t *bias, int16_t *output);

#endif /* ADRT_TRANSPOSE_CONV_S16_H */
