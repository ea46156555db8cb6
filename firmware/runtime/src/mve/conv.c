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
__attribute__((always_inline)) static inline void requant_loop(const output_t *o, int right_only,
                                                               const int32_t *s0, const int32_t *q,
                                                               int32_t n, int8_t *y0, int8_t *y1,
                                                               int8_t *y2) {
    const int32_t *s1 = s0 + ADRT_MVE_CHUNK, *s2 = s0 + 2 * ADRT_MVE_CHUNK;
    for (; n >= 4; n -= 4, q += Q_STEP) {
        const group_t g = group_at(q, right_only);
        vstrbq_s32(y0, output_of(o, &g, right_only, vldrwq_s32(s0)));
        vstrbq_s32(y1, output_of(o, &g, right_only, vldrwq_s32(s1)));
        vstrbq_s32(y2, output_of(o, &g, right_only, vldrwq_s32(s2)));
        y0 += 4, y1 += 4, y2 += 4;
        s0 += 4, s1 += 4, s2 += 4;
    }
    if (n > 0) {
        const group_t g = group_at(q, right_only);
        const mve_pred16_t valid = vctp32q((uint32_t)n);
        const int32x4_t z0 = output_of(o, &g, right_only, vldrwq_s32(s0));
        const int32x4_t z1 = output_of(o, &g, right_only, vldrwq_s32(s1));
        const int32x4_t z2 = output_of(o, &g, right_only, vldrwq_s32(s2));
        vstrbq_p_s32(y0, z0, valid);
        vstrbq_p_s32(y1, z1, valid);
        vstrbq_p_s32(y2, z2, valid);
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

/* Copy and fill of a gathered receptive field: whole vectors are stored, so up to 15 bytes past
 * n are written too; a field is written in order (each run overwrites the previous one's
 * excess) into a buffer with 16 bytes of slack. Loads never pass the n input bytes. */
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

/* What the pixel loop needs, computed once per call. */
typedef struct {
    const adrt_mve_conv2d_params_t *p;
    int32_t pitch;          /* bytes per input row */
    int32_t image;          /* bytes per input image */
    int32_t row_bytes;      /* bytes per filter row of a receptive field */
    int32_t depth;          /* bytes per receptive field */
    int32_t row_step;       /* input bytes from one filter row to the next */
    int32_t last_y, last_x; /* largest window origins with every tap inside (dilation_w 1) */
    int8x16_t zero_point;
} layer_t;

/* An output pixel, walked in output order, and the origin of its input window. */
typedef struct {
    int32_t oy, ox;
    int32_t iy0, ix0;    /* oy * stride_h - pad_h, ox * stride_w - pad_w */
    const int8_t *image; /* the input image of the pixel's batch */
} cursor_t;

static inline void next_pixel(const layer_t *l, cursor_t *c) {
    const adrt_mve_conv2d_params_t *p = l->p;
    c->ix0 += p->stride_w;
    if (++c->ox == p->output.w) {
        c->ox = 0;
        c->ix0 = -p->pad_w;
        c->iy0 += p->stride_h;
        if (++c->oy == p->output.h) {
            c->oy = 0;
            c->iy0 = -p->pad_h;
            c->image += l->image;
        }
    }
}

/* The receptive field of a window whose taps are all inside the image (dilation_w 1): filter
 * rows copied from the input. */
static inline void copy_field(const layer_t *l, const int8_t *src, int8_t *row) {
    const int32_t row_bytes = l->row_bytes, whole = row_bytes >> 4, rest = row_bytes & 15;
    const mve_pred16_t tail = vctp8q((uint32_t)rest);
    for (int32_t fy = l->p->filter_h; fy > 0; --fy, src += l->row_step) {
        const int8_t *s = src;
        for (int32_t k = whole; k > 0; --k, s += 16, row += 16) {
            vstrbq_s8(row, vldrbq_s8(s));
        }
        if (rest) {
            vstrbq_s8(row, vldrbq_z_s8(s, tail));
            row += rest;
        }
    }
}

/* The receptive field of output pixel (b, oy, ox) at the border as one row of filter_h x
 * filter_w x input.c bytes; taps outside the image hold the input zero point. Filter rows inside
 * the image are [zero point x left][input x mid][zero point x right]. Not inlined: its own
 * registers keep the per-row loops short. */
__attribute__((noinline)) static void gather(const layer_t *l, const cursor_t *c, int8_t *field) {
    const adrt_mve_conv2d_params_t *p = l->p;
    const int32_t in_c = p->input.c, fh = p->filter_h, fw = p->filter_w;
    const int32_t dh = p->dilation_h, dw = p->dilation_w, row_bytes = l->row_bytes;
    const int32_t iy0 = c->iy0, ix0 = c->ix0;
    int32_t fy0, fy1, fx0, fx1; /* filter rows and columns inside the image */
    adrt_tap_range(iy0, dh, fh, p->input.h, &fy0, &fy1);
    adrt_tap_range(ix0, dw, fw, p->input.w, &fx0, &fx1);
    fy0 = ADRT_MIN(fy0, fh);
    fy1 = ADRT_CLAMP(fy1, fy0, fh);
    fx0 = ADRT_MIN(fx0, fw);
    fx1 = ADRT_CLAMP(fx1, fx0, fw);
    const int32_t left = fx0 * in_c, mid = (fx1 - fx0) * in_c;
    const int32_t row_step = l->row_step;
    /* the first input byte of filter row fy0, tap fx0, when both exist */
    const int8_t *src = c->image;
    if (fy0 < fy1 && mid > 0) {
        src += (iy0 + fy0 * dh) * l->pitch + (ix0 + fx0 * dw) * in_c;
    }
    int8_t *row = field;

    fill_run(row, l->zero_point, fy0 * row_bytes);
    row += fy0 * row_bytes;
    if (mid == row_bytes && dw == 1) { /* horizontally inside: plain copies */
        for (int32_t fy = fy0; fy < fy1; ++fy, row += row_bytes, src += row_step) {
            copy_run(row, src, row_bytes);
        }
    } else if (row_bytes <= 16 && dw == 1) { /* first layers: a filter row fits one vector */
        const mve_pred16_t inside = vctp8q((uint32_t)mid);
        for (int32_t fy = fy0; fy < fy1; ++fy, row += row_bytes, src += row_step) {
            vstrbq_s8(row, l->zero_point);
            vstrbq_s8(row + left, vldrbq_z_s8(src, inside));
            vstrbq_s8(row + left + mid, l->zero_point);
        }
    } else {
        for (int32_t fy = fy0; fy < fy1; ++fy, row += row_bytes, src += row_step) {
            fill_run(row, l->zero_point, left);
            if (dw == 1) {
                copy_run(row + left, src, mid);
            } else {
                for (int32_t k = 0; k < mid; k += in_c) {
                    copy_run(row + left + k, src + k * dw, in_c);
                }
            }
            fill_run(row + left + mid, l->zero_point, row_bytes - left - mid);
        }
    }
    fill_run(row, l->zero_point, (fh - fy1) * row_bytes);
}

/* Stages the input rows of the next `count` (1-3) output pixels from *c (moved past them),
 * repeating the last one up to three rows: the pixels themselves when `field` is NULL (1x1, no
 * padding), else their receptive fields gathered in `field` first. */
__attribute__((noinline)) static void stage_pixels(const layer_t *l, cursor_t *c, int32_t count,
                                                   int8_t *staged, int8_t *field) {
    const int32_t in_c = l->p->input.c, depth = l->depth;
    const int8_t *src = NULL;
    for (int32_t r = 0; r < ADRT_MVE_ROWS; ++r) {
        if (r < count) {
            const int32_t window = c->iy0 * l->pitch + c->ix0 * in_c; /* its first tap */
            if (field == NULL) {
                src = c->image + window;
            } else {
                if (c->iy0 >= 0 && c->iy0 <= l->last_y && c->ix0 >= 0 && c->ix0 <= l->last_x) {
                    copy_field(l, c->image + window, field);
                } else {
                    gather(l, c, field);
                }
                src = field;
            }
            next_pixel(l, c);
        }
        adrt_mve_stage_row(staged, r, src, depth);
    }
}

/* Every output pixel, three at a time (the last one repeated to fill a three); receptive fields
 * gathered in `field` unless it is NULL (1x1, no padding). */
static void conv_pixels(const adrt_mve_conv2d_params_t *p, const int8_t *input, int8_t *output,
                        int8_t *staged, int8_t *field) {
    const output_t o = {p->output_offset, p->act_min, p->act_max, p->right_shifts_only};
    const int32_t in_c = p->input.c, out_c = p->output.c;
    const int32_t pixels = p->output.n * p->output.h * p->output.w;
    const int32_t pitch = p->input.w * in_c;
    const layer_t l = {
        .p = p,
        .pitch = pitch,
        .image = p->input.h * pitch,
        .row_bytes = p->filter_w * in_c,
        .depth = p->filter_h * p->filter_w * in_c,
        .row_step = p->dilation_h * pitch,
        .last_y = p->input.h - 1 - (p->filter_h - 1) * p->dilation_h,
        /* a dilated row is gathered tap by tap: never "inside" */
        .last_x = p->dilation_w == 1 ? p->input.w - p->filter_w : -1,
        .zero_point = vdupq_n_s8((int8_t)-p->input_offset),
    };
    const int32_t blocks = adrt_mve_blocks(l.depth);
    int32_t sums[ADRT_MVE_ROWS * ADRT_MVE_CHUNK];
    cursor_t c = {0, 0, -p->pad_h, -p->pad_w, input};
    for (int32_t i = 0; i < pixels; i += ADRT_MVE_ROWS) {
        const int32_t count = ADRT_MIN(ADRT_MVE_ROWS, pixels - i);
        stage_pixels(&l, &c, count, staged, field);
        int8_t *y0 = output + (size_t)i * out_c;
        int8_t *y1 = count > 1 ? y0 + out_c : y0; /* a repeated row: same values, same place */
        int8_t *y2 = count > 2 ? y1 + out_c : y1;
        const int8_t *w = p->weights;
        const int32_t *q = p->quant;
        for (int32_t k = 0; k < out_c; k += ADRT_MVE_CHUNK, q += ADRT_MVE_CHUNK / 4 * Q_STEP) {
            const int32_t n = ADRT_MIN(ADRT_MVE_CHUNK, out_c - k);
            adrt_mve_sums_3x2(staged, &w, blocks, (n + 1) >> 1, sums);
            requant_rows(o, sums, q, n, y0 + k, y1 + k, y2 + k);
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

/* The window's sums for output channels c..c+3 (`channel`: their input channels, `w`: their
 * weights of the first tap, `step` bytes per tap): weight times input over the taps, the input
 * zero point standing for taps outside the image (as the kernel sums expect). `image` is the
 * batch's input, (iy0, ix0) the window's origin. */
__attribute__((noinline)) static int32x4_t channelwise_border(const adrt_mve_conv2d_params_t *p,
                                                              const int8_t *image, int32_t iy0,
                                                              int32_t ix0, const int8_t *w,
                                                              int32_t step, uint32x4_t channel) {
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32x4_t zero_point = vdupq_n_s32(-p->input_offset);
    int32x4_t acc = vdupq_n_s32(0);
    for (int32_t fy = 0, iy = iy0; fy < p->filter_h; ++fy, iy += p->dilation_h) {
        for (int32_t fx = 0, ix = ix0; fx < p->filter_w; ++fx, ix += p->dilation_w, w += step) {
            int32x4_t value = zero_point;
            if (iy >= 0 && iy < in_h && ix >= 0 && ix < in_w) {
                value = vldrbq_gather_offset_s32(image + (iy * in_w + ix) * in_c, channel);
            }
            acc = vaddq_s32(acc, vmulq_s32(value, vldrbq_s32(w)));
        }
    }
    return acc;
}

/* Output channel group c..c+3 (the group's weights at w) of every output pixel; right_only is
 * a constant in each of the two calls below, so each gets its own loop. */
__attribute__((always_inline)) static inline void
channelwise_loop(const adrt_mve_conv2d_params_t *p, const output_t o, int right_only,
                 const int8_t *input, const int8_t *w, const int32_t *q, uint32x4_t channel,
                 mve_pred16_t valid, int8_t *y) {
    /* every field in a local: the int8 output stores could alias the params, forcing reloads */
    const int32_t in_w = p->input.w, in_c = p->input.c, out_c = p->output.c;
    const int32_t out_n = p->output.n, out_h = p->output.h, out_w = p->output.w;
    const int32_t fh = p->filter_h, fw = p->filter_w;
    const int32_t stride_h = p->stride_h, stride_w = p->stride_w;
    const int32_t pad_h = p->pad_h, pad_w = p->pad_w;
    const int32_t image_bytes = p->input.h * in_w * in_c;
    const int32_t last_y = p->input.h - 1 - (fh - 1) * p->dilation_h;
    const int32_t last_x = in_w - 1 - (fw - 1) * p->dilation_w;
    const int32_t step = (out_c + 3) & ~3; /* weight bytes per tap */
    const int32_t tap_step = p->dilation_w * in_c, row_step = p->dilation_h * in_w * in_c;
    const group_t g = group_at(q, right_only);
    for (int32_t b = 0; b < out_n; ++b) {
        const int8_t *image = input + b * image_bytes;
        for (int32_t oy = 0, iy0 = -pad_h; oy < out_h; ++oy, iy0 += stride_h) {
            const int y_inside = iy0 >= 0 && iy0 <= last_y;
            for (int32_t ox = 0, ix0 = -pad_w; ox < out_w; ++ox, ix0 += stride_w, y += out_c) {
                int32x4_t acc;
                if (y_inside && ix0 >= 0 && ix0 <= last_x) { /* every tap inside */
                    const int8_t *row = image + (iy0 * in_w + ix0) * in_c, *f = w;
                    acc = vdupq_n_s32(0);
                    for (int32_t fy = fh; fy > 0; --fy, row += row_step) {
                        const int8_t *tap = row;
                        for (int32_t fx = fw; fx > 0; --fx, tap += tap_step, f += step) {
                            const int32x4_t x = vldrbq_gather_offset_s32(tap, channel);
                            acc = vaddq_s32(acc, vmulq_s32(x, vldrbq_s32(f)));
                        }
                    }
                } else {
                    acc = channelwise_border(p, image, iy0, ix0, w, step, channel);
                }
                vstrbq_p_s32(y, output_of(&o, &g, right_only, acc), valid);
            }
        }
    }
}

__attribute__((noinline)) static void channelwise_group(const adrt_mve_conv2d_params_t *p,
                                                        const output_t o, const int8_t *input,
                                                        const int8_t *w, const int32_t *q,
                                                        uint32x4_t channel, mve_pred16_t valid,
                                                        int8_t *y) {
    if (o.right_shifts_only) {
        channelwise_loop(p, o, 1, input, w, q, channel, valid, y);
    } else {
        channelwise_loop(p, o, 0, input, w, q, channel, valid, y);
    }
}

void adrt_mve_conv2d_channelwise_s8(const adrt_mve_conv2d_params_t *p, const int8_t *input,
                                    int8_t *output) {
    const output_t o = {p->output_offset, p->act_min, p->act_max, p->right_shifts_only};
    const int32_t out_c = p->output.c;
    for (int32_t c = 0; c < out_c; c += 4) {
        const uint32x4_t channel = vldrwq_u32((const uint32_t *)p->channel + c);
        const mve_pred16_t valid = vctp32q((uint32_t)(out_c - c));
        channelwise_group(p, o, input, p->weights + c, p->quant + c / 4 * Q_STEP, channel, valid,
                          output + c);
    }
}
