/* Helium (MVE) versions of the element-wise binary kernels: ADD, SUB, MUL, MINIMUM and MAXIMUM
 * with broadcasting.
 *
 * Same parameters, iteration and arithmetic as adrt/elementwise.h, bit for bit. ADD/SUB rescale
 * 4 elements per vector (32-bit lanes); MUL multiplies 8 elements per vector (16-bit offset
 * inputs, 32-bit products); MINIMUM/MAXIMUM compare 16 per vector. ADD/SUB parameters outside what
 * TFLite's Prepare() produces (an input shift >= 0 other than the exact 1/2 multiplier, an output
 * shift >= 0) take the portable kernel. Cortex-M55 builds only (firmware/runtime/src/mve/).
 */
#ifndef ADRT_MVE_ELEMENTWISE_H
#define ADRT_MVE_ELEMENTWISE_H

#include "adrt/elementwise.h"

void adrt_mve_add_s8(const adrt_add_s8_params_t *params, const int8_t *input1, const int8_t *input2,
                     int8_t *output);
void adrt_mve_sub_s8(const adrt_add_s8_params_t *params, const int8_t *input1, const int8_t *input2,
                     int8_t *output);
void adrt_mve_mul_s8(const adrt_mul_s8_params_t *params, const int8_t *input1, const int8_t *input2,
                     int8_t *output);
void adrt_mve_minimum_s8(const adrt_minmax_s8_params_t *params, const int8_t *input1,
                         const int8_t *input2, int8_t *output);
void adrt_mve_maximum_s8(const adrt_minmax_s8_params_t *params, const int8_t *input1,
                         const int8_t *input2, int8_t *output);

#endif /* ADRT_MVE_ELEMENTWISE_H */
