#include "adrt/space_batch.h"

#include <string.h>

#include "adrt/copy.h"

void adrt_space_to_batch(const adrt_space_to_batch_params_t *params, const void *input,
                         void *output) {
    const adrt_shape4_t *is = &params->input;
    const adrt_shape4_t *os = &params->output;
    const int32_t es = params->elem_size;
    const int32_t depth = is->c;
    const size_t pixel_bytes = (size_t)depth * (size_t)es;
    const size_t in_row_bytes = (size_t)is->w * pixel_bytes;
    const size_t in_batch_bytes = (size_t)is->h * in_row_bytes;
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    int32_t ob, oh, ow;

    for (ob = 0; ob < os->n; ++ob) {
        const int32_t ib = ob % is->n;
        const int32_t shift = ob / is->n;
        const int32_t shift_h = shift / params->block_w;
        const int32_t shift_w = shift % params->block_w;
        const uint8_t *in_batch = in + (size_t)ib * in_batch_bytes;
        int32_t ih = shift_h - params->pad_top;
        for (oh = 0; oh < os->h; ++oh, ih += params->block_h) {
            int32_t iw = shift_w - params->pad_left;
            if (ih < 0 || ih >= is->h) {
                adrt_fill_elements(out, os->w * depth, params->pad_value, es);
                out += (size_t)os->w * pixel_bytes;
                continue;
            }
            for (ow = 0; ow < os->w; ++ow, iw += params->block_w) {
                if (iw < 0 || iw >= is->w) {
                    adrt_fill_elements(out, depth, params->pad_value, es);
                } else {
                    memcpy(out, in_batch + (size_t)ih * in_row_bytes + (size_t)iw * pixel_bytes,
                           pixel_bytes);
                }
                out += pixel_bytes;
            }
        }
    }
}

void adrt_batch_to_space(const adrt_batch_to_space_params_t *params, const void *input,
                         void *output) {
    const adrt_shape4_t *is = &params->input;
    const adrt_shape4_t *os = &params->output;
    const int32_t es = params->elem_size;
    const size_t pixel_bytes = (size_t)is->c * (size_t)es;
    const size_t out_row_bytes = (size_t)os->w * pixel_bytes;
    const size_t out_batch_bytes = (size_t)os->h * out_row_bytes;
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    int32_t ib, ih, iw;

    for (ib = 0; ib < is->n; ++ib) {
        const int32_t ob = ib % os->n;
        const int32_t spatial = ib / os->n;
        const int32_t first_w = spatial % params->block_w - params->crop_left;
        uint8_t *out_batch = out + (size_t)ob * out_batch_bytes;
        int32_t oh = spatial / params->block_w - params->crop_top;
        for (ih = 0; ih < is->h; ++ih, oh += params->block_h) {
            int32_t ow = first_w;
            if (oh < 0 || oh >= os->h) {
                in += (size_t)is->w * pixel_bytes;
                continue;
            }
            for (iw = 0; iw < is->w; ++iw, ow += params->block_w) {
                if (ow >= 0 && ow < os->w) {
                    memcpy(out_batch + (size_t)oh * out_row_bytes + (size_t)ow * pixel_bytes, in,
                           pixel_bytes);
                }
                in += pixel_bytes;
            }
        }
    }
}
