/* GATHER: slices of `params` picked by an index tensor.
 *
 * params is viewed as [batches, outer, axis_size, inner] and the indices as [batches, coords]
 * (batch_dims leading dimensions shared by both); the output is [batches, outer, coords, inner]:
 * output[b, o, i, :] = params[b, o, indices[b, i], :]. Indices are int16, int32 or int64. An index
 * outside [0, axis_size) writes zeros: LiteRT and TFLM fail the invoke on it instead.
 */
#ifndef ADRT_GATHER_H
#define ADRT_GATHER_H

#include "adrt/common.h"

typedef struct {
    int32_t elem_size;   /* bytes per element of params and output */
    int32_t index_bytes; /* 2, 4 or 8 */
    int32_t batches;
    int32_t outer;
    int32_t axis_size;
    int32_t coords; /* indices per batch */
    int32_t inner;  /* elements per gathered slice */
} adrt_gather_params_t;

void adrt_gather(const adrt_gather_params_t *p, const void *params, const void *indices,
                 void *output);

#endif /* ADRT_GATHER_H */
