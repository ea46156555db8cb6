/* CONCATENATION and PACK: interleaved copies.
 *
 * The output is `outer` rows; row r is the concatenation of input k's row r (copy_bytes[k] bytes
 * each), for k = 0..num_inputs-1. CONCATENATION along axis a has outer = product of the dims before
 * a; PACK along axis a is the same with every input contributing its trailing block.
 *
 * The call is variadic: adrt_concat_s8(&params, in0, in1, ..., in<num_inputs-1>, out), with
 * pointers of the function's element type.
 */
#ifndef ADRT_CONCAT_H
#define ADRT_CONCAT_H

#include "adrt/common.h"

typedef struct {
    int32_t num_inputs;
    int32_t outer;             /* number of rows */
    int32_t out_row_bytes;     /* sum of copy_bytes */
    const int32_t *copy_bytes; /* [num_inputs] bytes each input contributes per row */
} adrt_concat_params_t;

void adrt_concat_s8(const adrt_concat_params_t *params, ...);
void adrt_concat_s16(const adrt_concat_params_t *params, ...);
void adrt_concat_s32(const adrt_concat_params_t *params, ...);
void adrt_concat_f32(const adrt_concat_params_t *params, ...);

#endif /* ADRT_CONCAT_H */
