/* Helium (MVE) int8 FULLY_CONNECTED for the Cortex-M55: same arithmetic as
 * adrt_fully_connected_s8 (adrt/fully_connected.h), bit for bit, including its single-rounding
 * requantization, with weights and parameters packed at build time
 * (site_scons/autodeploy/codegen/variants/mve/fully_connected.py).
 *
 * Batches are computed three at a time against two output channels at a time, one batch
 * against four channels (src/mve/mve_matmul.h).
 */
#ifndef ADRT_MVE_FULLY_CONNECTED_H
#define ADRT_MVE_FULLY_CONNECTED_H

#include "adrt/common.h"

typedef struct {
    int32_t batches;
    int32_t depth;
    int32_t out_c;
    int32_t output_offset;
    int32_t act_min, act_max;
    /* 1 when every shift is <= -1: the vector requantization is exact. Otherwise each output
     * is requantized with the scalar reference arithmetic (adrt/requant.h). */
    int32_t right_shifts_only;
    const int8_t *weights; /* [ceil(out_c / 4) * 2][ceil(depth / 16)][2][16] */
    /* per four channels, three vectors of 4 lanes (missing channels 0):
     * multiplier, shift, kernel_sum */
    const int32_t *quant;
} adrt_mve_fully_connected_params_t;

/* One batch, depth a multiple of 16: the row is read in place. */
void adrt_mve_fully_connected_s8(const adrt_mve_fully_connected_params_t *p, const int8_t *input,
                                 int8_t *output);

/* Any batches and depth: rows copied into scratch first, ceil(depth / 16) * 16 bytes for one
 * batch, three times that for more. */
void adrt_mve_fully_connected_staged_s8(const adrt_mve_fully_connected_params_t *p,
                                        const int8_t *input, int8_t *output, void *scratch);

#endif /* ADRT_MVE_FULLY_CONNECTED_H */
