/* SPLIT, SPLIT_V and UNPACK: the inverse of CONCATENATION.
 *
 * The input is `outer` rows of in_row_bytes; output k receives copy_bytes[k] bytes of every row,
 * taken one after the other (output 0 from the start of the row). SPLIT / SPLIT_V along axis a
 * have outer = product of the dims before a; UNPACK is SPLIT into pieces of size 1.
 *
 * The call is variadic: adrt_split_s8(&params, in, out0, out1, ..., out<num_outputs-1>), with
 * pointers of the function's element type.
 */
#ifndef ADRT_SPLIT_H
#define ADRT_SPLIT_H

#include "adrt/common.h"

typedef struct {
    int32_t num_outputs;
    int32_t outer;             /* number of rows */
    int32_t in_row_bytes;      /* sum of copy_bytes */
    const int32_t *copy_bytes; /* [num_outputs] bytes each output takes per row */
} adrt_split_params_t;

void adrt_split_s8(const adrt_split_params_t *params, const int8_t *input, ...);
void adrt_split_s16(const adrt_split_params_t *params, const int16_t *input, ...);
void adrt_split_s32(const adrt_split_params_t *params, const int32_t *input, ...);
void adrt_split_f32(const adrt_split_params_t *params, const float *input, ...);

#endif /* ADRT_SPLIT_H */
