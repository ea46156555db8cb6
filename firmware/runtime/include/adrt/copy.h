/* Element fill, gather and row copy helpers shared by the data-movement kernels (pad,
 * space/batch, slice, transpose, concat, split). Elements are 1, 2 or 4 bytes; static inline so
 * each kernel keeps its own copy.
 */
#ifndef ADRT_COPY_H
#define ADRT_COPY_H

#include <string.h>

#include "adrt/common.h"

/* Writes `count` elements of `value`. */
static inline void adrt_fill_elements(uint8_t *out, int32_t count, int32_t value,
                                      int32_t elem_size) {
    int32_t i;
    if (count <= 0) {
        return;
    }
    if (elem_size == 1 || value == 0) {
        memset(out, (int)(uint8_t)value, (size_t)count * (size_t)elem_size);
    } else if (elem_size == 2) {
        int16_t *o = (int16_t *)(void *)out;
        for (i = 0; i < count; ++i) {
            o[i] = (int16_t)value;
        }
    } else {
        int32_t *o = (int32_t *)(void *)out;
        for (i = 0; i < count; ++i) {
            o[i] = value;
        }
    }
}

/* out[k] = in[base + k * step] for k < n, elements of es bytes (step may be negative). */
static inline void adrt_gather_row(uint8_t *out, const uint8_t *in, int32_t base, int32_t n,
                                   int32_t step, int32_t es) {
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

/* Copies `rows` blocks of `bytes`, the source and destination advancing by their own strides
 * (one memcpy when both are contiguous). */
static inline void adrt_copy_rows(uint8_t *out, int32_t out_stride, const uint8_t *in,
                                  int32_t in_stride, int32_t bytes, int32_t rows) {
    int32_t r;
    if (rows == 1 || (bytes == in_stride && bytes == out_stride)) {
        memcpy(out, in, (size_t)bytes * (size_t)rows);
        return;
    }
    for (r = 0; r < rows; ++r) {
        memcpy(out, in, (size_t)bytes);
        out += out_stride;
        in += in_stride;
    }
}

#endif /* ADRT_COPY_H */
