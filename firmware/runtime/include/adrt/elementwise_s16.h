/* Element-wise binary int16 kernels with broadcasting (TFLite's 16-bit ADD, SUB and MUL).
 *
 * General scales: the int8 arithmetic of adrt/elementwise.h on int16 values, with the same
 * parameter structs (ADD/SUB: inputs rescaled after a left shift of 15 instead of 20; MUL: one
 * multiplier on the product), clamped to the fused activation's int16 range.
 *
 * Power-of-two scales (ADD/SUB options' pot_scale_int16, every scale a power of two, zero points
 * 0): TFLite's LSTM-oriented path. Each input is divided by 2^shift with gemmlowp's int16
 * RoundingDivideByPOT (one of the two shifts is 0), then added or subtracted and clamped.
 *
 * Broadcasting as adrt_bcast_t describes it (adrt/elementwise.h).
 */
#ifndef ADRT_ELEMENTWISE_S16_H
#define ADRT_ELEMENTWISE_S16_H

#include "adrt/elementwise.h"

typedef adrt_add_s8_params_t adrt_add_s16_params_t; /* left_shift 15 */
typedef adrt_mul_s8_params_t adrt_mul_s16_params_t;

typedef struct {
    adrt_bcast_t bcast;
    int32_t input1_shift; /* right shift of input 1, >= 0 */
    int32_t input2_shift; /* right shift of input 2, >= 0 */
    int32_t act_min;
    int32_t act_max;
} adrt_add_s16_pot_params_t;

void adrt_add_s16(const adrt_add_s16_params_t *params, const int16_t *input1, const int16_t *input2,
                  int16_t *output);
void adrt_sub_s16(const adrt_add_s16_params_t *params, const int16_t *input1, const int16_t *input2,
                  int16_t *output);
void adrt_add_s16_pot(const adrt_add_s16_pot_params_t *params, const int16_t *input1,
                      const int16_t *input2, int16_t *output);
void adrt_sub_s16_pot(const adrt_add_s16_pot_params_t *params, const int16_t *input1,
                      const int16_t *input2, int16_t *output);
void adrt_mul_s16(const adrt_mul_s16_params_t *params, const int16_t *input1, const int16_t *input2,
                  int16_t *output);

#endif /* ADRT_ELEMENTWISE_S16_H */
