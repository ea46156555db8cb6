/* Helium (MVE) versions of the 256-entry table lookups of adrt/activation.h (RELU family,
 * LEAKY_RELU, HARD_SWISH, LOGISTIC, TANH, 8-bit requantization): 16 elements per vector with a
 * byte gather (VLDRB.U8 Qd, [table, Qidx]) indexed by the input bytes. Same parameters and
 * results; input and output may be the same buffer. Cortex-M55 builds only.
 */
#ifndef ADRT_MVE_ACTIVATION_H
#define ADRT_MVE_ACTIVATION_H

#include "adrt/activation.h"

void adrt_mve_lut_s8(const adrt_lut_s8_params_t *params, const int8_t *input, int8_t *output);
void adrt_mve_lut_s8_u8(const adrt_lut_u8_params_t *params, const int8_t *input, uint8_t *output);
void adrt_mve_lut_u8_s8(const adrt_lut_s8_params_t *params, const uint8_t *input, int8_t *output);
void adrt_mve_lut_u8(const adrt_lut_u8_params_t *params, const uint8_t *input, uint8_t *output);

#endif /* ADRT_MVE_ACTIVATION_H */
