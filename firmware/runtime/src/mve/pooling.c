/* Helium AVERAGE_POOL_2D and MAX_POOL_2D: see adrt/mve/pooling.h. The window of each output
 * pixel is clipped to the input as in the portable kernel (../pooling.c); channels are processed
 * in chunks across the vector lanes, the last partial vector predicated.
 */
#include "adrt/mve/pooling.h"

#include <arm_mve.h>

#include "pooling_sums.h"

#define POOL_INLINE static inline __attribute__((always_inline))

/* The in-bounds taps of one output pixel's window. */
typedef struct {
    const int8_t *first; /* channel 0 of the first tap */
    int32_t rows, cols;  /* taps: rows x cols */
    int32_t step_y;      /* bytes from one row of taps to the next */
} window_t;

static window_t window_at(const adrt_pool_params_t *p, const int8_t *in_b, int32_t oy, int32_t ox) {
    const int32_t iy0 = oy * p->stride_h - p->pad_h, ix0 = ox * p->stride_w - p->pad_w;
    int32_t fy0, fy1, fx0, fx1;
    adrt_tap_range(iy0, 1, p->filter_h, p->input.h, &fy0, &fy1);
    adrt_tap_range(ix0, 1, p->filter_w, p->input.w, &fx0, &fx1);
    window_t w;
    w.first = in_b + ((iy0 + fy0) * p->input.w + ix0 + fx0) * p->input.c;
    w.rows = ADRT_MAX(fy1 - fy0, 0);
    w.cols = ADRT_MAX(fx1 - fx0, 0);
    w.step_y = p->input.w * p->input.c;
    return w;
}

/* ---- MAX_POOL_2D -------------------------------------------------------------------------- */

enum { MAX_LANES = 16 };

/* Max over the window of `nvec` vectors of 16 channels, clamped and stored; with `tail`, one
 * vector whose lanes beyond `pred` are neither read nor written. */
POOL_INLINE void max_block(const window_t *w, int32_t depth, int8_t *out, int8_t lo, int8_t hi,
                           const int nvec, const int tail, mve_pred16_t pred) {
    int8x16_t m0 = vdupq_n_s8(INT8_MIN), m1 = m0, m2 = m0, m3 = m0;
    for (int32_t y = 0; y < w->rows; ++y) {
        const int8_t *p = w->first + y * w->step_y;
        for (int32_t x = 0; x < w->cols; ++x, p += depth) {
            if (tail) {
                m0 = vmaxq_s8(m0, vldrbq_z_s8(p, pred));
                continue;
            }
            m0 = vmaxq_s8(m0, vldrbq_s8(p));
            if (nvec > 1) {
                m1 = vmaxq_s8(m1, vldrbq_s8(p + MAX_LANES));
            }
            if (nvec > 2) {
                m2 = vmaxq_s8(m2, vldrbq_s8(p + 2 * MAX_LANES));
            }
            if (nvec > 3) {
                m3 = vmaxq_s8(m3, vldrbq_s8(p + 3 * MAX_LANES));
            }
        }
    }
    const int8x16_t vlo = vdupq_n_s8(lo), vhi = vdupq_n_s8(hi);
    if (tail) {
        vstrbq_p_s8(out, vminq_s8(vmaxq_s8(m0, vlo), vhi), pred);
        return;
    }
    vstrbq_s8(out, vminq_s8(vmaxq_s8(m0, vlo), vhi));
    if (nvec > 1) {
        vstrbq_s8(out + MAX_LANES, vminq_s8(vmaxq_s8(m1, vlo), vhi));
    }
    if (nvec > 2) {
        vstrbq_s8(out + 2 * MAX_LANES, vminq_s8(vmaxq_s8(m2, vlo), vhi));
    }
    if (nvec > 3) {
        vstrbq_s8(out + 3 * MAX_LANES, vminq_s8(vmaxq_s8(m3, vlo), vhi));
    }
}

static void max_pixel(const window_t *w, int32_t depth, int8_t *out, int8_t lo, int8_t hi) {
    const mve_pred16_t all = vctp8q(MAX_LANES);
    int32_t c = 0;
    for (; c + 4 * MAX_LANES <= depth; c += 4 * MAX_LANES) {
        window_t wc = *w;
        wc.first += c;
        max_block(&wc, depth, out + c, lo, hi, 4, 0, all);
    }
    window_t wc = *w;
    wc.first += c;
    switch ((depth - c) / MAX_LANES) {
    case 3:
        max_block(&wc, depth, out + c, lo, hi, 3, 0, all);
        c += 3 * MAX_LANES;
        break;
    case 2:
        max_block(&wc, depth, out + c, lo, hi, 2, 0, all);
        c += 2 * MAX_LANES;
        break;
    case 1:
        max_block(&wc, depth, out + c, lo, hi, 1, 0, all);
        c += MAX_LANES;
        break;
    default:
        break;
    }
    if (c < depth) {
        wc.first = w->first + c;
        max_block(&wc, depth, out + c, lo, hi, 1, 1, vctp8q((uint32_t)(depth - c)));
    }
}

void adrt_mve_max_pool2d_s8(const adrt_pool_params_t *p, const int8_t *input, int8_t *output) {
    const int32_t depth = p->input.c;
    const int8_t lo = (int8_t)p->act_min, hi = (int8_t)p->act_max;
    for (int32_t b = 0; b < p->input.n; ++b) {
        const int8_t *in_b = input + (size_t)b * p->input.h * p->input.w * depth;
        for (int32_t oy = 0; oy < p->output.h; ++oy) {
            for (int32_t ox = 0; ox < p->output.w; ++ox) {
                const window_t w = window_at(p, in_b, oy, ox);
                max_pixel(&w, depth, output, lo, hi);
                output += depth;
            }
        }
    }
}

/* ---- AVERAGE_POOL_2D ---------------------------------------------------------------------- */

/* floor(x / count) for 0 <= x < 2^24 as (x * multiplier) >> (32 + shift), multiplier < 2^32:
 * with multiplier = ceil(2^(32 + shift) / count) the error stays below one unit while
 * x * count < 2^(32 + shift), which shift = max(0, ceil(log2 count) - 8) guarantees
 * (count <= 2^(8 + shift)). A window's |sum| + count / 2 is below 2^24 for count <= 2^16. */
typedef struct {
    int32_t count;
    uint32_t multiplier;
    int32_t shift;
} divisor_t;

static divisor_t divisor_for(int32_t count) {
    divisor_t d = {count, 0, 0};
    if (count <= 1) {
        return d; /* not divided: 1 is exact, 0 gives 0 */
    }
    if (count <= 256) {
        d.multiplier = 0xFFFFFFFFu / (uint32_t)count + 1u; /* = ceil(2^32 / count) */
        return d;
    }
    d.shift = 32 - __builtin_clz((uint32_t)count - 1u) - 8;
    d.multiplier =
        (uint32_t)((((uint64_t)1 << (32 + d.shift)) + (uint64_t)count - 1u) / (uint64_t)count);
    return d;
}

/* Rounded average of 4 window sums, half away from zero as TFLite rounds: sign(s) *
 * floor((|s| + count / 2) / count). */
POOL_INLINE int32x4_t average4(int32x4_t sum, const divisor_t *d) {
    if (d->count <= 1) {
        return d->count == 1 ? sum : vdupq_n_s32(0);
    }
    const uint32x4_t mag =
        vaddq_n_u32(vreinterpretq_u32_s32(vabsq_s32(sum)), (uint32_t)(d->count / 2));
    const uint32x4_t q = vshlq_r_u32(vmulhq_u32(mag, vdupq_n_u32(d->multiplier)), -d->shift);
    const int32x4_t sign = vshrq_n_s32(sum, 31); /* 0 or -1 */
    return vsubq_s32(veorq_s32(vreinterpretq_s32_u32(q), sign), sign);
}

static void avg_pixel(const window_t *w, int32_t depth, const divisor_t *d, int8_t *out, int16_t lo,
                      int16_t hi) {
    int32_t sums[ADRT_MVE_SUMS_CHUNK];
    for (int32_t c0 = 0; c0 < depth; c0 += ADRT_MVE_SUMS_CHUNK) {
        const int32_t width = ADRT_MIN(ADRT_MVE_SUMS_CHUNK, depth - c0);
        adrt_mve_channel_sums(w->first + c0, width, w->rows, w->step_y, w->cols, depth, 0, sums);
        for (int32_t g = 0; g < width; g += 8) {
            const int32x4_t even = average4(vldrwq_s32(sums + g), d);
            const int32x4_t odd = average4(vldrwq_s32(sums + g + 4), d);
            int16x8_t r = vqmovntq_s32(vqmovnbq_s32(vdupq_n_s16(0), even), odd);
            r = vminq_s16(vmaxq_s16(r, vdupq_n_s16(lo)), vdupq_n_s16(hi));
            vstrbq_p_s16(out + c0 + g, r, vctp16q((uint32_t)(width - g)));
        }
    }
}

void adrt_mve_avg_pool2d_s8(const adrt_pool_params_t *p, const int8_t *input, int8_t *output) {
    const int32_t depth = p->input.c;
    const int16_t lo = (int16_t)p->act_min, hi = (int16_t)p->act_max;
    divisor_t d = divisor_for(0);
    for (int32_t b = 0; b < p->input.n; ++b) {
        const int8_t *in_b = input + (size_t)b * p->input.h * p->input.w * depth;
        for (int32_t oy = 0; oy < p->output.h; ++oy) {
            for (int32_t ox = 0; ox < p->output.w; ++ox) {
                const window_t w = window_at(p, in_b, oy, ox);
                if (w.rows * w.cols != d.count) { /* only at the borders */
                    d = divisor_for(w.rows * w.cols);
                }
                avg_pixel(&w, depth, &d, output, lo, hi);
                output += depth;
            }
        }
    }
}
