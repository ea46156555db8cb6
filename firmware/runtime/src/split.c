#include "adrt/split.h"

#include <stdarg.h>

#include "adrt/copy.h"

/* Copies output k's column block (starting at byte `column` of each row) out of the input. */
static void copy_output(const adrt_split_params_t *p, int32_t k, const uint8_t *in, uint8_t *out,
                        int32_t column) {
    const int32_t bytes = p->copy_bytes[k];
    adrt_copy_rows(out, bytes, in + column, p->in_row_bytes, bytes, p->outer);
}

/* Output pointers are read with their actual type, so the variadic calls are well defined. */
#define ADRT_SPLIT_BODY(ctype)                                                                     \
    va_list ap;                                                                                    \
    int32_t k;                                                                                     \
    int32_t column = 0;                                                                            \
    va_start(ap, input);                                                                           \
    for (k = 0; k < params->num_outputs; ++k) {                                                    \
        uint8_t *out = (uint8_t *)va_arg(ap, ctype *);                                             \
        copy_output(params, k, (const uint8_t *)input, out, column);                               \
        column += params->copy_bytes[k];                                                           \
    }                                                                                              \
    va_end(ap)

void adrt_split_s8(const adrt_split_params_t *params, const int8_t *input, ...) {
    ADRT_SPLIT_BODY(int8_t);
}

void adrt_split_s16(const adrt_split_params_t *params, const int16_t *input, ...) {
    ADRT_SPLIT_BODY(int16_t);
}

void adrt_split_s32(const adrt_split_params_t *params, const int32_t *input, ...) {
    ADRT_SPLIT_BODY(int32_t);
}

void adrt_split_f32(const adrt_split_params_t *params, const float *input, ...) {
    ADRT_SPLIT_BODY(float);
}
