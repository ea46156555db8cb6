#include "adrt/slice.h"

#include <string.h>

/* out[k] = in[base + k * step] for k < n, elements of es bytes (step may be negative). */
static void gather_row(uint8_t *out, const uint8_t *in, int32_t base, int32_t n, int32_t step,
                       int32_t es) {
    int32_t k;
    int32_t idx = base;
    if (step == 1) {
        memcpy(out, in + (ptrdiff_t)base * es, (size_t)n * (size_t)es);
        return;
    }
    if (es == 1) {
        for (k = 0; k < n; ++k, idx += step) {
            out[k] = in[idx];
        }
    } else if (es == 2) {
        const int16_t *i16 = (const int16_t *)(const void *)in;
        int16_t *o16 = (int16_t *)(void *)out;
        for (k = 0; k < n; ++k, idx += step) {
            o16[k] = i16[idx];
        }
    } else {
        const int32_t *i32 = (const int32_t *)(const void *)in;
        int32_t *o32 = (int32_t *)(void *)out;
        for (k = 0; k < n; ++k, idx += step) {
            o32[k] = i32[idx];
        }
    }
}

void adrt_strided_slice(const adrt_strided_slice_params_t *params, const void *input,
                        void *output) {
    const int32_t *c = params->counts;
    const int32_t *s = params->steps;
    const int32_t es = params->elem_size;
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    const size_t row_bytes = (size_t)c[4] * (size_t)es;
    int32_t i0, i1, i2, i3;

    for (i0 = 0; i0 < c[0]; ++i0) {
        const int32_t b0 = params->in_offset + i0 * s[0];
        for (i1 = 0; i1 < c[1]; ++i1) {
            const int32_t b1 = b0 + i1 * s[1];
            for (i2 = 0; i2 < c[2]; ++i2) {
                const int32_t b2 = b1 + i2 * s[2];
                for (i3 = 0; i3 < c[3]; ++i3) {
                    gather_row(out, in, b2 + i3 * s[3], c[4], s[4], es);
                    out += row_bytes;
                }
            }
        }
    }
}
