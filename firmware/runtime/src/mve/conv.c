#include "adrt/mve/conv.h"

#include <arm_mve.h>

#include "mve_matmul.h"
#include "mve_requant.h"

/* Packed parameters of four channels (adrt_mve_conv2d_params_t.quant): vectors of 4 lanes. */
enum { Q_MULT = 0, Q_LEFT = 4, Q_RIGHT = 8, Q_SUM = 12, Q_STEP = 16 };

/* The layer's output arithmetic, read once: the int8 output stores could alias the params. */
typedef struct {
    int32_t offset, act_min, act_max;
    int32_t right_shifts_only;
} output_t;

/* adrt_mve_requant when every lane shifts right (shift <= -1, most layers): no left shift, and
 * the rounding fix-up (x & right_neg) >> 31 is x >> 31 in every lane. */
static inline int32x4_t requant_right(int32x4_t acc, int32x4_t mult, int32x4_t right_neg) {
    const int32x4_t x = vqrdmulhq_s32(acc, mult);
    return vrshlq_s32(vqaddq_s32(x, vshrq_n_s32(x, 31)), right_neg);
}

/* One channel group's parameters, loaded before any output is stored. */
typedef struct {
    int32x4_t mult, left, right, sum;
} group_t;

static inline group_t group_at(const int32_t *q, int right_only) {
    group_t g = {vldrwq_s32(q + Q_MULT), vdupq_n_s32(0), vldrwq_s32(q + Q_RIGHT),
                 vldrwq_s32(q + Q_SUM)};
    if (!right_only) {
        g.left = vldrwq_s32(q + Q_LEFT);
    }
    return g;
}

static inline int32x4_t output_of(const output_t *o, const group_t *g, int right_only,
                                  int32x4_t sums) {
    int32x4_t x = vaddq_s32(sums, g->sum);
    x = right_only ? requant_right(x, g->mult, g->right)
                   : adrt_mve_requant(x, g->mult, g->left, g->right);
    x = vaddq_n_s32(x, o->offset);
    return vminq_s32(vmaxq_s32(x, vdupq_n_s32(o->act_min)), vdupq_n_s32(o->act_max));
}

/* Requantizes sums[r][0..n) of the three rows into y[r][0..n); right_only is a constant in
 * each of the two calls below, so each gets its own loop. */
static inline void requant_loop(const output_t *o, int right_only, const int32_t *sums,
                                const int32_t *q, int32_t n, int8_t *y0, int8_t *y1, int8_t *y2) {
    int32_t k = 0;
    for (; k + 4 <= n; k += 4, q += Q_STEP) {
        const group_t g = group_at(q, right_only);
        vstrbq_s32(y0 + k, output_of(o, &g, right_only, vldrwq_s32(sums + k)));
        vstrbq_s32(y1 + k, output_of(o, &g, right_only, vldrwq_s32(sums + ADRT_MVE_CHUNK + k)));
        vstrbq_s32(y2 + k, output_of(o, &g, right_only, vldrwq_s32(sums + 2 * ADRT_MVE_CHUNK + k)));
    }
    if (k < n) {
        const group_t g = group_at(q, right_only);
        const mve_pred16_t valid = vctp32q((uint32_t)(n - k));
        const int32x4_t z0 = output_of(o, &g, right_only, vldrwq_s32(sums + k));
        const int32x4_t z1 = output_of(o, &g, right_only, vldrwq_s32(sums + ADRT_MVE_CHUNK + k));
        const int32x4_t z2 =
            output_of(o, &g, right_only, vldrwq_s32(sums + 2 * ADRT_MVE_CHUNK + k));
        vstrbq_p_s32(y0 + k, z0, valid);
        vstrbq_p_s32(y1 + k, z1, valid);
        vstrbq_p_s32(y2 + k, z2, valid);
    }
}

__attribute__((noinline)) static void requant_rows(output_t o, const int32_t *sums,
                                                   const int32_t *q, int32_t n, int8_t *y0,
                                                   int8_t *y1, int8_t *y2) {
    if (o.right_shifts_only) {
        requant_loop(&o, 1, sums, q, n, y0, y1, y2);
    } else {
        requant_loop(&o, 0, sums, q, n, y0, y1, y2);
    }
}

/* Copy and fill of a gathered row: whole vectors are stored, so up to 15 bytes past n are
 * written too; a row is written in order (each run overwrites the previous one's excess) into
 * a slot with 16 bytes of slack. Loads never pass the n input bytes. */
static inline void copy_run(int8_t *dst, const int8_t *src, int32_t n) {
    for (; n >= 16; n -= 16, src += 16, dst += 16) {
        vstrbq_s8(dst, vldrbq_s8(src));
    }
    if (n > 0) {
        vstrbq_s8(dst, vldrbq_z_s8(src, vctp8q((uint32_t)n)));
    }
}

static inline void fill_run(int8_t *dst, int8x16_t value, int32_t n) {
    for (; n > 0; n -= 16, dst += 16) {
        vstrbq_s8(dst, value);
    }
}

/* The receptive field of output pixel (oy, ox) of image `in_b` as one row of filter_h x
 * filter_w x input.c bytes; taps outside the image hold the input zero point. Each filter row
 * is [zero point x left][input x mid][zero point x right]. Not inlined: its own registers keep
 * the per-row loop short. */
__attribute__((noinline)) static void gather(const adrt_mve_conv2d_params_t *p, const int8_t *in_b,
                                             int32_t oy, int32_t ox, int8_t *row) {
    const int32_t in_c = p->input.c, fh = p->filter_h, fw = p->filter_w;
    const int32_t dh = p->dilation_h, dw = p->dilation_w;
    const int8x16_t zero_point = vdupq_n_s8((int8_t)-p->input_offset);
    const int32_t iy0 = oy * p->stride_h - p->pad_h;
    const int32_t ix0 = ox * p->stride_w - p->pad_w;
    int32_t fy0, fy1, fx0, fx1; /* filter rows and columns inside the image */
    adrt_tap_range(iy0, dh, fh, p->input.h, &fy0, &fy1);
    adrt_tap_range(ix0, dw, fw, p->input.w, &fx0, &fx1);
    fy0 = ADRT_MIN(fy0, fh);
    fy1 = ADRT_CLAMP(fy1, fy0, fh);
    fx0 = ADRT_MIN(fx0, fw);
    fx1 = ADRT_CLAMP(fx1, fx0, fw);
    const int32_t row_bytes = fw * in_c;
    const int32_t left = fx0 * in_c, mid = (fx1 - fx0) * in_c;
    const int32_t pitch = p->input.w * in_c; /* bytes per input row */
    const int32_t row_step = dh * pitch, tap_step = dw * in_c;
    const int8_t *src = in_b + (iy0 + fy0 * dh) * pitch + (ix0 + fx0 * dw) * in_c;

    fill_run(row, zero_point, fy0 * row_bytes);
    row += fy0 * row_bytes;
    if (row_bytes <= 16 && dw == 1) { /* first layers: a filter row fits one vector */
        const mve_pred16_t inside = vctp8q((uint32_t)mid);
        for (int32_t fy = fy0; fy < fy1; ++fy, row += row_bytes, src += row_step) {
            vstrbq_s8(row, zero_point);
            vstrbq_s8(row + left, vldrbq_z_s8(src, inside));
            vstrbq_s8(row + left + mid, zero_point);
        }
    } else {
        for (int32_t fy = fy0; fy < fy1; ++fy, row += row_bytes, src += row_step) {
            fill_run(row, zero_point, left);
            if (dw == 1) {
                copy_run(row + left, src, mid);
            } else {
                for (int32_t k = 0; k < mid; k += in_c) {
                    copy_run(row + left + k, src + k / in_c * tap_step, in_c);
                }
            }
            fill_run(row + left + mid, zero_point, row_bytes - left - mid);
        }
    }
    fill_run(row, zero_point, (fh - fy1) * row_bytes);
}

/* Position of an output pixel, walked in output order. */
typedef struct {
    int32_t b, y, x;
} pixel_t;

static inline void next_pixel(const adrt_mve_conv2d_params_t *p, pixel_t *px) {
    if (++px->x == p->output.w) {
        px->x = 0;
        if (++px->y == p->output.h) {
            px->y = 0;
            ++px->b;
        }
    }
}

/* The input row of output pixel *px, then moves *px on: the pixel itself in the input when
 * `field` is NULL (1x1, no padding), else its receptive field gathered into `field`. */
static const int8_t *input_row(const adrt_mve_conv2d_params_t *p, const int8_t *input, pixel_t *px,
                               int8_t *field) {
    const size_t image = (size_t)p->input.h * p->input.w * p->input.c;
    const int8_t *in_b = input + px->b * image;
    const int8_t *row = field;
    if (field == NULL) {
        const int32_t iy = px->y * p->stride_h, ix = px->x * p->stride_w;
        row = in_b + ((size_t)iy * p->input.w + ix) * p->input.c;
    } else {
        gather(p, in_b, px->y, px->x, field);
    }
    next_pixel(p, px);
    return row;
}

/* Every output pixel, three at a time (the last one repeated to fill a three), rows staged in
 * `staged`; receptive fields gathered in `field` unless it is NULL. */
static void conv_pixels(const adrt_mve_conv2d_params_t *p, const int8_t *input, int8_t *output,
                        int8_t *staged, int8_t *field) {
    const output_t o = {p->output_offset, p->act_min, p->act_max, p->right_shifts_only};
    const int32_t pixels = p->output.n * p->output.h * p->output.w;
    const int32_t out_c = p->output.c;
    const int32_t depth = p->filter_h * p->filter_w * p->input.c;
    const int32_t blocks = adrt_mve_blocks(depth);
    int32_t sums[ADRT_MVE_ROWS * ADRT_MVE_CHUNK];
    pixel_t px = {0, 0, 0};
    for (int32_t i = 0; i < pixels; i += ADRT_MVE_ROWS) {
        int8_t *y[ADRT_MVE_ROWS];
        const int8_t *row = NULL;
        for (int32_t r = 0; r < ADRT_MVE_ROWS; ++r) {
            if (i + r < pixels) {
                row = input_row(p, input, &px, field);
                y[r] = output + (size_t)(i + r) * out_c;
            } else { /* a repeat of the previous row: same values to the same place */
                y[r] = y[r - 1];
            }
            adrt_mve_stage_row(staged, r, row, depth);
        }
        const int8_t *w = p->weights;
        const int32_t *q = p->quant;
        for (int32_t c = 0; c < out_c; c += ADRT_MVE_CHUNK, q += ADRT_MVE_CHUNK / 4 * Q_STEP) {
            const int32_t n = ADRT_MIN(ADRT_MVE_CHUNK, out_c - c);
            adrt_mve_sums_3x2(staged, &w, blocks, (n + 1) >> 1, sums);
            requant_rows(o, sums, q, n, y[0] + c, y[1] + c, y[2] + c);
        }
    }
}

/* Scratch: the staged rows, then a receptive field with a vector of slack. */
void adrt_mve_conv2d_s8(const adrt_mve_conv2d_params_t *p, const int8_t *input, int8_t *output,
                        void *scratch) {
    const int32_t blocks = adrt_mve_blocks(p->filter_h * p->filter_w * p->input.c);
    int8_t *staged = (int8_t *)scratch;
    conv_pixels(p, input, output, staged, staged + ADRT_MVE_ROWS * 16 * blocks);
}

void adrt_mve_conv2d_1x1_s8(const adrt_mve_conv2d_params_t *p, const int8_t *input, int8_t *output,
                            void *scratch) {
    conv_pixels(p, input, output, (int8_t *)scratch, NULL);
}
