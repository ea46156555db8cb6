#include "adrt/matmul.h"

/* One rows x cols product of the matrices at lhs and rhs. */
static void matmul(const adrt_batch_matmul_s8_params_t *p, const int8_t *lhs, const int8_t *rhs,
                   int8_t *out) {
    for (int32_t i = 0; i < p->rows; ++i) {
        const int8_t *a_row = lhs + (size_t)i * p->lhs_row_stride;
        for (int32_t j = 0; j < p->cols; ++j) {
            const int8_t *a = a_row;
            const int8_t *b = rhs + (size_t)j * p->rhs_col_stride;
            int32_t acc = 0;
            for (int32_t k = 0; k < p->depth; ++k) {
                acc += (*a + p->lhs_offset) * (*b + p->rhs_offset);
                a += p->lhs_depth_stride;
                b += p->rhs_depth_stride;
            }
            acc = adrt_mul_by_quantized_multiplier(acc, p->output_multiplier, p->output_shift) +
                  p->output_offset;
            *out++ = (int8_t)ADRT_CLAMP(acc, -128, 127);
        }
    }
}

void adrt_batch_matmul_s8(const adrt_batch_matmul_s8_params_t *params, const int8_t *lhs,
                          const int8_t *rhs, int8_t *output) {
    const size_t out_step = (size_t)params->rows * (size_t)params->cols;
    for (int32_t b0 = 0; b0 < params->batch[0]; ++b0) {
        const int8_t *l0 = lhs + (size_t)b0 * params->lhs_batch_step[0];
        const int8_t *r0 = rhs + (size_t)b0 * params->rhs_batch_step[0];
        for (int32_t b1 = 0; b1 < params->batch[1]; ++b1) {
            const int8_t *l1 = l0 + (size_t)b1 * params->lhs_batch_step[1];
            const int8_t *r1 = r0 + (size_t)b1 * params->rhs_batch_step[1];
            for (int32_t b2 = 0; b2 < params->batch[2]; ++b2) {
                matmul(params, l1 + (size_t)b2 * params->lhs_batch_step[2],
                       r1 + (size_t)b2 * params->rhs_batch_step[2], output);
                output += out_step;
            }
        }
    }
}
