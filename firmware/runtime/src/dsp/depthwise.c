#include "adrt/dsp/depthwise.h"

#include "dsp_arith.h"

/* The input rows a window spans, widened once into a ring of rows (scratch): slot k holds the
 * input row iy with (iy + pad_h) % rows == k, for the channels of the current block, as
 * [block of 4 channels][padded_width columns][2 words: int16 pairs (0,2) and (1,3)]. Columns
 * and rows outside the image hold the input zero point, so every pixel reads all its taps. */
typedef struct {
    int32_t *ring;
    const int32_t **row; /* [filter_h]: the slot of each tap row of the current output row */
    int32_t rows;        /* (filter_h - 1) * dilation_h + 1 */
    int32_t slot_words;  /* words per slot */
} ring_t;

static void fill(int32_t *dst, int32_t words, int32_t value) {
    for (int32_t i = 0; i < words; ++i) {
        dst[i] = value;
    }
}

/* Widen input row iy, channels c0 .. c0 + 4 * blocks - 1, into the image columns of ring slot
 * `dst` (its padding columns hold the input zero point from the start of the block, zz: the
 * zero point as an int16 pair), a block of 4 channels at a time along the row. */
static void load_row(const adrt_dsp_depthwise_conv2d_params_t *p, const int8_t *image, int32_t iy,
                     int32_t c0, int32_t blocks, int32_t zz, int32_t *dst) {
    const int32_t in_w = p->input.w, in_c = p->input.c, width = p->padded_width;
    int32_t *d = dst + 2 * p->pad_w; /* column 0 of the image, first block */
    if (iy < 0 || iy >= p->input.h) {
        for (int32_t b = 0; b < blocks; ++b) {
            fill(d + b * 2 * width, 2 * in_w, zz);
        }
        return;
    }
    const int8_t *row = image + (size_t)iy * in_w * in_c;
    for (int32_t b = 0, c = c0; b < blocks; ++b, c += 4, d += 2 * width) {
        const int8_t *x = row + c;
        int32_t *col = d;
        if (c + 4 > in_c) { /* the last 1-3 channels, no byte read past them */
            for (int32_t n = 0; n < in_w; ++n, x += in_c, col += 2) {
                const uint32_t v = adrt_dsp_load_tail(x, in_c - c);
                col[0] = adrt_dsp_even(v);
                col[1] = adrt_dsp_odd(v);
            }
            continue;
        }
        int32_t n = in_w;
        uint32_t v;
        int32_t e;
        /* 7 instructions per pixel; volatile: its stores are its only effect */
        __asm__ volatile("1:\n\t"
                         "ldr %[v], [%[x]]\n\t"
                         "add %[x], %[x], %[step]\n\t"
                         "sxtb16 %[e], %[v]\n\t"
                         "sxtb16 %[v], %[v], ror #8\n\t"
                         "strd %[e], %[v], [%[col]], #8\n\t"
                         "subs %[n], %[n], #1\n\t"
                         "bne 1b\n\t"
                         : [x] "+r"(x), [col] "+r"(col), [n] "+r"(n), [v] "=&r"(v), [e] "=&r"(e)
                         : [step] "r"(in_c)
                         : "cc", "memory");
    }
}

/* a0..a3 += one tap of 4 channels: the int16 pairs at `addr` times the tap's weights at w (two
 * int16-pair words; w advances). 6 instructions for 4 MACs. */
#define ADRT_DSP_DW_TAP(addr)                                                                      \
    "ldrd %[xe], %[xo], " addr "\n\t"                                                              \
    "ldrd %[w0], %[w1], [%[w]], #8\n\t"                                                            \
    "smlabb %[a0], %[xe], %[w0], %[a0]\n\t"                                                        \
    "smlatt %[a2], %[xe], %[w0], %[a2]\n\t"                                                        \
    "smlabb %[a1], %[xo], %[w1], %[a1]\n\t"                                                        \
    "smlatt %[a3], %[xo], %[w1], %[a3]\n\t"

#define ADRT_DSP_DW_OPERANDS                                                                       \
    [a0] "+r"(acc[0]), [a1] "+r"(acc[1]), [a2] "+r"(acc[2]), [a3] "+r"(acc[3]), [w] "+r"(w),       \
        [xe] "=&r"(xe), [xo] "=&r"(xo), [w0] "=&r"(w0), [w1] "=&r"(w1)

/* acc += a 3x3 window of adjacent taps whose rows start at r0, r1, r2; w: its 9 taps' weights.
 * 54 instructions for 36 MACs. */
static inline __attribute__((always_inline)) void
taps3x3(const int32_t *r0, const int32_t *r1, const int32_t *r2, const int32_t *w, int32_t acc[4]) {
    int32_t xe, xo, w0, w1;
#define ROW(r)                                                                                     \
    ADRT_DSP_DW_TAP("[%[" r "]]")                                                                  \
    ADRT_DSP_DW_TAP("[%[" r "], #8]") ADRT_DSP_DW_TAP("[%[" r "], #16]")
    __asm__(ROW("r0") ROW("r1") ROW("r2")
            : ADRT_DSP_DW_OPERANDS
            : [r0] "r"(r0), [r1] "r"(r1), [r2] "r"(r2)
            : "memory");
#undef ROW
}

/* acc += any window: tap row ky starts at row[ky] + offset words, its fw taps `step` words
 * apart. 9 instructions per tap. */
static inline __attribute__((always_inline)) void taps_any(const int32_t *const *row,
                                                           int32_t offset, int32_t fh, int32_t fw,
                                                           int32_t step, const int32_t *w,
                                                           int32_t acc[4]) {
    int32_t xe, xo, w0, w1;
    for (int32_t ky = 0; ky < fh; ++ky) {
        const int32_t *x = row[ky] + offset;
        int32_t n = fw;
        __asm__("1:\n\t" ADRT_DSP_DW_TAP("[%[x]]") "add %[x], %[x], %[step]\n\t"
                                                   "subs %[n], %[n], #1\n\t"
                                                   "bne 1b\n\t"
                : ADRT_DSP_DW_OPERANDS, [x] "+r"(x), [n] "+r"(n)
                : [step] "r"(4 * step)
                : "cc", "memory");
    }
}

/* acc: 4 accumulators -> their channels' outputs (records q), requantized and saturated to int8
 * (not yet clamped to a narrower activation range). 32 instructions. */
static inline __attribute__((always_inline)) void requant4(const int32_t *q, int32_t acc[4]) {
    int32_t t0, t1;
#define REQUANT(a) ADRT_DSP_REQUANT_SSAT_ASM("%[" a "]", "%[q]", "%[t0]", "%[t1]")
    __asm__(REQUANT("a0") REQUANT("a1") REQUANT("a2") REQUANT("a3")
            : [a0] "+r"(acc[0]), [a1] "+r"(acc[1]), [a2] "+r"(acc[2]), [a3] "+r"(acc[3]),
              [q] "+r"(q), [t0] "=&r"(t0), [t1] "=&r"(t1)
            :
            : "memory");
#undef REQUANT
}

/* The 4 int8 values requant4 makes, packed into a word (channel 0 in the low byte), clamped to
 * [lo4, hi4] (each the bound in every byte) when `narrow`. 3 instructions, 4 more to clamp. */
static inline __attribute__((always_inline)) uint32_t pack4(const int32_t v[4], uint32_t lo4,
                                                            uint32_t hi4, const int narrow) {
    uint32_t word = (uint32_t)v[0], t;
    __asm__("bfi %[w], %[v1], #8, #8\n\t"
            "bfi %[w], %[v2], #16, #8\n\t"
            "bfi %[w], %[v3], #24, #8\n\t"
            : [w] "+r"(word)
            : [v1] "r"(v[1]), [v2] "r"(v[2]), [v3] "r"(v[3]));
    if (narrow) { /* SSUB8 sets a GE flag per byte for SEL: max with lo4, then min with hi4 */
        __asm__("ssub8 %[t], %[w], %[lo]\n\t"
                "sel %[w], %[w], %[lo]\n\t"
                "ssub8 %[t], %[w], %[hi]\n\t"
                "sel %[w], %[hi], %[w]\n\t"
                : [w] "+r"(word), [t] "=&r"(t)
                : [lo] "r"(lo4), [hi] "r"(hi4)
                : "cc");
    }
    return word;
}

/* Store the first n of a block's 4 int8 values v at dst, step apart, clamped when `narrow`. */
static inline __attribute__((always_inline)) void store_block(const int32_t v[4],
                                                              const adrt_dsp_range_t *range,
                                                              int8_t *dst, int32_t step, int32_t n,
                                                              const int narrow) {
    const int32_t lo = range->act_min, hi = range->act_max;
    const int32_t v0 = narrow ? ADRT_CLAMP(v[0], lo, hi) : v[0];
    const int32_t v1 = narrow ? ADRT_CLAMP(v[1], lo, hi) : v[1];
    const int32_t v2 = narrow ? ADRT_CLAMP(v[2], lo, hi) : v[2];
    const int32_t v3 = narrow ? ADRT_CLAMP(v[3], lo, hi) : v[3];
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

/* The pixels of one output row for channels c .. c + 3 (n <= 4 of them valid) and filter m;
 * `packed` (depth multiplier 1, 4 channels): the outputs are adjacent and stored as a word. */
static inline __attribute__((always_inline)) void
row_pixels(const adrt_dsp_depthwise_conv2d_params_t *p, const ring_t *ring, int32_t offset,
           int32_t m, int32_t c, int32_t n, int8_t *out, const int fast3x3, const int narrow,
           const int packed) {
    const adrt_dsp_range_t range = {p->act_min, p->act_max};
    const uint32_t lo4 = (uint8_t)p->act_min * 0x01010101u, hi4 = (uint8_t)p->act_max * 0x01010101u;
    const int32_t dm = p->depth_multiplier, step = 2 * p->stride_w, out_c = p->output.c;
    const int32_t ch = m * ((p->input.c + 3) & ~3) + c; /* the block's first packed channel */
    const int32_t *w = p->weights + (ch >> 2) * p->filter_h * p->filter_w * 2;
    const int32_t *ks = p->kernel_sum + ch;
    const int32_t *q = p->requant + ch * ADRT_DSP_REQUANT_WORDS;
    int8_t *dst = out + c * dm + m;
    const int32_t *r0 = ring->row[0] + offset, *r1 = NULL, *r2 = NULL;
    if (fast3x3) {
        r1 = ring->row[1] + offset;
        r2 = ring->row[2] + offset;
    }
    for (int32_t ox = 0; ox < p->output.w; ++ox, dst += out_c) {
        int32_t v[4] = {ks[0], ks[1], ks[2], ks[3]};
        if (fast3x3) {
            taps3x3(r0, r1, r2, w, v);
            r0 += step;
            r1 += step;
            r2 += step;
        } else {
            taps_any(ring->row, offset, p->filter_h, p->filter_w, 2 * p->dilation_w, w, v);
            offset += step;
        }
        requant4(q, v);
        if (packed) {
            adrt_dsp_store4(dst, pack4(v, lo4, hi4, narrow));
        } else {
            store_block(v, &range, dst, dm, n, narrow);
        }
    }
}

/* One output row, channels c .. c + 3, every filter m. */
static inline __attribute__((always_inline)) void
output_row(const adrt_dsp_depthwise_conv2d_params_t *p, const ring_t *ring, int32_t offset,
           int32_t c, int8_t *out, const int fast3x3, const int narrow) {
    const int32_t n = ADRT_MIN(4, p->input.c - c);
    if (p->depth_multiplier == 1 && n == 4) {
        row_pixels(p, ring, offset, 0, c, 4, out, fast3x3, narrow, 1);
        return;
    }
    for (int32_t m = 0; m < p->depth_multiplier; ++m) {
        row_pixels(p, ring, offset, m, c, n, out, fast3x3, narrow, 0);
    }
}

static inline __attribute__((always_inline)) void
depthwise(const adrt_dsp_depthwise_conv2d_params_t *p, const int8_t *input, int8_t *output,
          void *scratch, const int fast3x3, const int narrow) {
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t out_h = p->output.h, out_w = p->output.w, out_c = p->output.c;
    const int32_t padded = (in_c + 3) & ~3, width = p->padded_width;
    ring_t ring;
    ring.rows = (p->filter_h - 1) * p->dilation_h + 1;
    ring.slot_words = 2 * width * (p->block_channels >> 2);
    ring.ring = (int32_t *)scratch;
    ring.row = (const int32_t **)(ring.ring + ring.rows * ring.slot_words);
    const uint32_t zp = (uint16_t)p->input_zero_point;
    const int32_t zz = (int32_t)(zp << 16 | zp);
    for (int32_t n = 0; n < p->input.n; ++n) {
        const int8_t *image = input + (size_t)n * in_h * in_w * in_c;
        int8_t *image_out = output + (size_t)n * out_h * out_w * out_c;
        for (int32_t c0 = 0; c0 < padded; c0 += p->block_channels) {
            const int32_t blocks = ADRT_MIN(p->block_channels, padded - c0) >> 2;
            int32_t loaded = -p->pad_h; /* the first input row not yet in the ring */
            fill(ring.ring, ring.rows * ring.slot_words, zz); /* the padding columns */
            for (int32_t oy = 0; oy < out_h; ++oy) {
                const int32_t iy0 = oy * p->stride_h - p->pad_h;
                for (int32_t iy = ADRT_MAX(loaded, iy0); iy < iy0 + ring.rows; ++iy) {
                    const int32_t slot = (iy + p->pad_h) % ring.rows;
                    load_row(p, image, iy, c0, blocks, zz, ring.ring + slot * ring.slot_words);
                }
                loaded = iy0 + ring.rows;
                for (int32_t ky = 0; ky < p->filter_h; ++ky) {
                    const int32_t slot = (iy0 + ky * p->dilation_h + p->pad_h) % ring.rows;
                    ring.row[ky] = ring.ring + slot * ring.slot_words;
                }
                int8_t *out = image_out + (size_t)oy * out_w * out_c;
                for (int32_t b = 0; b < blocks; ++b) {
                    output_row(p, &ring, 2 * width * b, c0 + 4 * b, out, fast3x3, narrow);
                }
            }
        }
    }
}

void adrt_dsp_depthwise_conv2d_s8(const adrt_dsp_depthwise_conv2d_params_t *p, const int8_t *input,
                                  int8_t *output, void *scratch) {
    const int narrow = p->act_min > -128 || p->act_max < 127;
    if (p->filter_h == 3 && p->filter_w == 3 && p->dilation_w == 1) {
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
