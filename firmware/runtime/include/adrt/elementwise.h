/* Element-wise binary int8 kernels with broadcasting: ADD, SUB, MUL, MINIMUM, MAXIMUM,
 * SQUARED_DIFFERENCE, PRELU.
 *
 * The arithmetic is TFLite's int8 reference arithmetic (ADD/SUB: inputs rescaled to a common scale
 * after a left shift of 20, then the output multiplier; MUL: one multiplier on the product of the
 * offset inputs; MINIMUM/MAXIMUM: raw comparison of the int8 values; SQUARED_DIFFERENCE: as ADD
 * with a left shift of 7, the difference squared before the output multiplier; PRELU: one
 * multiplier for inputs at or above the zero point, another on input times alpha below it).
 * Every quantization parameter is precomputed by the generator.
 *
 * Broadcasting: the generator merges the (up to 6-D) shapes into an iteration space of at most
 * ADRT_BCAST_MAX_DIMS dimensions. The output is written contiguously; each input advances by its
 * own element stride per step of each dimension (0 where it is broadcast). The innermost dimension
 * is the contiguous row: its strides are 1, or 0 for a value repeated along the row. A
 * non-broadcast op is a single row of all elements; [1,H,W,C] op [1,1,1,C] is H*W rows of C.
 */
#ifndef ADRT_ELEMENTWISE_H
#define ADRT_ELEMENTWISE_H

#include "adrt/common.h"

#define ADRT_BCAST_MAX_DIMS 6

typedef struct {
    int32_t dims[ADRT_BCAST_MAX_DIMS];    /* output extents, outermost first; dims[5] is the row */
    int32_t stride1[ADRT_BCAST_MAX_DIMS]; /* input 1 element stride per dimension (0: broadcast) */
    int32_t stride2[ADRT_BCAST_MAX_DIMS]; /* input 2 element stride per dimension (0: broadcast) */
} adrt_bcast_t;

/* ADD, SUB and SQUARED_DIFFERENCE. */
typedef struct {
    adrt_bcast_t bcast;
    int32_t input1_offset; /* -zero_point of input 1 */
    int32_t input2_offset; /* -zero_point of input 2 */
    int32_t left_shift;    /* 20 for int8 ADD/SUB, 7 for SQUARED_DIFFERENCE */
    int32_t input1_multiplier;
    int32_t input1_shift; /* <= 0 */
    int32_t input2_multiplier;
    int32_t input2_shift; /* <= 0 */
    int32_t output_multiplier;
    int32_t output_shift;  /* any sign in [-31, 30] */
    int32_t output_offset; /* zero_point of the output */
    int32_t act_min;
    int32_t act_max;
} adrt_add_s8_params_t;

typedef struct {
    adrt_bcast_t bcast;
    int32_t input1_offset; /* -zero_point of input 1 */
    int32_t input2_offset; /* -zero_point of input 2 */
    int32_t output_multiplier;
    int32_t output_shift;
    int32_t output_offset;
    int32_t act_min;
    int32_t act_max;
} adrt_mul_s8_params_t;

/* MINIMUM / MAXIMUM compare the raw int8 values, as TFLite does (no requantization). */
typedef struct {
    adrt_bcast_t bcast;
} adrt_minmax_s8_params_t;

/* PRELU: input 1 is the input, input 2 alpha (broadcast to the input's shape). */
typedef struct {
    adrt_bcast_t bcast;
    int32_t input_offset; /* -zero_point of the input */
    int32_t alpha_offset; /* -zero_point of alpha */
    int32_t identity_multiplier;
    int32_t identity_shift; /* input scale / output scale */
    int32_t alpha_multiplier;
    int32_t alpha_shift; /* input scale * alpha scale / output scale */
    int32_t output_offset;
} adrt_prelu_s8_params_t;

void adrt_add_s8(const adrt_add_s8_params_t *params, const int8_t *input1, const int8_t *input2,
                 int8_t *output);
void adrt_sub_s8(const adrt_add_s8_params_t *params, const int8_t *input1, const int8_t *input2,
                 int8_t *output);
void adrt_mul_s8(const adrt_mul_s8_params_t *params, const int8_t *input1, const int8_t *input2,
                 int8_t *output);
void adrt_minimum_s8(const adrt_minmax_s8_params_t *params, const int8_t *input1,
                     const int8_t *input2, int8_t *output);
void adrt_maximum_s8(const adrt_minmax_s8_params_t *params, const int8_t *input1,
                     const int8_t *input2, int8_t *output);
void adrt_squared_difference_s8(const adrt_add_s8_params_t *params, const int8_t *input1,
                                const int8_t *input2, int8_t *output);
void adrt_prelu_s8(const adrt_prelu_s8_params_t *params, const int8_t *input, const int8_t *alpha,
                   int8_t *output);

#endif /* ADRT_ELEMENTWISE_H */
