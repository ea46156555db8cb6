#include "adrt/dsp/conv.h"

#include "dsp_gemm.h"

/* The receptive field of output pixel (oy, ox) as depth int8 values in filter order (tap rows,
 * taps, channels), taps outside the image holding the input zero point. */
static void gather(const adrt_dsp_conv2d_params_t *p, const int8_t *image, int32_t oy, int32_t ox,
                   int8_t *dst) {
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t fw = p->filter_w, row_len = fw * in_c;
    const int32_t iy0 = oy * p->stride_h - p->pad_h, ix0 = ox * p->stride_w - p->pad_w;
    const int8_t zp = (int8_t)p->input_zero_point;
    const int row_inside = ix0 >= 0 && ix0 + (fw - 1) * p->dilation_w < in_w;
    for (int32_t fy = 0; fy < p->filter_h; ++fy, dst += row_len) {
        const int32_t iy = iy0 + fy * p->dilation_h;
        if (iy < 0 || iy >= in_h) {
            memset(dst, zp, (size_t)row_len);
            continue;
        }
        const int8_t *row = image + (size_t)iy * in_w * in_c;
        if (row_inside && p->dilation_w == 1) {
            memcpy(dst, row + (size_t)ix0 * in_c, (size_t)row_len);
            continue;
        }
        for (int32_t fx = 0; fx < fw; ++fx) {
            const int32_t ix = ix0 + fx * p->dilation_w;
            if (ix < 0 || ix >= in_w) {
                memset(dst + fx * in_c, zp, (size_t)in_c);
            } else {
                memcpy(dst + fx * in_c, row + (size_t)ix * in_c, (size_t)in_c);
            }
        }
    }
}

/* Output pixel `pixel` of `image` as an int16 column (word pairs `stride` words apart). */
static void column(const adrt_dsp_conv2d_params_t *p, const int8_t *image, int32_t pixel,
                   int8_t *stage, int32_t *col, int32_t stride) {
    gather(p, image, pixel / p->output.w, pixel % p->output.w, stage);
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
