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

/* value / 2^20 rounded half away from zero (|value| < 2^31). */
static inline int8_t round_20(int32_t value) {
    return (int8_t)(value > 0 ? (value + (1 << 19)) >> 20 : -((-value + (1 << 19)) >> 20));
}

void adrt_resize_bilinear_s8(const adrt_resize_bilinear_params_t *params, const int8_t *input,
                             int8_t *output) {
    const int32_t channels = params->input.c;
    const size_t in_batch = (size_t)params->input.h * (size_t)params->input.w * (size_t)channels;
    int32_t b, oy, ox, c;
    /* |weights| <= 1536 and each axis' absolute weights sum to at most 2048, so every partial
     * sum below stays within 128 * 2048 * 2048 = 2^29. */
    for (b = 0; b < params->input.n; ++b) {
        const int8_t *in = input + (size_t)b * in_batch;
        for (oy = 0; oy < params->output.h; ++oy) {
            const int8_t *row0 = in + params->y_rows[2 * oy];
            const int8_t *row1 = in + params->y_rows[2 * oy + 1];
            const int32_t wy0 = params->y_weight[2 * oy], wy1 = params->y_weight[2 * oy + 1];
            for (ox = 0; ox < params->output.w; ++ox) {
                const int32_t x0 = params->x_cols[2 * ox], x1 = params->x_cols[2 * ox + 1];
                const int32_t wx0 = params->x_weight[2 * ox], wx1 = params->x_weight[2 * ox + 1];
                for (c = 0; c < channels; ++c) {
                    const int32_t top = wx0 * row0[x0 + c] + wx1 * row0[x1 + c];
                    const int32_t bottom = wx0 * row1[x0 + c] + wx1 * row1[x1 + c];
                    *output++ = round_20(wy0 * top + wy1 * bottom);
                }
            }
        }
    }
}
