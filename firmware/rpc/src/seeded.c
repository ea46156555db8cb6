#include "adrpc/seeded.h"

#include <string.h>

static uint64_t mix(uint64_t z) {
    z ^= z >> 30;
    z *= 0xBF58476D1CE4E5B9ull;
    z ^= z >> 27;
    z *= 0x94D049BB133111EBull;
    z ^= z >> 31;
    return z;
}

static uint32_t element_size(adrt_dtype_t dtype) {
    switch (dtype) {
    case ADRT_DTYPE_INT16:
        return 2;
    case ADRT_DTYPE_INT32:
    case ADRT_DTYPE_FLOAT32:
        return 4;
    case ADRT_DTYPE_INT64:
        return 8;
    default:
        return 1;
    }
}

void adrpc_seeded_fill(void *out, uint32_t bytes, adrt_dtype_t dtype, uint32_t seed, uint32_t run,
                       uint32_t index) {
    uint8_t *p = (uint8_t *)out;
    uint32_t size = element_size(dtype);
    uint64_t key = ((uint64_t)seed << 32) ^ ((uint64_t)run << 8) ^ index;
    uint32_t count = bytes / size;
    /* Elements are stored in the core's byte order, as the model reads them. */
    for (uint32_t j = 0; j < count; j++) {
        uint64_t x = mix(key + (uint64_t)(j + 1u) * 0x9E3779B97F4A7C15ull);
        if (dtype == ADRT_DTYPE_FLOAT32) {
            float f = (float)(x >> 40) * (1.0f / 16777216.0f) * 2.0f - 1.0f;
            memcpy(p + 4u * j, &f, 4);
        } else if (size == 8) {
            memcpy(p + 8u * j, &x, 8);
        } else if (size == 4) {
            uint32_t v = (uint32_t)(x >> 32);
            memcpy(p + 4u * j, &v, 4);
        } else if (size == 2) {
            uint16_t v = (uint16_t)(x >> 48);
            memcpy(p + 2u * j, &v, 2);
        } else {
            p[j] = (uint8_t)(x >> 56);
        }
    }
}
