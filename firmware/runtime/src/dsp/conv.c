#include "adrt/dsp/conv.h"

#include "dsp_gemm.h"

/* What building a column reads, copied out of the parameters (int32 stores to a column could
 * alias them, and would make the compiler reload them). */
typedef struct {
    const int8_t *image;
    int32_t in_h, in_w, in_c;
    int32_t filter_h, filter_w, dilation_h, dilation_w;
    int32_t row_len;  /* filter_w * in_c: the values of one tap row */
    int32_t row_step; /* in_w * in_c: bytes between image rows */
    int32_t depth;
    int8_t zero_point; /* of the input */
} field_t;

static void copy_bytes(int8_t *dst, const int8_t *src, int32_t n) {
    for (; n >= 4; n -= 4, dst += 4, src += 4) {
        adrt_dsp_store4(dst, adrt_dsp_load4(src));
    }
    for (; n > 0; --n) {
        *dst++ = *src++;
    }
}

static void fill_bytes(int8_t *dst, int8_t value, int32_t n) {
    for (; n > 0; --n) {
        *dst++ = value;
    }
}

/* The taps of one tap row from input column ix0 of image row `row`, taps outside the image
 * holding the input zero point. */
static void gather_row(const field_t *f, const int8_t *row, int32_t ix0, int8_t *dst) {
    const int32_t in_c = f->in_c, fw = f->filter_w, dw = f->dilation_w;
    int32_t fx0, fx1; /* the taps inside the image */
    adrt_tap_range(ix0, dw, fw, f->in_w, &fx0, &fx1);
    fx1 = ADRT_MAX(fx0, fx1);
    fill_bytes(dst, f->zero_point, fx0 * in_c);
    if (dw == 1) {
        copy_bytes(dst + fx0 * in_c, row + (size_t)(ix0 + fx0) * in_c, (fx1 - fx0) * in_c);
    } else {
        for (int32_t fx = fx0; fx < fx1; ++fx) {
            copy_bytes(dst + fx * in_c, row + (size_t)(ix0 + fx * dw) * in_c, in_c);
        }
    }
    fill_bytes(dst + fx1 * in_c, f->zero_point, (fw - fx1) * in_c);
}

/* The output pixel whose window starts at (iy0, ix0) as an int16 column (word pairs `stride`
 * words apart): its receptive field in filter order (tap rows, taps, channels), the input zero
 * point outside the image. A tap row of a multiple of 4 values fills whole groups and is
 * widened straight from the image when it lies in it; otherwise the field is gathered in
 * `stage` first. */
static void column(const field_t *f, int32_t iy0, int32_t ix0, int8_t *stage, int32_t *col,
                   int32_t stride) {
    const int8_t *image = f->image;
    const int32_t in_h = f->in_h, fh = f->filter_h, dh = f->dilation_h;
    const int32_t row_len = f->row_len, row_step = f->row_step, in_c = f->in_c;
    const int contiguous = f->dilation_w == 1 && ix0 >= 0 && ix0 + f->filter_w <= f->in_w;
    const int8_t zp = f->zero_point;
    if ((row_len & 3) == 0) {
        const int32_t zz = (int32_t)((uint32_t)(uint16_t)zp << 16 | (uint16_t)zp);
        const int32_t groups = row_len >> 2;
        for (int32_t fy = 0, iy = iy0; fy < fh; ++fy, iy += dh, col += groups * stride) {
            if (iy < 0 || iy >= in_h) {
                int32_t *c = col;
                for (int32_t g = 0; g < groups; ++g, c += stride) {
                    c[0] = c[1] = zz;
                }
            } else if (contiguous) {
                adrt_dsp_widen(image + (size_t)iy * row_step + (size_t)ix0 * in_c, row_len, col,
                               stride);
            } else {
                gather_row(f, image + (size_t)iy * row_step, ix0, stage);
                adrt_dsp_widen(stage, row_len, col, stride);
            }
        }
        return;
    }
    int8_t *dst = stage;
    for (int32_t fy = 0, iy = iy0; fy < fh; ++fy, iy += dh, dst += row_len) {
        if (iy < 0 || iy >= in_h) {
            fill_bytes(dst, zp, row_len);
        } else if (contiguous) {
            copy_bytes(dst, image + (size_t)iy * row_step + (size_t)ix0 * in_c, row_len);
        } else {
            gather_row(f, image + (size_t)iy * row_step, ix0, dst);
        }
    }
    adrt_dsp_widen(stage, f->depth, col, stride);
}

static inline __attribute__((always_inline)) void conv(const adrt_dsp_conv2d_params_t *p,
                                                       const int8_t *input, int8_t *output,
                                                       void *scratch, const int narrow) {
    const adrt_dsp_gemm_t g = {
        .out_c = p->output.c,
        .groups = (p->depth + 3) >> 2,
        .weights = p->weights,
        .kernel_sum = p->kernel_sum,
        .requant = p->requant,
        .range = {p->act_min, p->act_max},
    };
    int32_t *cols = (int32_t *)scratch; /* two interleaved columns */
    int8_t *stage = (int8_t *)(cols + 4 * g.groups);
    const int32_t out_w = p->output.w, out_c = p->output.c;
    const int32_t pixels = p->output.h * out_w;
    if (p->pointwise) { /* every image's pixels are the matrix rows */
        adrt_dsp_gemm_rows(&g, input, p->input.n * pixels, p->depth, output, cols,
                           ADRT_DSP_DOUBLE_ROUNDING, narrow);
        return;
    }
    field_t f = {
        .in_h = p->input.h,
        .in_w = p->input.w,
        .in_c = p->input.c,
        .filter_h = p->filter_h,
        .filter_w = p->filter_w,
        .dilation_h = p->dilation_h,
        .dilation_w = p->dilation_w,
        .row_len = p->filter_w * p->input.c,
        .row_step = p->input.w * p->input.c,
        .depth = p->depth,
        .zero_point = (int8_t)p->input_zero_point,
    };
    const int32_t sh = p->stride_h, sw = p->stride_w, ph = p->pad_h, pw = p->pad_w;
    int8_t *out = output;
    for (int32_t n = 0; n < p->input.n; ++n) {
        f.image = input + (size_t)n * p->input.h * f.row_step;
        /* two pixels a time: (oy, ox) and the next one */
        int32_t oy = 0, ox = 0, px = 0;
        for (; px + 2 <= pixels; px += 2, out += 2 * out_c) {
            column(&f, oy * sh - ph, ox * sw - pw, stage, cols, 4);
            if (++ox == out_w) {
                ox = 0;
                ++oy;
            }
            column(&f, oy * sh - ph, ox * sw - pw, stage, cols + 2, 4);
            if (++ox == out_w) {
                ox = 0;
                ++oy;
            }
            adrt_dsp_gemm_pair(&g, cols, out, out + out_c, ADRT_DSP_DOUBLE_ROUNDING, narrow);
        }
        if (px < pixels) {
            column(&f, oy * sh - ph, ox * sw - pw, stage, cols, 2);
            adrt_dsp_gemm_single(&g, cols, out, ADRT_DSP_DOUBLE_ROUNDING, narrow);
            out += out_c;
        }
    }
}

void adrt_dsp_conv2d_s8(const adrt_dsp_conv2d_params_t *p, const int8_t *input, int8_t *output,
                        void *scratch) {
    if (p->act_min > -128 || p->act_max < 127) {
        conv(p, input, output, scratch, 1);
    } else {
        conv(p, input, output, scratch, 0);
    }
}
