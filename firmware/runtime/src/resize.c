#include "adrt/resize.h"

#include <string.h>

void adrt_resize_nearest(const adrt_resize_nearest_params_t *params, const void *input,
                         void *output) {
    const int32_t es = params->elem_size;
    const size_t pixel_bytes = (size_t)params->input.c * (size_t)es;
    const size_t in_batch_bytes = (size_t)params->input.h * (size_t)params->input.w * pixel_bytes;
    const size_t out_row_bytes = (size_t)params->output.w * pixel_bytes;
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    int32_t b, oy, ox;

    for (b = 0; b < params->input.n; ++b) {
        for (oy = 0; oy < params->output.h; ++oy) {
            if (oy > 0 && params->y_offsets[oy] == params->y_offsets[oy - 1]) {
                /* Same source row as the previous output row: copy that row. */
                memcpy(out, out - out_row_bytes, out_row_bytes);
            } else {
                const uint8_t *row = in + (size_t)params->y_offsets[oy] * (size_t)es;
                if (pixel_bytes == 1) {
                    for (ox = 0; ox < params->output.w; ++ox) {
                        out[ox] = row[params->x_offsets[ox]];
                    }
                } else {
                    for (ox = 0; ox < params->output.w; ++ox) {
                        memcpy(out + (size_t)ox * pixel_bytes,
                               row + (size_t)params->x_offsets[ox] * (size_t)es, pixel_bytes);
                    }
                }
            }
            out += out_row_bytes;
        }
        in += in_batch_bytes;
    }
}
