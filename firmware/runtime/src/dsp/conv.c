#include "adrt/dsp/conv.h"

#include "dsp_gemm.h"

/* The fw taps of one tap row starting at input column ix0 of image row `row` (in_c channels
 * each), taps outside the image holding the input zero point. */
static void gather_row(const adrt_dsp_conv2d_params_t *p, const int8_t *row, int32_t ix0,
                       int8_t *dst) {
    const int32_t in_w = p->input.w, in_c = p->input.c;
    for (int32_t fx = 0; fx < p->filter_w; ++fx, dst += in_c) {
        const int32_t ix = ix0 + fx * p->dilation_w;
        if (ix < 0 || ix >= in_w) {
            memset(dst, p->input_zero_point, (size_t)in_c);
        } else {
            memcpy(dst, row + (size_t)ix * in_c, (size_t)in_c);
        }
    }
}

/* Output pixel `pixel` of `image` as an int16 column (word pairs `stride` words apart): its
 * receptive field in filter order (tap rows, taps, channels), the input zero point outside the
 * image. A tap row of a multiple of 4 values fills whole groups and is widened straight from
 * the image when it lies in it; otherwise the field is gathered in `stage` first. */
static void column(const adrt_dsp_conv2d_params_t *p, const int8_t *image, int32_t pixel,
                   int8_t *stage, int32_t *col, int32_t stride) {
    const int32_t in_h = p->input.h, in_c = p->input.c, fw = p->filter_w;
    const int32_t row_len = fw * in_c, row_step = p->input.w * in_c;
    const int32_t iy0 = pixel / p->output.w * p->stride_h - p->pad_h;
    const int32_t ix0 = pixel % p->output.w * p->stride_w - p->pad_w;
    const int contiguous = p->dilation_w == 1 && ix0 >= 0 && ix0 + fw <= p->input.w;
    const int8_t zp = (int8_t)p->input_zero_point;
    if ((row_len & 3) == 0) {
        const int32_t zz = (int32_t)(((uint32_t)(uint16_t)zp << 16) | (uint16_t)zp);
        for (int32_t fy = 0; fy < p->filter_h; ++fy) {
            const int32_t iy = iy0 + fy * p->dilation_h;
            if (iy < 0 || iy >= in_h) {
                for (int32_t g = row_len >> 2; g > 0; --g, col += stride) {
                    col[0] = col[1] = zz;
                }
                continue;
            }
            const int8_t *row = image + (size_t)iy * row_step;
            if (contiguous) {
                adrt_dsp_widen(row + (size_t)ix0 * in_c, row_len, col, stride);
            } else {
                gather_row(p, row, ix0, stage);
                adrt_dsp_widen(stage, row_len, col, stride);
            }
            col += (row_len >> 2) * stride;
        }
        return;
    }
    int8_t *dst = stage;
    for (int32_t fy = 0; fy < p->filter_h; ++fy, dst += row_len) {
        const int32_t iy = iy0 + fy * p->dilation_h;
        if (iy < 0 || iy >= in_h) {
            memset(dst, zp, (size_t)row_len);
        } else if (contiguous) {
            memcpy(dst, image + (size_t)iy * row_step + (size_t)ix0 * in_c, (size_t)row_len);
        } else {
            gather_row(p, image + (size_t)iy * row_step, ix0, dst);
        }
    }
    adrt_dsp_widen(stage, p->depth, col, stride);
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
    const int32_t pixels = p->output.h * p->output.w, out_c = p->output.c;
    const size_t image_in = (size_t)p->input.h * p->input.w * p->input.c;

    if (p->pointwise) { /* every image's pixels are the matrix rows */
        adrt_dsp_gemm_rows(&g, input, p->input.n * pixels, p->depth, output, cols, 0, narrow);
        return;
    }
    for (int32_t n = 0; n < p->input.n; ++n) {
        const int8_t *image = input + n * image_in;
        int8_t *out = output + (size_t)n * pixels * out_c;
        int32_t px = 0;
        for (; px + 2 <= pixels; px += 2, out += 2 * out_c) {
            column(p, image, px, stage, cols, 4);
            column(p, image, px + 1, stage, cols + 2, 4);
            adrt_dsp_gemm_pair(&g, cols, out, out + out_c, 0, narrow);
        }
        if (px < pixels) {
            column(p, image, px, stage, cols, 2);
            adrt_dsp_gemm_single(&g, cols, out, 0, narrow);
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
