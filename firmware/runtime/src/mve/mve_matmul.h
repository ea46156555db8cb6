/* Helium int8 dot products of input rows with packed weights: the inner loops of the Helium
 * CONV_2D and FULLY_CONNECTED kernels (matmul.c). Private to firmware/runtime/src/mve/.
 *
 * Packed weights (made at build time by codegen/variants/mve/_packing.py): output channels in
 * pairs; per pair, the depth in blocks of 16 and per block the 16 weights of each channel of the
 * pair one after the other; channels and depth padded with zeros:
 *     [pairs][ceil(depth / 16)][2][16]
 *
 * Staged rows: three input rows (pixels' receptive fields, or batches) copied into scratch
 * interleaved per block, [ceil(depth / 16)][3][16], zero padded: one pointer walks all three,
 * and the padding meets zero weights.
 *
 * Why three rows by two channels: VMLADAVA (16 int8 MACs per instruction) accumulates into an
 * even-numbered core register, and with the loop counter in LR only seven are free. Three rows x
 * two channels keep six accumulators in registers and need five loads per six VMLADAVAs, twelve
 * instructions per block. The sums go to a small buffer that the kernels then requantize four
 * channels at a time.
 */
#ifndef ADRT_MVE_MATMUL_H
#define ADRT_MVE_MATMUL_H

#include <arm_mve.h>
#include <stdint.h>

#define ADRT_MVE_ROWS 3   /* rows computed together */
#define ADRT_MVE_CHUNK 64 /* output channels per sums buffer: int32_t[ADRT_MVE_ROWS][CHUNK] */

/* 16-byte blocks of a row of `depth` bytes. */
static inline int32_t adrt_mve_blocks(int32_t depth) {
    return (depth + 15) >> 4;
}

/* Copies `depth` bytes of src into row r (0-2) of the staged rows, zero padding its last
 * block. Reads nothing past src + depth. */
static inline void adrt_mve_stage_row(int8_t *staged, int32_t r, const int8_t *src, int32_t depth) {
    int8_t *dst = staged + 16 * r;
    for (; depth >= 16; depth -= 16, src += 16, dst += 16 * ADRT_MVE_ROWS) {
        vstrbq_s8(dst, vldrbq_s8(src));
    }
    if (depth > 0) {
        vstrbq_s8(dst, vldrbq_z_s8(src, vctp8q((uint32_t)depth)));
    }
}

/* Sums of the three staged rows with `pairs` packed channel pairs starting at *w (moved past
 * them): sums[r * ADRT_MVE_CHUNK + c] for row r and channel c. blocks >= 1. */
void adrt_mve_sums_3x2(const int8_t *staged, const int8_t **w, int32_t blocks, int32_t pairs,
                       int32_t *sums);

/* Sums of one row x (blocks whole 16-byte blocks) with 4 * quads packed channels (2 * quads
 * pairs) starting at *w (moved past them): sums[c]. blocks >= 1. */
void adrt_mve_sums_1x4(const int8_t *x, const int8_t **w, int32_t blocks, int32_t quads,
                       int32_t *sums);

#endif /* ADRT_MVE_MATMUL_H */
