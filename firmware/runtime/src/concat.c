#include "adrt/concat.h"

#include <stdarg.h>

#include "adrt/copy.h"

/* Copies input k (all rows) to its column block of the output. */
static void copy_input(const adrt_concat_params_t *p, int32_t k, const uint8_t *in, uint8_t *out,
                       int32_t column) {
    const int32_t bytes = p->copy_bytes[k];
    adrt_copy_rows(out + column, p->out_row_bytes, in, bytes, bytes, p->outer);
}

/* Two passes over the arguments: the output pointer comes after all inputs. Arguments are read
 * with their actual pointer type, so the variadic calls are well defined. */
#define ADRT_CONCAT_BODY(ctype)                                                                    \
    va_list ap;                                                                                    \
    uint8_t *out;                                                                                  \
    int32_t k;                                                                                     \
    int32_t column = 0;                                                                            \
    va_start(ap, params);                                                                          \
    for (k = 0; k < params->num_inputs; ++k) {                                                     \
        (void)va_arg(ap, const ctype *);                                                           \
    }                                                                                              \
    out = (uint8_t *)va_arg(ap, ctype *);                                                          \
    va_end(ap);                                                                                    \
    va_start(ap, params);                                                                          \
    for (k = 0; k < params->num_inputs; ++k) {                                                     \
        const uint8_t *in = (const uint8_t *)va_arg(ap, const ctype *);                            \
        copy_input(params, k, in, out, column);                                                    \
        column += params->copy_bytes[k];                                                           \
    }                                                                                              \
    va_end(ap)

void adrt_concat_s8(const adrt_concat_params_t *params, ...) {
    ADRT_CONCAT_BODY(int8_t);
}

void adrt_concat_s16(const adrt_concat_params_t *params, ...) {
    ADRT_CONCAT_BODY(int16_t);
}

void adrt_concat_s32(const adrt_concat_params_t *params, ...) {
    ADRT_CONCAT_BODY(int32_t);
}

void adrt_concat_f32(const adrt_concat_params_t *params, ...) {
    ADRT_CONCAT_BODY(float);
}
