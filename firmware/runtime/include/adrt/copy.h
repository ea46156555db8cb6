/* Element fill helper shared by the data-movement kernels (pad, space/batch). Elements are 1, 2 or
 * 4 bytes; static inline so each kernel keeps its own copy.
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

#endif /* ADRT_COPY_H */
