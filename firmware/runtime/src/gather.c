#include "adrt/gather.h"

#include <string.h>

/* Index k of the index tensor, -1 when it lies outside [0, axis_size). */
static int32_t read_index(const adrt_gather_params_t *p, const void *indices, int32_t k) {
    int64_t v;
    if (p->index_bytes == 8) {
        v = ((const int64_t *)indices)[k];
    } else if (p->index_bytes == 4) {
        v = ((const int32_t *)indices)[k];
    } else {
        v = ((const int16_t *)indices)[k];
    }
    return (v >= 0 && v < p->axis_size) ? (int32_t)v : -1;
}

void adrt_gather(const adrt_gather_params_t *p, const void *params, const void *indices,
                 void *output) {
    const size_t slice = (size_t)p->inner * (size_t)p->elem_size;
    const uint8_t *in = (const uint8_t *)params;
    uint8_t *out = (uint8_t *)output;
    int32_t b, o, i;
    for (b = 0; b < p->batches; ++b) {
        for (o = 0; o < p->outer; ++o) {
            const uint8_t *block = in + ((size_t)b * p->outer + o) * p->axis_size * slice;
            for (i = 0; i < p->coords; ++i) {
                const int32_t index = read_index(p, indices, b * p->coords + i);
                if (index < 0) {
                    memset(out, 0, slice);
                } else {
                    memcpy(out, block + (size_t)index * slice, slice);
                }
                out += slice;
            }
        }
    }
}
