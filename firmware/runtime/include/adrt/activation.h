/* Element-wise 8-bit activations as 256-entry lookup tables.
 *
 * Any int8/uint8 -> int8/uint8 function of a single element (RELU, RELU6, RELU_N1_TO_1,
 * RELU_0_TO_1, LEAKY_RELU, HARD_SWISH, int8/uint8 requantization) is evaluated at build time by the
 * generator for all 256 inputs with TFLite's exact reference arithmetic, so the kernel is one load
 * per element. The table is indexed by the input byte: table[(uint8_t)x] (for int8 input x = -1
 * reads table[255]). Input and output may be the same buffer.
 */
#ifndef ADRT_ACTIVATION_H
#define ADRT_ACTIVATION_H

#include "adrt/common.h"

typedef struct {
    int32_t size;        /* number of elements */
    const int8_t *table; /* 256 entries, indexed by the input byte */
} adrt_lut_s8_params_t;

typedef struct {
    int32_t size;
    const uint8_t *table;
} adrt_lut_u8_params_t;

/* int8 -> int8 */
void adrt_lut_s8(const adrt_lut_s8_params_t *params, const int8_t *input, int8_t *output);
/* int8 -> uint8 */
void adrt_lut_s8_u8(const adrt_lut_u8_params_t *params, const int8_t *input, uint8_t *output);
/* uint8 -> int8 */
void adrt_lut_u8_s8(const adrt_lut_s8_params_t *params, const uint8_t *input, int8_t *output);
/* uint8 -> uint8 */
void adrt_lut_u8(const adrt_lut_u8_params_t *params, const uint8_t *input, uint8_t *output);

#endif /* ADRT_ACTIVATION_H */
