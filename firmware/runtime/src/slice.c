#include "adrt/slice.h"

#include "adrt/copy.h"

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
                    adrt_gather_row(out, in, b2 + i3 * s[3], c[4], s[4], es);
                    out += row_bytes;
                }
            }
        }
    }
}
