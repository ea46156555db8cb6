/* STRIDED_SLICE and SLICE: a gather with constant (possibly negative) strides over up to 5
 * dimensions. The lowering resolves begin/end/strides, all masks and the offset flag at build time
 * into a start offset plus an element count and an input step per dimension.
 */
#ifndef ADRT_SLICE_H
#define ADRT_SLICE_H

#include "adrt/common.h"

#define ADRT_SLICE_DIMS 5

typedef struct {
    int32_t elem_size;     /* bytes per element: 1, 2 or 4 */
    int32_t in_offset;     /* element offset of the first element read */
    const int32_t *counts; /* [ADRT_SLICE_DIMS] output shape */
    const int32_t *steps;  /* [ADRT_SLICE_DIMS] input step (elements, may be negative) per dim */
} adrt_strided_slice_params_t;

void adrt_strided_slice(const adrt_strided_slice_params_t *params, const void *input, void *output);

#endif /* ADRT_SLICE_H */
