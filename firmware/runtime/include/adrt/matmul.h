/* BATCH_MATMUL (int8): out[b] = A[b] x B[b] for every batch b, with batch broadcasting.
 *
 * Up to three batch dimensions (TFLite's BATCH_MATMUL takes tensors of rank <= 5); each operand
 * advances by its own element stride per batch dimension, 0 where it is broadcast. A[i][k] is
 * lhs[i * lhs_row_stride + k * lhs_depth_stride] and B[k][j] rhs[k * rhs_depth_stride + j *
 * rhs_col_stride], so adj_x / adj_y (transposed operands) need no copy. The output is rows x cols
 * per batch, row-major. Arithmetic as TFLite's reference: int32 sums of (a - zp_a) * (b - zp_b),
 * MultiplyByQuantizedMultiplier (double rounding), plus the output zero point, clamped to int8.
 */
#ifndef ADRT_MATMUL_H
#define ADRT_MATMUL_H

#include "adrt/common.h"

#define ADRT_MATMUL_BATCH_DIMS 3

typedef struct {
    int32_t batch[ADRT_MATMUL_BATCH_DIMS];          /* output batch extents, outermost first */
    int32_t lhs_batch_step[ADRT_MATMUL_BATCH_DIMS]; /* lhs element stride per batch dimension */
    int32_t rhs_batch_step[ADRT_MATMUL_BATCH_DIMS]; /* rhs element stride per batch dimension */
    int32_t rows, cols, depth;
    int32_t lhs_row_stride, lhs_depth_stride;
    int32_t rhs_depth_stride, rhs_col_stride;
    int32_t lhs_offset; /* -zero_point of lhs */
    int32_t rhs_offset; /* -zero_point of rhs */
    int32_t output_multiplier;
    int32_t output_shift;
    int32_t output_offset;
} adrt_batch_matmul_s8_params_t;

void adrt_batch_matmul_s8(const adrt_batch_matmul_s8_params_t *params, const int8_t *lhs,
                          const int8_t *rhs, int8_t *output);

#endif /* ADRT_MATMUL_H */
