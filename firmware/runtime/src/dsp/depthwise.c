#include "adrt/dsp/depthwise.h"

#include "dsp_arith.h"

/* a0..a3 += 4 channels of one tap: the int8 word at `addr` widened, times the tap's weights at
 * w (two int16-pair words; w advances). 8 instructions for 4 MACs. */
#define ADRT_DSP_DW_TAP(addr)                                                                      \
    "ldr %[v], " addr "\n\t"                                                                       \
    "ldrd %[w0], %[w1], [%[w]], #8\n\t"                                                            \
    "sxtb16 %[e], %[v]\n\t"                                                                        \
    "sxtb16 %[v], %[v], ror #8\n\t"                                                                \
    "smlabb %[a0], %[e], %[w0], %[a0]\n\t"                                                         \
    "smlatt %[a2], %[e], %[w0], %[a2]\n\t"                                                         \
    "smlabb %[a1], %[v], %[w1], %[a1]\n\t"                                                         \
    "smlatt %[a3], %[v], %[w1], %[a3]\n\t"

#define ADRT_DSP_DW_OPERANDS                                                                       \
    [a0] "+r"(acc[0]), [a1] "+r"(acc[1]), [a2] "+r"(acc[2]), [a3] "+r"(acc[3]), [w] "+r"(*w),      \
        [v] "=&r"(v), [e] "=&r"(e), [w0] "=&r"(w0), [w1] "=&r"(w1)

/* acc += 4 channels at x over a 3x3 window whose taps are tap_step apart and rows row_step.
 * 77 instructions for 36 MACs (13 registers in the asm: gcc has no 14th to spare). */
static inline __attribute__((always_inline)) void
taps3x3(const int8_t *x, int32_t tap_step, int32_t row_step, const int32_t **w, int32_t acc[4]) {
    uint32_t v;
    int32_t e, w0, w1;
#define ROW                                                                                        \
    ADRT_DSP_DW_TAP("[%[x]]")                                                                      \
    ADRT_DSP_DW_TAP("[%[x], %[step]]")                                                             \
    "add %[x], %[x], %[step], lsl #1\n\t" ADRT_DSP_DW_TAP("[%[x]]")
    __asm__(ROW "add %[x], %[x], %[next]\n\t" ROW "add %[x], %[x], %[next]\n\t" ROW
            : ADRT_DSP_DW_OPERANDS, [x] "+r"(x)
            : [step] "r"(tap_step), [next] "r"(row_step - 2 * tap_step)
            : "memory");
#undef ROW
}

/* acc += 4 channels at offset c of each of `taps` taps listed in table. */
static inline __attribute__((always_inline)) void taps_listed(const int8_t *const *table,
                                                              int32_t taps, int32_t c,
                                                              const int32_t **w, int32_t acc[4]) {
    uint32_t v;
    int32_t e, w0, w1;
    for (int32_t t = 0; t < taps; ++t) {
        __asm__(ADRT_DSP_DW_TAP("[%[x], %[c]]")
                : ADRT_DSP_DW_OPERANDS
                : [x] "r"(table[t]), [c] "r"(c)
                : "memory");
    }
}

/* acc += the last n < 4 channels (at offset c) of each tap listed in table. */
static void taps_tail(const int8_t *const *table, int32_t taps, int32_t c, int32_t n,
                      const int32_t **w, int32_t acc[4]) {
    const int32_t *wp = *w;
    for (int32_t t = 0; t < taps; ++t, wp += 2) {
        uint32_t v = 0;
        for (int32_t i = 0; i < n; ++i) {
            v |= (uint32_t)(uint8_t)table[t][c + i] << (8 * i);
        }
        const int32_t xe = adrt_dsp_even(v), xo = adrt_dsp_odd(v);
        acc[0] = __smlabb(xe, wp[0], acc[0]);
        acc[2] = __smlatt(xe, wp[0], acc[2]);
        acc[1] = __smlabb(xo, wp[1], acc[1]);
        acc[3] = __smlatt(xo, wp[1], acc[3]);
    }
    *w = wp;
}

/* Where a pixel's taps are: the first at x, the others tap_step and row_step apart (interior
 * pixels), or listed in table (every pixel when `listed`). */
typedef struct {
    const int8_t *x;
    int32_t tap_step, row_step;
    int listed;
    const int8_t **table;
    int32_t taps;
} window_t;

/* Requantize a block's 4 accumulators (records q) and store the first n at dst, step apart. */
static inline __attribute__((always_inline)) void
store_block(const int32_t acc[4], const int32_t *q, const adrt_dsp_range_t *range, int8_t *dst,
            int32_t step, int32_t n, const int narrow) {
    enum { W = ADRT_DSP_REQUANT_WORDS };
    const int32_t v0 = adrt_dsp_output(acc[0], q, range, narrow);
    const int32_t v1 = adrt_dsp_output(acc[1], q + W, range, narrow);
    const int32_t v2 = adrt_dsp_output(acc[2], q + 2 * W, range, narrow);
    const int32_t v3 = adrt_dsp_output(acc[3], q + 3 * W, range, narrow);
    dst[0] = (int8_t)v0;
    if (n > 1) {
        dst[step] = (int8_t)v1;
    }
    if (n > 2) {
        dst[2 * step] = (int8_t)v2;
    }
    if (n > 3) {
        dst[3 * step] = (int8_t)v3;
    }
}

/* Every output channel of one pixel; `fast3x3`: a 3x3 window given by steps. */
static inline __attribute__((always_inline)) void pixel(const adrt_dsp_depthwise_conv2d_params_t *p,
                                                        const window_t *win, int8_t *out,
                                                        const int fast3x3, const int narrow) {
    const adrt_dsp_range_t range = {p->act_min, p->act_max};
    const int32_t in_c = p->input.c, dm = p->depth_multiplier;
    const int32_t full = in_c & ~3, padded = (in_c + 3) & ~3;
    const int32_t *w = p->weights;
    const int32_t *ks = p->kernel_sum;
    const int32_t *q = p->requant;
    for (int32_t m = 0; m < dm; ++m) {
        int8_t *dst = out + m;
        for (int32_t c = 0; c < full; c += 4) {
            int32_t acc[4] = {ks[0], ks[1], ks[2], ks[3]};
            if (fast3x3) {
                taps3x3(win->x + c, win->tap_step, win->row_step, &w, acc);
            } else {
                taps_listed(win->table, win->taps, c, &w, acc);
            }
            store_block(acc, q, &range, dst, dm, 4, narrow);
            dst += 4 * dm;
            ks += 4;
            q += 4 * ADRT_DSP_REQUANT_WORDS;
        }
        if (full < padded) {
            int32_t acc[4] = {ks[0], ks[1], ks[2], ks[3]};
            taps_tail(win->table, win->taps, full, in_c - full, &w, acc);
            store_block(acc, q, &range, dst, dm, in_c - full, narrow);
            ks += 4;
            q += 4 * ADRT_DSP_REQUANT_WORDS;
        }
    }
}

/* List the taps of the window at (iy0, ix0): in the image, or the zero-point row outside. */
static void list_taps(const adrt_dsp_depthwise_conv2d_params_t *p, const int8_t *image, int32_t iy0,
                      int32_t ix0, const int8_t *zero_row, const int8_t **table) {
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    for (int32_t fy = 0; fy < p->filter_h; ++fy) {
        const int32_t iy = iy0 + fy * p->dilation_h;
        const int row_inside = iy >= 0 && iy < in_h;
        for (int32_t fx = 0; fx < p->filter_w; ++fx) {
            const int32_t ix = ix0 + fx * p->dilation_w;
            const int inside = row_inside && ix >= 0 && ix < in_w;
            *table++ = inside ? image + ((size_t)iy * in_w + ix) * in_c : zero_row;
        }
    }
}

static inline __attribute__((always_inline)) void
depthwise(const adrt_dsp_depthwise_conv2d_params_t *p, const int8_t *input, int8_t *output,
          void *scratch, const int is3x3, const int narrow) {
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t out_w = p->output.w, out_c = p->output.c;
    const int32_t fh = p->filter_h, fw = p->filter_w;
    const int32_t dh = p->dilation_h, dw = p->dilation_w;
    /* scratch: the tap table, then a row of input zero points (as many as channels) */
    window_t win = {NULL, dw * in_c, dh * in_w * in_c, 0, (const int8_t **)scratch, fh * fw};
    int8_t *zero_row = (int8_t *)(win.table + win.taps);
    memset(zero_row, p->input_zero_point, (size_t)in_c);
    const int tail = (in_c & 3) != 0;
    int8_t *out = output;
    for (int32_t n = 0; n < p->input.n; ++n) {
        const int8_t *image = input + (size_t)n * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < p->output.h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            const int rows_inside = iy0 >= 0 && iy0 + (fh - 1) * dh < in_h;
            for (int32_t ox = 0; ox < out_w; ++ox, out += out_c) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                const int inside = rows_inside && ix0 >= 0 && ix0 + (fw - 1) * dw < in_w;
                win.x = image + ((size_t)iy0 * in_w + ix0) * in_c;
                if (!is3x3 || !inside || tail) {
                    list_taps(p, image, iy0, ix0, zero_row, win.table);
                }
                if (is3x3 && inside) {
                    pixel(p, &win, out, 1, narrow);
                } else {
                    pixel(p, &win, out, 0, narrow);
                }
            }
        }
    }
}

void adrt_dsp_depthwise_conv2d_s8(const adrt_dsp_depthwise_conv2d_params_t *p, const int8_t *input,
                                  int8_t *output, void *scratch) {
    const int narrow = p->act_min > -128 || p->act_max < 127;
    if (p->filter_h == 3 && p->filter_w == 3) {
        if (narrow) {
            depthwise(p, input, output, scratch, 1, 1);
        } else {
            depthwise(p, input, output, scratch, 1, 0);
        }
    } else if (narrow) {
        depthwise(p, input, output, scratch, 0, 1);
    } else {
        depthwise(p, input, output, scratch, 0, 0);
    }
}
