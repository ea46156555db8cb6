/* Helium (MVE) versions of the int8 pooling kernels of adrt/pooling.h: same parameters and
 * results. Channels are the vector lanes: each tap of a window adds (average) or maxes 8 or 16
 * channels per instruction. The average divides by the tap count exactly (a 32-bit multiply-high
 * by a reciprocal derived per count; `recip` is not read). Cortex-M55 builds only.
 */
#ifndef ADRT_MVE_POOLING_H
#define ADRT_MVE_POOLING_H

#include "adrt/pooling.h"

void adrt_mve_max_pool2d_s8(const adrt_pool_params_t *p, const int8_t *input, int8_t *output);
void adrt_mve_avg_pool2d_s8(const adrt_pool_params_t *p, const int8_t *input, int8_t *output);

#endif /* ADRT_MVE_POOLING_H */
