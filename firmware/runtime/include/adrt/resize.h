/* RESIZE_NEAREST_NEIGHBOR on NHWC tensors.
 *
 * TFLite computes the source pixel of every output row and column with float arithmetic that
 * depends only on the sizes and the align_corners / half_pixel_centers flags, so the lowering
 * evaluates it at build time into two index tables; the kernel only copies pixels.
 */
#ifndef ADRT_RESIZE_H
#define ADRT_RESIZE_H

#include "adrt/common.h"

typedef struct {
    int32_t elem_size; /* bytes per element: 1, 2 or 4 */
    adrt_shape4_t input;
    adrt_shape4_t output;     /* output.n == input.n, output.c == input.c */
    const int32_t *y_offsets; /* [output.h] input row offset in elements: y * input.w * input.c */
    const int32_t *x_offsets; /* [output.w] input pixel offset in elements: x * input.c */
} adrt_resize_nearest_params_t;

void adrt_resize_nearest(const adrt_resize_nearest_params_t *params, const void *input,
                         void *output);

#endif /* ADRT_RESIZE_H */
