/* SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND on NHWC tensors (3-D NHC tensors are passed as NH1C with
 * block width 1 and no horizontal padding/cropping, as TFLite does).
 */
#ifndef ADRT_SPACE_BATCH_H
#define ADRT_SPACE_BATCH_H

#include "adrt/common.h"

typedef struct {
    int32_t elem_size; /* bytes per element: 1, 2 or 4 */
    int32_t pad_value; /* output zero point for quantized tensors, else 0 */
    adrt_shape4_t input;
    adrt_shape4_t output;
    int32_t block_h, block_w;
    int32_t pad_top, pad_left;
} adrt_space_to_batch_params_t;

typedef struct {
    int32_t elem_size; /* bytes per element: 1, 2 or 4 */
    adrt_shape4_t input;
    adrt_shape4_t output;
    int32_t block_h, block_w;
    int32_t crop_top, crop_left;
} adrt_batch_to_space_params_t;

void adrt_space_to_batch(const adrt_space_to_batch_params_t *params, const void *input,
                         void *output);
void adrt_batch_to_space(const adrt_batch_to_space_params_t *params, const void *input,
                         void *output);

#endif /* ADRT_SPACE_BATCH_H */
