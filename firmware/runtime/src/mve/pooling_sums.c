/* Channel sums for the Helium average pool and MEAN: see pooling_sums.h.
 *
 * Each tap adds 8 channels per VLDRB.S16 + VADD.I16: up to 32 channels (four int16x8
 * accumulators) per pass over the taps. An int16 lane holds the sum of at most 256 int8 values
 * (256 * -128 = -32768 is the extreme that still fits), so the accumulators are widened into
 * the int32 sums every 256 taps and at the end.
 */
#include "pooling_sums.h"

#include <arm_mve.h>

#include "adrt/common.h"

#define SUMS_INLINE static inline __attribute__((always_inline))

enum { FLUSH_TAPS = 256, LANES = 8 };

SUMS_INLINE void flush(int16x8_t acc, int32_t *sums) {
    vstrwq_s32(sums, vaddq_s32(vldrwq_s32(sums), vmovlbq_s16(acc)));
    vstrwq_s32(sums + 4, vaddq_s32(vldrwq_s32(sums + 4), vmovltq_s16(acc)));
}

/* One pass over the taps for `nvec` groups of 8 channels; with `tail`, one group whose lanes
 * beyond `tail_pred` are neither read nor summed. */
SUMS_INLINE void sum_pass(const int8_t *base, int32_t rows, int32_t step_y, int32_t cols,
                          int32_t step_x, int32_t *sums, const int nvec, const int tail,
                          mve_pred16_t tail_pred) {
    int16x8_t a0 = vdupq_n_s16(0), a1 = a0, a2 = a0, a3 = a0;
    int32_t pending = 0; /* taps in the accumulators */
    for (int32_t y = 0; y < rows; ++y) {
        const int8_t *p = base + y * step_y;
        int32_t left = cols;
        while (left > 0) {
            const int32_t n = ADRT_MIN(left, FLUSH_TAPS - pending);
            for (int32_t k = 0; k < n; ++k, p += step_x) {
                if (tail) {
                    a0 = vaddq_s16(a0, vldrbq_z_s16(p, tail_pred));
                    continue;
                }
                a0 = vaddq_s16(a0, vldrbq_s16(p));
                if (nvec > 1) {
                    a1 = vaddq_s16(a1, vldrbq_s16(p + LANES));
                }
                if (nvec > 2) {
                    a2 = vaddq_s16(a2, vldrbq_s16(p + 2 * LANES));
                }
                if (nvec > 3) {
                    a3 = vaddq_s16(a3, vldrbq_s16(p + 3 * LANES));
                }
            }
            left -= n;
            pending += n;
            if (pending == FLUSH_TAPS || (y == rows - 1 && left == 0)) {
                flush(a0, sums);
                if (nvec > 1) {
                    flush(a1, sums + LANES);
                }
                if (nvec > 2) {
                    flush(a2, sums + 2 * LANES);
                }
                if (nvec > 3) {
                    flush(a3, sums + 3 * LANES);
                }
                a0 = a1 = a2 = a3 = vdupq_n_s16(0);
                pending = 0;
            }
        }
    }
}

void adrt_mve_channel_sums(const int8_t *base, int32_t width, int32_t rows, int32_t step_y,
                           int32_t cols, int32_t step_x, int32_t init, int32_t *sums) {
    for (int32_t k = 0; k < width; k += LANES) {
        vstrwq_s32(sums + k, vdupq_n_s32(init));
        vstrwq_s32(sums + k + 4, vdupq_n_s32(init));
    }
    if (rows > 1 && step_y == cols * step_x) { /* contiguous rows: one run of taps */
        cols *= rows;
        rows = 1;
    }
    const mve_pred16_t all = vctp16q(LANES);
    int32_t c = 0;
    for (; c + 4 * LANES <= width; c += 4 * LANES) {
        sum_pass(base + c, rows, step_y, cols, step_x, sums + c, 4, 0, all);
    }
    switch ((width - c) / LANES) {
    case 3:
        sum_pass(base + c, rows, step_y, cols, step_x, sums + c, 3, 0, all);
        c += 3 * LANES;
        break;
    case 2:
        sum_pass(base + c, rows, step_y, cols, step_x, sums + c, 2, 0, all);
        c += 2 * LANES;
        break;
    case 1:
        sum_pass(base + c, rows, step_y, cols, step_x, sums + c, 1, 0, all);
        c += LANES;
        break;
    default:
        break;
    }
    if (c < width) {
        sum_pass(base + c, rows, step_y, cols, step_x, sums + c, 1, 1,
                 vctp16q((uint32_t)(width - c)));
    }
}
