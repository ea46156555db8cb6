/* Helium table lookups: see adrt/mve/activation.h. The four signatures are one byte-to-byte
 * lookup (the table is indexed by the input byte whatever its type). */
#include "adrt/mve/activation.h"

#include <arm_mve.h>

static void lut_bytes(const uint8_t *table, int32_t n, const uint8_t *in, uint8_t *out) {
    for (; n >= 16; n -= 16, in += 16, out += 16) {
        vstrbq_u8(out, vldrbq_gather_offset_u8(table, vldrbq_u8(in)));
    }
    if (n > 0) {
        const mve_pred16_t p = vctp8q((uint32_t)n);
        vstrbq_p_u8(out, vldrbq_gather_offset_z_u8(table, vldrbq_z_u8(in, p), p), p);
    }
}

void adrt_mve_lut_s8(const adrt_lut_s8_params_t *params, const int8_t *input, int8_t *output) {
    lut_bytes((const uint8_t *)params->table, params->size, (const uint8_t *)input,
              (uint8_t *)output);
}

void adrt_mve_lut_s8_u8(const adrt_lut_u8_params_t *params, const int8_t *input, uint8_t *output) {
    lut_bytes(params->table, params->size, (const uint8_t *)input, output);
}

void adrt_mve_lut_u8_s8(const adrt_lut_s8_params_t *params, const uint8_t *input, int8_t *output) {
    lut_bytes((const uint8_t *)params->table, params->size, input, (uint8_t *)output);
}

void adrt_mve_lut_u8(const adrt_lut_u8_params_t *params, const uint8_t *input, uint8_t *output) {
    lut_bytes(params->table, params->size, input, output);
}
