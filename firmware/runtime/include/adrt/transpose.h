/* TRANSPOSE: a gather with constant strides, over up to 6 dimensions.
 *
 * The lowering drops size-1 dimensions, merges dimensions that stay adjacent, and pads to 6
 * dimensions with leading 1s, so out_dims/in_strides describe the output in its memory order.
 */
#ifndef ADRT_TRANSPOSE_H
#define ADRT_TRANSPOSE_H

#include "adrt/common.h"

#define ADRT_TRANSPOSE_DIMS 6

typedef struct {
    int32_t elem_size;         /* bytes per element: 1, 2 or 4 */
    const int32_t *out_dims;   /* [ADRT_TRANSPOSE_DIMS] output shape */
    const int32_t *in_strides; /* [ADRT_TRANSPOSE_DIMS] input stride (elements) of each out dim */
} adrt_transpose_params_t;

void adrt_transpose(const adrt_transpose_params_t *params, const void *input, void *output);

#endif /* ADRT_TRANSPOSE_H */
