/* RESHAPE, SQUEEZE, EXPAND_DIMS: the data is unchanged, only the shape differs, so the kernel is a
 * plain byte copy (skipped when the generator aliases input and output).
 */
#ifndef ADRT_RESHAPE_H
#define ADRT_RESHAPE_H

#include "adrt/common.h"

typedef struct {
    int32_t bytes; /* tensor size in bytes */
} adrt_reshape_params_t;

/* Any element type: tensor pointers of any type convert to void pointers. */
void adrt_reshape(const adrt_reshape_params_t *params, const void *input, void *output);

#endif /* ADRT_RESHAPE_H */
