/* SVDF, integer: int8 input and output, int8 feature weights, int16 time weights and int16
 * activation memory (the state), int32 bias, as TFLite's reference integer kernel.
 *
 * Each invocation the memory [batch][filter][time] shifts one step to the left; its newest
 * column becomes sat16(requant(feature_weights . (input - input_zp))); each unit's output is
 * the bias plus, over its `rank` filters, the dot product of the filter's time weights with its
 * memory, requantized to int8. The memory persists between invocations.
 */
#ifndef ADRT_SVDF_H
#define ADRT_SVDF_H

#include "adrt/common.h"

typedef struct {
    int32_t batches, input_size, filters, rank, memory;
    const int8_t *feature_weights; /* [filters][input_size] */
    const int16_t *time_weights;   /* [filters][memory] */
    const int32_t *bias;           /* [filters / rank], NULL for none */
    int32_t input_zero_point;
    int32_t feature_multiplier, feature_shift; /* input x feature weights -> memory */
    int32_t output_multiplier, output_shift;   /* memory x time weights -> output */
    int32_t output_zero_point;
} adrt_svdf_params_t;

void adrt_svdf_s8(const adrt_svdf_params_t *p, const int8_t *input, int8_t *output,
                  int16_t *memory);

#endif /* ADRT_SVDF_H */
