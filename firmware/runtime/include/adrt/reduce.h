/* int8 reductions over one contiguous block of axes: input viewed as [outer, reduce, inner].
 *
 * MEAN and SUM: out = clamp(MultiplyByQuantizedMultiplier(sum + bias, multiplier, shift) +
 * output_offset) with bias = -input_zp * reduce, as TFLite's reference QuantizedMeanOrSum computes
 * both (for MEAN the multiplier is already divided by the element count; SUM runs the same kernel
 * with the plain input/output scale ratio).
 *
 * REDUCE_MAX: the largest raw value (TFLite requires input and output quantization to agree).
 * ARG_MAX / ARG_MIN: the index along the reduced axis of the first largest / smallest value,
 * written as int32 or int64.
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

typedef struct {
    int32_t outer, reduce, inner; /* reduce >= 1 */
} adrt_reduce_params_t;

void adrt_reduce_max_s8(const adrt_reduce_params_t *p, const int8_t *input, int8_t *output);

typedef struct {
    int32_t outer, axis_size, inner; /* axis_size >= 1 */
    int32_t select_min;              /* 0: ARG_MAX, 1: ARG_MIN */
    int32_t output_bytes;            /* 4: int32 indices, 8: int64 */
} adrt_arg_minmax_params_t;

void adrt_arg_minmax_s8(const adrt_arg_minmax_params_t *p, const int8_t *input, void *output);

#endif /* ADRT_REDUCE_H */
