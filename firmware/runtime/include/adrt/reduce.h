/* int8 MEAN over one contiguous block of axes: input viewed as [outer, reduce, inner].
 *
 * out = clamp(MultiplyByQuantizedMultiplier(sum + bias, multiplier, shift) + output_offset) with
 * bias = -input_zp * reduce and the multiplier already divided by the element count, exactly as
 * TFLite's reference QuantizedMeanOrSum derives it.
 */
#ifndef ADRT_REDUCE_H
#define ADRT_REDUCE_H

#include "adrt/common.h"

typedef struct {
    int32_t outer, reduce, inner;
    int32_t bias;
    int32_t multiplier;
    int32_t shift;
    int32_t output_offset;
} adrt_mean_params_t;

void adrt_mean_s8(const adrt_mean_params_t *p, const int8_t *input, int8_t *output);

#endif /* ADRT_REDUCE_H */
