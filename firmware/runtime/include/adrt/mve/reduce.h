/* Helium (MVE) version of the int8 MEAN of adrt/reduce.h: same parameters and results. The
 * inner elements are the vector lanes (8 per VLDRB.S16 + VADD.I16 per reduced row); an inner
 * extent of 1 (reducing contiguous elements) sums 16 per VADDVA instead. Cortex-M55 builds only.
 */
#ifndef ADRT_MVE_REDUCE_H
#define ADRT_MVE_REDUCE_H

#include "adrt/reduce.h"

void adrt_mve_mean_s8(const adrt_mean_params_t *p, const int8_t *input, int8_t *output);

#endif /* ADRT_MVE_REDUCE_H */
