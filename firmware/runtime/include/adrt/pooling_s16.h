/* int16 2-D pooling (TFLite AVERAGE_POOL_2D, MAX_POOL_2D with 16-bit activations), NHWC, with the
 * int8 kernels' parameters (adrt/pooling.h) and arithmetic: input and output share scale and zero
 * point; the average rounds half away from zero, dividing by a precomputed reciprocal when the
 * generator gives one (exact for |sum| x count < 2^40), and sums in int32.
 */
#ifndef ADRT_POOLING_S16_H
#define ADRT_POOLING_S16_H

#include "adrt/pooling.h"

void adrt_max_pool2d_s16(const adrt_pool_params_t *p, const int16_t *input, int16_t *output);
void adrt_avg_pool2d_s16(const adrt_pool_params_t *p, const int16_t *input, int16_t *output);

#endif /* ADRT_POOLING_S16_H */
