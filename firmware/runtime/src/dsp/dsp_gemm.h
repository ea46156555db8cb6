/* The matrix product under the DSP convolution and fully connected kernels: int16 columns (one
 * per output pixel or batch row) times int8 weights, two columns by two output channels per
 * block, requantized to int8. Private to src/dsp/.
 *
 * Columns: depth values widened into int16 pairs in the SXTB16 order of dsp_arith.h, the depth
 * rounded up to a multiple of 4 (the extra values meet zero weights). Two columns interleave
 * pair by pair (stride 4 words) so one pointer walks both.
 * Weights (packed at build time, codegen/variants/dsp/_gemm.py): output channels in pairs (an
 * odd count gets a zero channel), and per pair, for each group of 4 depth values, one word of
 * the first channel's 4 int8 weights then one word of the second's: a pair's block is read
 * front to back with one LDRD per group.
 * The inner loops are inline assembly so that both compilers run the same instructions.
 */
#ifndef ADRT_DSP_GEMM_H
#define ADRT_DSP_GEMM_H

#include "dsp_arith.h"

typedef struct {
    int32_t out_c;
    int32_t groups;            /* depth / 4, rounded up */
    const uint32_t *weights;   /* [out_c rounded up to even][groups] words, pairs interleaved */
    const int32_t *kernel_sum; /* [out_c rounded up to even] */
    /* ADRT_DSP_REQUANT_WORDS words per channel, output zero point included: dsp_arith.h's
     * records, or adrt_dsp_requant_single's */
    const int32_t *requant;
    adrt_dsp_range_t range;
} adrt_dsp_gemm_t;

/* How a GEMM requantizes (a constant at every call). */
enum {
    ADRT_DSP_DOUBLE_ROUNDING,      /* convolutions: dsp_arith.h records */
    ADRT_DSP_SINGLE_ROUNDING,      /* fully connected: adrt_dsp_requant_single */
    ADRT_DSP_SINGLE_ROUNDING_HIGH, /* ... every shift at least 32: a shift of the high word */
};

/* TFLite's single-rounding MultiplyByQuantizedMultiplier (adrt/requant.h) plus the output zero
 * point z: (acc * m + k) >> shift with k = 2^(shift-1) + z * 2^shift, the 64-bit record
 * [m, shift, k low, k high] checked at build time to stay within int64; `high` (all shifts
 * >= 32): the record holds shift - 32 and the high word is shifted. */
static inline int32_t adrt_dsp_requant_single(int32_t acc, const int32_t *q, const int high) {
    const int64_t k = (int64_t)((uint64_t)(uint32_t)q[3] << 32 | (uint32_t)q[2]);
    const int64_t x = (int64_t)acc * q[0] + k;
    return high ? (int32_t)(x >> 32) >> q[1] : (int32_t)(x >> q[1]);
}

/* Channel ch's accumulator requantized, offset and clamped. */
static inline __attribute__((always_inline)) int32_t adrt_dsp_gemm_out(const adrt_dsp_gemm_t *g,
                                                                       int32_t acc, int32_t ch,
                                                                       const int rounding,
                                                                       const int narrow) {
    const int32_t *q = g->requant + ADRT_DSP_REQUANT_WORDS * ch;
    if (rounding == ADRT_DSP_DOUBLE_ROUNDING) {
        return adrt_dsp_output(acc, q, &g->range, narrow);
    }
    const int32_t v =
        __ssat(adrt_dsp_requant_single(acc, q, rounding == ADRT_DSP_SINGLE_ROUNDING_HIGH), 8);
    return narrow ? ADRT_CLAMP(v, g->range.act_min, g->range.act_max) : v;
}

/* A dot product over `groups` groups of the asm `group`: an odd first group, then two at a time
 * (a do-while: clang counts a for loop down with three instructions). */
#define ADRT_DSP_DOT_GROUPS(group, operands)                                                       \
    do {                                                                                           \
        if (groups & 1) {                                                                          \
            __asm__(group:operands : : "memory");                                                  \
        }                                                                                          \
        int32_t pairs = groups >> 1;                                                               \
        if (pairs > 0) {                                                                           \
            do {                                                                                   \
                __asm__(group group:operands : : "memory");                                        \
            } while (--pairs != 0);                                                                \
        }                                                                                          \
    } while (0)

/* One group of 4 depth values, two columns, a channel pair: 15 instructions for 16 MACs. */
#define ADRT_DSP_GROUP_2X2                                                                         \
    "ldrd %[w0], %[w1], [%[w]], #8\n\t"                                                            \
    "ldrd %[xe], %[xo], [%[x]], #8\n\t"                                                            \
    "sxtb16 %[we], %[w0]\n\t"                                                                      \
    "sxtb16 %[w0], %[w0], ror #8\n\t"                                                              \
    "smlad %[a0], %[xe], %[we], %[a0]\n\t"                                                         \
    "smlad %[a0], %[xo], %[w0], %[a0]\n\t"                                                         \
    "sxtb16 %[ve], %[w1]\n\t"                                                                      \
    "sxtb16 %[w1], %[w1], ror #8\n\t"                                                              \
    "smlad %[a1], %[xe], %[ve], %[a1]\n\t"                                                         \
    "smlad %[a1], %[xo], %[w1], %[a1]\n\t"                                                         \
    "ldrd %[xe], %[xo], [%[x]], #8\n\t"                                                            \
    "smlad %[b0], %[xe], %[we], %[b0]\n\t"                                                         \
    "smlad %[b0], %[xo], %[w0], %[b0]\n\t"                                                         \
    "smlad %[b1], %[xe], %[ve], %[b1]\n\t"                                                         \
    "smlad %[b1], %[xo], %[w1], %[b1]\n\t"

#define ADRT_DSP_OPERANDS_2X2                                                                      \
    [a0] "+r"(acc[0]), [a1] "+r"(acc[1]), [b0] "+r"(acc[2]), [b1] "+r"(acc[3]), [w] "+r"(*w),      \
        [x] "+r"(x), [w0] "=&r"(w0), [w1] "=&r"(w1), [we] "=&r"(we), [ve] "=&r"(ve),               \
        [xe] "=&r"(xe), [xo] "=&r"(xo)

/* acc {a0, a1, b0, b1} += two interleaved columns at x (groups >= 1) dotted with the channel
 * pair at *w, which advances past it. */
static inline __attribute__((always_inline)) void
adrt_dsp_dot_2x2(const uint32_t **w, const int32_t *x, int32_t groups, int32_t acc[4]) {
    uint32_t w0, w1;
    int32_t we, ve, xe, xo;
    ADRT_DSP_DOT_GROUPS(ADRT_DSP_GROUP_2X2, ADRT_DSP_OPERANDS_2X2);
}

/* One group of 4 depth values, one column, a channel pair: 10 instructions for 8 MACs. */
#define ADRT_DSP_GROUP_1X2                                                                         \
    "ldrd %[w0], %[w1], [%[w]], #8\n\t"                                                            \
    "ldrd %[xe], %[xo], [%[x]], #8\n\t"                                                            \
    "sxtb16 %[we], %[w0]\n\t"                                                                      \
    "sxtb16 %[w0], %[w0], ror #8\n\t"                                                              \
    "smlad %[a0], %[xe], %[we], %[a0]\n\t"                                                         \
    "smlad %[a0], %[xo], %[w0], %[a0]\n\t"                                                         \
    "sxtb16 %[we], %[w1]\n\t"                                                                      \
    "sxtb16 %[w1], %[w1], ror #8\n\t"                                                              \
    "smlad %[a1], %[xe], %[we], %[a1]\n\t"                                                         \
    "smlad %[a1], %[xo], %[w1], %[a1]\n\t"

#define ADRT_DSP_OPERANDS_1X2                                                                      \
    [a0] "+r"(acc[0]), [a1] "+r"(acc[1]), [w] "+r"(*w), [x] "+r"(x), [w0] "=&r"(w0),               \
        [w1] "=&r"(w1), [we] "=&r"(we), [xe] "=&r"(xe), [xo] "=&r"(xo)

/* acc {a0, a1} += one column at x (groups >= 1, stride 2) dotted with the channel pair at *w. */
static inline __attribute__((always_inline)) void
adrt_dsp_dot_1x2(const uint32_t **w, const int32_t *x, int32_t groups, int32_t acc[2]) {
    uint32_t w0, w1;
    int32_t we, xe, xo;
    ADRT_DSP_DOT_GROUPS(ADRT_DSP_GROUP_1X2, ADRT_DSP_OPERANDS_1X2);
}

/* Every output channel of two interleaved columns into out_a and out_b. */
static inline __attribute__((always_inline)) void
adrt_dsp_gemm_pair(const adrt_dsp_gemm_t *g, const int32_t *cols, int8_t *out_a, int8_t *out_b,
                   const int rounding, const int narrow) {
    const uint32_t *w = g->weights;
    const int32_t out_c = g->out_c;
    for (int32_t ch = 0; ch < out_c; ch += 2) {
        int32_t acc[4];
        acc[0] = acc[2] = g->kernel_sum[ch];
        acc[1] = acc[3] = g->kernel_sum[ch + 1];
        adrt_dsp_dot_2x2(&w, cols, g->groups, acc);
        /* All values before any store: an int8 store may alias every other object. */
        const int32_t va0 = adrt_dsp_gemm_out(g, acc[0], ch, rounding, narrow);
        const int32_t vb0 = adrt_dsp_gemm_out(g, acc[2], ch, rounding, narrow);
        const int32_t va1 = adrt_dsp_gemm_out(g, acc[1], ch + 1, rounding, narrow);
        const int32_t vb1 = adrt_dsp_gemm_out(g, acc[3], ch + 1, rounding, narrow);
        out_a[ch] = (int8_t)va0;
        out_b[ch] = (int8_t)vb0;
        if (ch + 1 < out_c) {
            out_a[ch + 1] = (int8_t)va1;
            out_b[ch + 1] = (int8_t)vb1;
        }
    }
}

/* Every output channel of one column (stride 2) into out. */
static inline __attribute__((always_inline)) void
adrt_dsp_gemm_single(const adrt_dsp_gemm_t *g, const int32_t *col, int8_t *out, const int rounding,
                     const int narrow) {
    const uint32_t *w = g->weights;
    const int32_t out_c = g->out_c;
    for (int32_t ch = 0; ch < out_c; ch += 2) {
        int32_t acc[2] = {g->kernel_sum[ch], g->kernel_sum[ch + 1]};
        adrt_dsp_dot_1x2(&w, col, g->groups, acc);
        const int32_t v0 = adrt_dsp_gemm_out(g, acc[0], ch, rounding, narrow);
        const int32_t v1 = adrt_dsp_gemm_out(g, acc[1], ch + 1, rounding, narrow);
        out[ch] = (int8_t)v0;
        if (ch + 1 < out_c) {
            out[ch + 1] = (int8_t)v1;
        }
    }
}

/* `rows` rows of depth int8 values at x (one after another) times the weights into `rows` rows
 * of out_c outputs: two rows at a time, widened into `cols` (16 bytes per group). */
static inline __attribute__((always_inline)) void
adrt_dsp_gemm_rows(const adrt_dsp_gemm_t *g, const int8_t *x, int32_t rows, int32_t depth,
                   int8_t *out, int32_t *cols, const int rounding, const int narrow) {
    const int32_t out_c = g->out_c;
    int32_t r = 0;
    for (; r + 2 <= rows; r += 2, x += 2 * depth, out += 2 * out_c) {
        adrt_dsp_widen(x, depth, cols, 4);
        adrt_dsp_widen(x + depth, depth, cols + 2, 4);
        adrt_dsp_gemm_pair(g, cols, out, out + out_c, rounding, narrow);
    }
    if (r < rows) {
        adrt_dsp_widen(x, depth, cols, 2);
        adrt_dsp_gemm_single(g, cols, out, rounding, narrow);
    }
}

#endif /* ADRT_DSP_GEMM_H */
