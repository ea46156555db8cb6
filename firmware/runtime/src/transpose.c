#include "adrt/transpose.h"

#include "adrt/copy.h"

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
                        adrt_gather_row(out, in, b4, d[5], s[5], es);
                        out += row_bytes;
                    }
                }
            }
        }
    }
}
