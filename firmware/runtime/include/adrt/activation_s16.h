/* 16-bit activations: LOGISTIC, TANH, LEAKY_RELU and SOFTMAX with int16 input and output (zero
 * point 0), as TFLite's reference kernels compute them.
 *
 * LOGISTIC and TANH (output scale 1/32768): the input is rescaled to a fixed-point value
 * ((x * input_multiplier + round) >> input_shift, with 3 * 2^k for the power-of-two input scales
 * TFLite special-cases) and looked up, with linear interpolation, in TFLite's 256-entry table of
 * sigmoid(i / 24) in Q0.16 (tanh(x) = 2 * sigmoid(2x) - 1 uses the same table).
 *
 * LEAKY_RELU: x >= 0 scales by the identity multiplier, x < 0 by alpha's (a negative alpha as the
 * negated product with |multiplier|, as TFLite does), then clamps to int16.
 *
 * SOFTMAX (output scale 1/32768): exp(x - max) from a 513-entry table over [-10, 0] after
 * rescaling the difference to [-65535, 0], the row sum's reciprocal from a 513-entry table of
 * 1 / (1 + x) after normalizing it, both looked up with 7-bit interpolation; the generator fills
 * both tables as TFLite's Prepare does.
 */
#ifndef ADRT_ACTIVATION_S16_H
#define ADRT_ACTIVATION_S16_H

#include "adrt/common.h"

typedef struct {
    int32_t size;
    int32_t input_multiplier;
    int32_t input_shift; /* right shift, rounding to nearest */
} adrt_sigmoid_s16_params_t;

typedef struct {
    int32_t size;
    int32_t identity_multiplier; /* Q31, for x >= 0 */
    int32_t identity_shift;
    int32_t alpha_multiplier; /* Q31 of |alpha| * input scale / output scale, for x < 0 */
    int32_t alpha_shift;
    int32_t alpha_negative; /* 1: the x < 0 product is negated */
} adrt_leaky_relu_s16_params_t;

typedef struct {
    int32_t rows;             /* product of all but the last dimension */
    int32_t depth;            /* last dimension */
    int32_t input_multiplier; /* Q31: difference to the row max -> [-65535, 0] */
    int32_t input_shift;
    const int16_t *exp_table;   /* [513] exp over [-10, 0] */
    const int16_t *recip_table; /* [513] 1 / (1 + x) over [0, 1] */
} adrt_softmax_s16_params_t;

void adrt_logistic_s16(const adrt_sigmoid_s16_params_t *params, const int16_t *input,
                       int16_t *output);
void adrt_tanh_s16(const adrt_sigmoid_s16_params_t *params, const int16_t *input, int16_t *output);
void adrt_leaky_relu_s16(const adrt_leaky_relu_s16_params_t *params, const int16_t *input,
                         int16_t *output);
/* output may not alias input (it holds each row's exp values before they are scaled). */
void adrt_softmax_s16(const adrt_softmax_s16_params_t *params, const int16_t *input,
                      int16_t *output);

#endif /* ADRT_ACTIVATION_S16_H */
