/* PAD / PADV2 (constant padding) on tensors of up to 5 dimensions.
 *
 * Shapes are given with leading 1s up to 5 dimensions. The pad value is the output zero point for
 * quantized tensors (PAD), the constant_values scalar for PADV2, 0 otherwise.
 */
#ifndef ADRT_PAD_H
#define ADRT_PAD_H

#include "adrt/common.h"

#define ADRT_PAD_DIMS 5

typedef struct {
    int32_t elem_size;         /* bytes per element: 1, 2 or 4 */
    int32_t pad_value;         /* element value written in the padding */
    const int32_t *in_dims;    /* [ADRT_PAD_DIMS] input shape */
    const int32_t *pad_before; /* [ADRT_PAD_DIMS] elements before the data, per dimension */
    const int32_t *pad_after;  /* [ADRT_PAD_DIMS] elements after the data, per dimension */
} adrt_pad_params_t;

void adrt_pad(const adrt_pad_params_t *params, const void *input, void *output);

#endif /* ADRT_PAD_H */
