/* int8 MUL, ADD and SUB for Cortex-M4/M7/M33 (src/dsp/elementwise.c; the build computes the
 * requantization records, codegen/variants/dsp/elementwise.py): the same arithmetic as
 * adrt_mul_s8 / adrt_add_s8 / adrt_sub_s8, bit-exact, with TFLite's double roundings done by
 * SMMULR in a few instructions each, for the broadcasts that are rows of n outputs: the same
 * shape, a per-channel or per-pixel operand, a scalar.
 */
#ifndef ADRT_DSP_ELEMENTWISE_H
#define ADRT_DSP_ELEMENTWISE_H

#include "adrt/common.h"

/* rows of n contiguous outputs; input i starts each row row_step_i elements after the last and
 * advances step_i (1, or 0: one value repeated along the row) per output. */
typedef struct {
    int32_t rows, n;
    int32_t row_step1, row_step2;
    int32_t step1, step2;
} adrt_dsp_rows_t;

/* A requantization record: multiplier, left shift + 1, rounding term, right shift + 1 (see
 * src/dsp/dsp_arith.h). */
typedef struct {
    int32_t multiplier, left1, round, right1;
} adrt_dsp_requant_t;

typedef struct {
    adrt_dsp_rows_t rows;
    int32_t input1_offset, input2_offset; /* -zero points */
    adrt_dsp_requant_t output;            /* of the product, output zero point included */
    int32_t act_min, act_max;
} adrt_dsp_mul_params_t;

/* An ADD/SUB input's rescaling of (x - zero point) << 20: SMMULR((x << 21) + offset, multiplier)
 * with offset = -zero point << 21, then the rounding division by 2^r (round = 2^r, right1 =
 * r + 1). */
typedef struct {
    int32_t multiplier, offset, round, right1;
} adrt_dsp_rescale_t;

typedef struct {
    adrt_dsp_rows_t rows;
    adrt_dsp_rescale_t input1, input2;
    adrt_dsp_requant_t output; /* of the sum or difference, output zero point included */
    int32_t subtract;          /* SUB: input1 - input2 */
    int32_t act_min, act_max;
} adrt_dsp_add_params_t;

void adrt_dsp_mul_s8(const adrt_dsp_mul_params_t *p, const int8_t *input1, const int8_t *input2,
                     int8_t *output);
void adrt_dsp_add_s8(const adrt_dsp_add_params_t *p, const int8_t *input1, const int8_t *input2,
                     int8_t *output);

#endif /* ADRT_DSP_ELEMENTWISE_H */
