/* int16 MEAN (TFLite's 16-bit MEAN, zero points 0) over one contiguous block of axes, with the
 * int8 kernel's parameters and arithmetic (adrt/reduce.h): an int32 sum (the generator keeps the
 * block within 2^16 elements), the count folded into the multiplier, clamped to int16. */
#ifndef ADRT_REDUCE_S16_H
#define ADRT_REDUCE_S16_H

#include "adrt/reduce.h"

void adrt_mean_s16(const adrt_mean_params_t *p, const int16_t *input, int16_t *output);

#endif /* ADRT_REDUCE_S16_H */
