/* Channel sums over a grid of taps, shared by the Helium average pool and MEAN.
 * Private to firmware/runtime/src/mve/.
 */
#ifndef ADRT_MVE_POOLING_SUMS_H
#define ADRT_MVE_POOLING_SUMS_H

#include <stdint.h>

/* Most channels one call sums: callers keep ADRT_MVE_SUMS_CHUNK int32 sums on the stack. */
#define ADRT_MVE_SUMS_CHUNK 64

/* Sets `sums` to init plus the int8 values at base + y * step_y + x * step_x + c for y < rows,
 * x < cols and channels c < width (1 <= width <= ADRT_MVE_SUMS_CHUNK).
 *
 * Layout of `sums` (ceil(width / 8) groups of 8 int32): group g holds channels 8g, 8g+2, 8g+4,
 * 8g+6 then 8g+1, 8g+3, 8g+5, 8g+7 -- the even and odd lanes of an int16x8 vector, as VMOVLB
 * and VMOVLT widen them, and as VQMOVNB/VQMOVNT narrow them back into channel order. Lanes of
 * channels >= width hold init. */
void adrt_mve_channel_sums(const int8_t *base, int32_t width, int32_t rows, int32_t step_y,
                           int32_t cols, int32_t step_x, int32_t init, int32_t *sums);

#endif /* ADRT_MVE_POOLING_SUMS_H */
