#include "adrt/transpose.h"

#include <string.h>

/* out[k] = in[k * stride] for k < n, elements of es bytes. */
static void gather_row(uint8_t *out, const uint8_t *in, int32_t n, int32_t stride, int32_t es) {
    int32_t k;
    int32_t idx = 0;
    if (stride == 1) {
        memcpy(out, in, (size_t)n * (size_t)es);
        return;
    }
    if (es == 1) {
        for (k = 0; k < n; ++k, idx += stride) {
            out[k] = in[idx];
        }
    } else if (es == 2) {
        const int16_t *i16 = (const int16_t *)(const void *)in;
        int16_t *o16 = (int16_t *)(void *)out;
        for (k = 0; k < n; ++k, idx += stride) {
            o16[k] = i16[idx];
        }
    } else {
        const int32_t *i32 = (const int32_t *)(const void *)in;
        int32_t *o32 = (int32_t *)(void *)out;
        for (k = 0; k < n; ++k, idx += stride) {
            o32[k] = i32[idx];
        }
    }
}

void adrt_transpose(const adrt_transpose_params_t *params, const void *input, void *output) {
    const int32_t *d = params->out_dims;
    const int32_t *s = params->in_strides;
    const int32_t es = params->elem_size;
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    const size_t row_bytes = (size_t)d[5] * (size_t)es;
    int32_t i0, i1, i2, i3, i4;

    for (i0 = 0; i0 < d[0]; ++i0) {
        const int32_t b0 = i0 * s[0];
        for (i1 = 0; i1 < d[1]; ++i1) {
            const int32_t b1 = b0 + i1 * s[1];
            for (i2 = 0; i2 < d[2]; ++i2) {
                const int32_t b2 = b1 + i2 * s[2];
                for (i3 = 0; i3 < d[3]; ++i3) {
                    const int32_t b3 = b2 + i3 * s[3];
                    for (i4 = 0; i4 < d[4]; ++i4) {
                        const int32_t b4 = b3 + i4 * s[4];
                        gather_row(out, in + (ptrdiff_t)b4 * es, d[5], s[5], es);
                        out += row_bytes;
                    }
                }
            }
        }
    }
}
