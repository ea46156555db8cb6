/* RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR (int8) on NHWC tensors.
 *
 * TFLite computes the source pixels of every output row and column from the sizes and the
 * align_corners / half_pixel_centers flags alone, so the lowering evaluates that at build time
 * into tables. Nearest neighbour only copies pixels. Bilinear (TFLite's integer reference, 10
 * fractional bits per axis) blends the four source pixels with weights that sum to 1024 per
 * axis, then rounds the 20-bit fraction half away from zero.
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

typedef struct {
    adrt_shape4_t input;
    adrt_shape4_t output;    /* output.n == input.n, output.c == input.c */
    const int32_t *y_rows;   /* [2 * output.h] input element offsets of rows y0 and y1 */
    const int32_t *y_weight; /* [2 * output.h] weights of rows y0 and y1 (sum 1024) */
    const int32_t *x_cols;   /* [2 * output.w] element offsets of pixels x0 and x1 in a row */
    const int32_t *x_weight; /* [2 * output.w] weights of columns x0 and x1 (sum 1024) */
} adrt_resize_bilinear_params_t;

void adrt_resize_bilinear_s8(const adrt_resize_bilinear_params_t *params, const int8_t *input,
                             int8_t *output);

#endif /* ADRT_RESIZE_H */
