/* Helium depthwise convolution: layouts and arithmetic in adrt/mve/depthwise.h. */
#include <arm_mve.h>

#include "adrt/mve/depthwise.h"
#include "depthwise_requant.h"
#include "mve_requant.h"

/* Forced inlining: window steps, offsets and counts must become constants (immediate load
 * offsets, unrolled groups) in each specialized kernel. */
#define DW_INLINE static inline __attribute__((always_inline))

/* Output rows per band of the planes layout; words of its channel records (two shifted weight
 * vectors and the four requantization words). */
enum { DW_BAND = 8, DW_PLANES_WORDS = 12 };

typedef struct {
    int32_t kernel_sum, multiplier, shift;
} dw_channel_t;

typedef struct {
    uint16x8_t lanes; /* byte offsets of 8 consecutive output pixels */
    int32_t pixel;    /* bytes per output pixel (out_c) */
    int16_t offset;   /* output zero point */
    int16_t act_min, act_max;
} dw_output_t;

/* Accumulators of 8 consecutive outputs: even = outputs 0, 2, 4, 6; odd = 1, 3, 5, 7 (the
 * order in which the bottom/top narrowing puts them back in sequence). */
typedef struct {
    int32x4_t even, odd;
} dw_acc8_t;

/* Lane-pair moves of two results into v (gcc 12 would emit one move per lane): lanes 0 and 2,
 * or 1 and 3 ("vmov q[2], q[0], ra, rb" puts ra in lane 0 and rb in lane 2). */
DW_INLINE int32x4_t dw_lanes02(int32_t a0, int32_t a2) {
    int32x4_t v;
    __asm__("vmov %q0[2], %q0[0], %1, %2" : "=w"(v) : "r"(a0), "r"(a2));
    return v;
}

DW_INLINE int32x4_t dw_lanes13(int32x4_t v, int32_t a1, int32_t a3) {
    __asm__("vmov %q0[3], %q0[1], %1, %2" : "+w"(v) : "r"(a1), "r"(a3));
    return v;
}

/* x, with the compiler forgetting how it was computed: otherwise gcc makes every window address
 * of an unrolled group an induction variable of the channel loop (spilled to the stack) instead
 * of one base register with immediate offsets. */
DW_INLINE const int8_t *dw_opaque(const int8_t *x) {
    __asm__ volatile("" : "+r"(x));
    return x;
}

/* Saturating int32 -> int16 narrowing of 8 accumulators back in sequence. In asm so that no
 * compiler copies a register to narrow into. */
DW_INLINE int16x8_t dw_narrow(int32x4_t even, int32x4_t odd) {
    int16x8_t h;
    __asm__("vqmovnb.s32 %q0, %q1" : "=&w"(h) : "w"(even));
    __asm__("vqmovnt.s32 %q0, %q1" : "+w"(h) : "w"(odd));
    return h;
}

/* The 16 bytes at x + k, k a compile-time constant when imm. gcc 12 gives many constant offsets
 * of an unrolled group their own (spilled) address registers; the asm keeps them at [x, #k]. */
DW_INLINE int8x16_t dw_load(const int8_t *x, int32_t k, int imm) {
#if defined(__clang__)
    (void)imm;
    return vld1q_s8(x + k);
#else
    if (!imm) {
        return vld1q_s8(x + k);
    }
    int8x16_t v;
    __asm__("vldrb.8 %q0, [%1, %2]" : "=w"(v) : "r"(x), "i"(k), "m"(*(const int8x16_t *)(x + k)));
    return v;
#endif
}

/* h saturated to int8, in the low byte of each lane (what a byte scatter of int16 lanes
 * stores); the high bytes are undefined. */
DW_INLINE int16x8_t dw_saturate8(int16x8_t h) {
    int16x8_t b;
    __asm__("vqmovnb.s16 %q0, %q1" : "=&w"(b) : "w"(h));
    return b;
}

/* The window at x + k times its weights: chunks 16-byte vectors, the first two in registers
 * (w0, w1), any further ones read from w + 16 * chunk. */
DW_INLINE int32_t dw_window(const int8_t *x, int32_t k, int32_t chunks, int8x16_t w0, int8x16_t w1,
                            const int8_t *w, int imm) {
    int32_t acc = vmladavq_s8(dw_load(x, k, imm), w0);
    if (chunks > 1) {
        acc = vmladavaq_s8(acc, dw_load(x, k + 16, imm), w1);
    }
    for (int32_t c = 2; c < chunks; ++c) {
        acc = vmladavaq_s8(acc, dw_load(x, k + 16 * c, imm), vld1q_s8(w + 16 * c));
    }
    return acc;
}

/* Two one-chunk windows (xa times wa, xb times wb) summed into lanes 0 and 2 of a new vector
 * (pair 0) or lanes 1 and 3 of v (pair 1). One asm statement, so that no compiler hoists many
 * VMLADAVs ahead of their moves and runs out of general-purpose registers (clang spills). */
DW_INLINE int32x4_t dw_pair(int32x4_t v, int pair, int8x16_t xa, int8x16_t wa, int8x16_t xb,
                            int8x16_t wb) {
    int32_t a, b;
    if (pair == 0) {
        __asm__("vmladav.s8 %1, %q3, %q4\n\t"
                "vmladav.s8 %2, %q5, %q6\n\t"
                "vmov %q0[2], %q0[0], %1, %2"
                : "=w"(v), "=&Te"(a), "=&Te"(b)
                : "w"(xa), "w"(wa), "w"(xb), "w"(wb));
    } else {
        __asm__("vmladav.s8 %1, %q3, %q4\n\t"
                "vmladav.s8 %2, %q5, %q6\n\t"
                "vmov %q0[3], %q0[1], %1, %2"
                : "+w"(v), "=&Te"(a), "=&Te"(b)
                : "w"(xa), "w"(wa), "w"(xb), "w"(wb));
    }
    return v;
}

/* Eight windows (imm: at[] are compile-time constants). Window i is the load at x + at[i] (and
 * the following chunks) times weight block sel[i]: in registers the first chunk of block b is
 * wv[b] for one-chunk windows, wv[2b] and wv[2b + 1] the first two chunks of longer ones, and
 * chunks from the third on are read from w + (b * chunks + chunk) * 16. Windows sharing a load
 * use blocks whose weights are shifted by their distance. Each pair of results goes into its
 * lanes at once (few live registers). */
DW_INLINE dw_acc8_t dw_dot8(const int8_t *x, const int32_t at[8], const int32_t sel[8],
                            int32_t chunks, const int8x16_t wv[4], const int8_t *w, int imm) {
    dw_acc8_t a;
    if (chunks == 1) {
#define DW_PAIR(v, pair, i, j)                                                                     \
    dw_pair(v, pair, dw_load(x, at[i], imm), wv[sel[i]], dw_load(x, at[j], imm), wv[sel[j]])
        a.even = DW_PAIR(a.even, 0, 0, 4);
        a.even = DW_PAIR(a.even, 1, 2, 6);
        a.odd = DW_PAIR(a.odd, 0, 1, 5);
        a.odd = DW_PAIR(a.odd, 1, 3, 7);
#undef DW_PAIR
        return a;
    }
#define DW_WINDOW(i)                                                                               \
    dw_window(x, at[i], chunks, wv[2 * sel[i]], wv[2 * sel[i] + 1], w + sel[i] * chunks * 16, imm)
    a.even = dw_lanes02(DW_WINDOW(0), DW_WINDOW(4));
    a.even = dw_lanes13(a.even, DW_WINDOW(2), DW_WINDOW(6));
    a.odd = dw_lanes02(DW_WINDOW(1), DW_WINDOW(5));
    a.odd = dw_lanes13(a.odd, DW_WINDOW(3), DW_WINDOW(7));
#undef DW_WINDOW
    return a;
}

/* Requantizes 8 accumulators of channel q and stores them at out + o->lanes: all of them, or
 * (all = 0) the lanes of pred. fast: shift < 0 and activation range [-128, 127] (the saturating
 * narrowing is the clamp); else any shift and range. */
DW_INLINE void dw_store8(dw_acc8_t a, dw_channel_t q, const dw_output_t *o, int8_t *out, int all,
                         mve_pred16_t pred, int fast) {
    const int32x4_t ke = vaddq_n_s32(a.even, q.kernel_sum), ko = vaddq_n_s32(a.odd, q.kernel_sum);
    const int32x4_t e = fast ? adrt_mve_requant_right(ke, q.multiplier, q.shift)
                             : adrt_mve_requant_n(ke, q.multiplier, q.shift);
    const int32x4_t d = fast ? adrt_mve_requant_right(ko, q.multiplier, q.shift)
                             : adrt_mve_requant_n(ko, q.multiplier, q.shift);
    /* Saturating to int16 first keeps the clamp's result: |offset| <= 128. */
    int16x8_t h = vqaddq_n_s16(dw_narrow(e, d), o->offset);
    if (fast) {
        h = dw_saturate8(h);
    } else {
        h = vminq_s16(vmaxq_s16(h, vdupq_n_s16(o->act_min)), vdupq_n_s16(o->act_max));
    }
    if (all) {
        vstrbq_scatter_offset_s16(out, o->lanes, h);
    } else {
        vstrbq_scatter_offset_p_s16(out, o->lanes, h, pred);
    }
}

/* The requantization of a channel: the four words after its weights in its record. */
DW_INLINE dw_channel_t dw_channel(const int32_t *tail) {
    dw_channel_t q = {tail[0], tail[1], tail[2]};
    return q;
}

/* Output constants; group lanes are `rows` output rows of 8 / rows consecutive pixels. */
DW_INLINE dw_output_t dw_output(const adrt_mve_depthwise_params_t *p, int32_t rows) {
    dw_output_t o;
    const uint16x8_t i = vidupq_n_u16(0, 1);
    const uint16x8_t row = vshrq_n_u16(i, 2), col = vandq_u16(i, vdupq_n_u16(3));
    const uint16x8_t pixel = rows == 1 ? i : vmlaq_n_u16(col, row, (uint16_t)p->output.w);
    o.pixel = p->output.c;
    o.lanes = vmulq_n_u16(pixel, (uint16_t)o.pixel);
    o.offset = (int16_t)p->output_offset;
    o.act_min = (int16_t)p->act_min;
    o.act_max = (int16_t)p->act_max;
    return o;
}

/* Lanes (16-bit, two predicate bits each) of the first n < 8 / rows columns of each of the
 * first `valid` of `rows` rows in a group. */
DW_INLINE mve_pred16_t dw_group_pred(int32_t n, int32_t rows, int32_t valid) {
    const uint32_t row = (1u << (2 * n)) - 1u;
    return (mve_pred16_t)(rows == 1 || valid == 1 ? row : row | row << 8);
}

/* The weight vectors a line keeps in registers: blocks of one-chunk windows, or the first two
 * chunks of the first two blocks of longer ones. */
DW_INLINE void dw_weights(int8x16_t wv[4], const int8_t *w, int32_t chunks, int32_t blocks) {
    const int32_t n = chunks == 1 ? blocks : 2 * ADRT_MIN(blocks, 2);
    wv[0] = vld1q_s8(w);
    wv[1] = n > 1 ? vld1q_s8(w + 16) : wv[0];
    wv[2] = n > 2 ? vld1q_s8(w + 16 * (chunks == 1 ? 2 : chunks)) : wv[0];
    wv[3] = n > 3 ? vld1q_s8(w + 16 * (chunks == 1 ? 3 : chunks + 1)) : wv[0];
}

/* The groups of a pass of the rows layout (the same for every channel). */
typedef struct {
    int32_t groups;          /* groups of 8 / rows columns */
    int32_t tail;            /* columns left after them */
    int all;                 /* every row of the pass is wanted */
    mve_pred16_t group_pred; /* lanes of a group */
    mve_pred16_t tail_pred;  /* lanes of the tail */
} dw_pass_t;

DW_INLINE dw_pass_t dw_pass(int32_t out_w, int32_t rows, int32_t valid) {
    const int32_t cols = 8 / rows;
    dw_pass_t ps;
    ps.groups = out_w / cols;
    ps.tail = out_w % cols;
    ps.all = valid == rows;
    ps.group_pred = dw_group_pred(cols, rows, valid);
    ps.tail_pred = dw_group_pred(ps.tail, rows, valid);
    return ps;
}

/* One channel's outputs of a pass of the rows layout: `rows` output rows of ps->groups groups
 * and a tail. Output (row j, pixel i)'s window starts at x + i * step, times weight block
 * j * shifts + i % shifts (pixels i and i + 1 .. of one group share a load). */
DW_INLINE void dw_line(const int8_t *x, int32_t step, int32_t chunks, int32_t shifts, int32_t rows,
                       const int8_t *w, const dw_pass_t *ps, dw_channel_t q, const dw_output_t *o,
                       int8_t *out, int fast, int imm) {
    const int32_t cols = 8 / rows;
    int8x16_t wv[4];
    dw_weights(wv, w, chunks, rows * shifts);
    int32_t at[8], sel[8];
#pragma GCC unroll 8
    for (int32_t i = 0; i < 8; ++i) {
        const int32_t shift = i % cols % shifts;
        sel[i] = i / cols * shifts + shift;
        at[i] = (i % cols - shift) * step;
    }
    x = dw_opaque(x);
    if (fast && ps->all) {
        for (int32_t g = ps->groups; g > 0; --g) {
            dw_store8(dw_dot8(x, at, sel, chunks, wv, w, imm), q, o, out, 1, 0, 1);
            x += cols * step;
            out += cols * o->pixel;
        }
    } else {
        for (int32_t g = ps->groups; g > 0; --g) {
            dw_store8(dw_dot8(x, at, sel, chunks, wv, w, imm), q, o, out, 0, ps->group_pred, fast);
            x += cols * step;
            out += cols * o->pixel;
        }
    }
    if (ps->tail > 0) {
        dw_store8(dw_dot8(x, at, sel, chunks, wv, w, imm), q, o, out, 0, ps->tail_pred, fast);
    }
}

/* Fills n bytes with v. */
static void dw_fill(int8_t *dst, int32_t n, int8_t v) {
    const int8x16_t fill = vdupq_n_s8(v);
    for (int32_t i = 0; i < n; i += 16) {
        vstrbq_p_s8(dst + i, fill, vctp8q(n - i));
    }
}

/* Stages rows x width input pixels channel-major: channel c of pixel x of row r (at
 * src + r * src_row + x * in_c + c) goes to dst[r * dst_row + x * dst_step + c * pitch], for
 * channels [0, nc). */
DW_INLINE void dw_stage(int8_t *dst, int32_t dst_row, int32_t dst_step, int32_t pitch,
                        const int8_t *src, int32_t src_row, int32_t in_c, int32_t rows,
                        int32_t width, int32_t nc) {
    const uint16x8_t lo = vmulq_n_u16(vidupq_n_u16(0, 1), (uint16_t)pitch);
    const uint16x8_t hi = vaddq_n_u16(lo, (uint16_t)(8 * pitch));
    int32_t c = 0;
    for (; c + 16 <= nc; c += 16) {
        for (int32_t r = 0; r < rows; ++r) {
            const int8_t *s = src + r * src_row + c;
            int8_t *d = dst + r * dst_row + c * pitch;
            for (int32_t x = 0; x < width; ++x, s += in_c, d += dst_step) {
                const int16x8_t v0 = vldrbq_s16(s), v1 = vldrbq_s16(s + 8);
                vstrbq_scatter_offset_s16(d, lo, v0);
                vstrbq_scatter_offset_s16(d, hi, v1);
            }
        }
    }
    for (; c + 8 <= nc; c += 8) {
        for (int32_t r = 0; r < rows; ++r) {
            const int8_t *s = src + r * src_row + c;
            int8_t *d = dst + r * dst_row + c * pitch;
            for (int32_t x = 0; x < width; ++x, s += in_c, d += dst_step) {
                vstrbq_scatter_offset_s16(d, lo, vldrbq_s16(s));
            }
        }
    }
    if (c < nc) {
        const mve_pred16_t pred = vctp16q(nc - c);
        for (int32_t r = 0; r < rows; ++r) {
            const int8_t *s = src + r * src_row + c;
            int8_t *d = dst + r * dst_row + c * pitch;
            for (int32_t x = 0; x < width; ++x, s += in_c, d += dst_step) {
                vstrbq_scatter_offset_p_s16(d, lo, vldrbq_z_s16(s, pred), pred);
            }
        }
    }
}

/* dw_stage writing the zero point (padding rows). */
static void dw_stage_fill(int8_t *dst, int32_t dst_row, int32_t dst_step, int32_t pitch,
                          int32_t rows, int32_t width, int32_t nc, int8_t zp) {
    const uint16x8_t lanes = vmulq_n_u16(vidupq_n_u16(0, 1), (uint16_t)pitch);
    const int16x8_t fill = vdupq_n_s16(zp);
    for (int32_t r = 0; r < rows; ++r) {
        for (int32_t x = 0; x < width; ++x) {
            int8_t *d = dst + r * dst_row + x * dst_step;
            for (int32_t c = 0; c < nc; c += 8, d += 8 * pitch) {
                vstrbq_scatter_offset_p_s16(d, lanes, fill, vctp16q(nc - c));
            }
        }
    }
}

/* Stages input rows [iy, iy + rows) of batch image in_b, channels [c0, c0 + nc), columns
 * [0, width): the zero point for rows outside the image. */
DW_INLINE void dw_stage_rows(const adrt_mve_depthwise_params_t *p, const int8_t *in_b, int32_t iy,
                             int32_t rows, int8_t *dst, int32_t dst_row, int32_t dst_step,
                             int32_t width, int32_t c0, int32_t nc) {
    const int32_t row_bytes = p->input.w * p->input.c, pitch = p->channel_pitch;
    const int32_t above = ADRT_MAX(0, ADRT_MIN(rows, -iy));
    const int32_t inside = ADRT_MAX(0, ADRT_MIN(rows, p->input.h - iy) - above);
    const int8_t zp = (int8_t)p->input_zero_point;
    if (above > 0) {
        dw_stage_fill(dst, dst_row, dst_step, pitch, above, width, nc, zp);
    }
    if (inside > 0) {
        const int8_t *src = in_b + (size_t)(iy + above) * row_bytes + c0;
        dw_stage(dst + above * dst_row, dst_row, dst_step, pitch, src, row_bytes, p->input.c,
                 inside, width, nc);
    }
    if (above + inside < rows) {
        dw_stage_fill(dst + (above + inside) * dst_row, dst_row, dst_step, pitch,
                      rows - above - inside, width, nc, zp);
    }
}

static int32_t dw_mod(int32_t a, int32_t m) {
    const int32_t r = a % m;
    return r < 0 ? r + m : r;
}

/* Rows layout (see the header) with compile-time values when imm (the kernel's name promises
 * them): step = stride_w * ring_rows bytes between neighbouring windows, chunks =
 * window_chunks, shifts = weight_shifts, rows = pass_rows. */
DW_INLINE void dw_rows(const adrt_mve_depthwise_params_t *p, const int8_t *input, int8_t *output,
                       void *scratch, int32_t step, int32_t chunks, int32_t shifts, int32_t rows,
                       int imm) {
    int8_t *s = (int8_t *)scratch;
    const int32_t ring = p->ring_rows, dm = p->depth_multiplier, pitch = p->channel_pitch;
    const int32_t out_h = p->output.h, out_w = p->output.w, out_c = p->output.c;
    const int32_t rolling = p->dilation_h == 1;
    /* Padded columns the windows read (column j is input column j - pad_w), of which the
     * input's columns [0, n_px) are staged; the padding columns keep the zero point. */
    const int32_t cols = (out_w - 1) * p->stride_w + (p->kernel_w - 1) * p->dilation_w + 1;
    const int32_t n_px = ADRT_MIN(p->input.w, cols - p->pad_w);
    const int32_t blocks = rows * shifts * chunks * 16, words = p->record_words;
    const dw_output_t o = dw_output(p, rows);
    const int full_range = o.act_min == -128 && o.act_max == 127;

    dw_fill(s, p->channel_block * pitch, (int8_t)p->input_zero_point);
    for (int32_t b = 0; b < p->input.n; ++b) {
        const int8_t *in_b = input + (size_t)b * p->input.h * p->input.w * p->input.c;
        int8_t *out_b = output + (size_t)b * out_h * out_w * out_c;
        for (int32_t c0 = 0; c0 < p->input.c; c0 += p->channel_block) {
            const int32_t nc = ADRT_MIN(p->channel_block, p->input.c - c0);
            int32_t staged_to = INT32_MIN; /* rolling: rows below this one are in the ring */
            for (int32_t oy = 0, pass = 0; oy < out_h; oy += rows, ++pass) {
                const int32_t iy0 = oy * p->stride_h - p->pad_h;
                if (rolling) {
                    /* Input row iy in ring slot iy % ring; the weights follow the rotation. */
                    for (int32_t iy = ADRT_MAX(staged_to, iy0); iy < iy0 + ring; ++iy) {
                        int8_t *dst = s + dw_mod(iy, ring) + p->pad_w * ring;
                        dw_stage_rows(p, in_b, iy, 1, dst, 0, ring, n_px, c0, nc);
                    }
                    staged_to = iy0 + ring;
                } else {
                    for (int32_t k = 0; k < ring; ++k) {
                        int8_t *dst = s + k + p->pad_w * ring;
                        dw_stage_rows(p, in_b, iy0 + k * p->dilation_h, 1, dst, 0, ring, n_px, c0,
                                      nc);
                    }
                }
                const dw_pass_t ps = dw_pass(out_w, rows, ADRT_MIN(rows, out_h - oy));
                const int32_t rot = pass % p->rotations;
                const int32_t *rec = p->records + c0 * dm * words;
                int8_t *out = out_b + (size_t)oy * out_w * out_c + c0 * dm;
                for (int32_t k = 0; k < nc * dm; ++k, rec += words, ++out) {
                    const int32_t *tail = rec + words - 4;
                    const dw_channel_t q = dw_channel(tail);
                    const int8_t *x = s + tail[3], *w = (const int8_t *)rec + rot * blocks;
                    if (q.shift < 0 && full_range) {
                        dw_line(x, step, chunks, shifts, rows, w, &ps, q, &o, out, 1, imm);
                    } else {
                        dw_line(x, step, chunks, shifts, rows, w, &ps, q, &o, out, 0, imm);
                    }
                }
            }
        }
    }
}

void adrt_mve_depthwise_s8(const adrt_mve_depthwise_params_t *p, const int8_t *input,
                           int8_t *output, void *scratch) {
    dw_rows(p, input, output, scratch, p->stride_w * p->ring_rows, p->window_chunks, 1, 1, 0);
}

void adrt_mve_depthwise_k1s1_s8(const adrt_mve_depthwise_params_t *p, const int8_t *input,
                                int8_t *output, void *scratch) {
    dw_rows(p, input, output, scratch, 1, 1, 4, 1, 1);
}

void adrt_mve_depthwise_k3s1_s8(const adrt_mve_depthwise_params_t *p, const int8_t *input,
                                int8_t *output, void *scratch) {
    dw_rows(p, input, output, scratch, 4, 1, 2, 2, 1);
}

void adrt_mve_depthwise_k3s2_s8(const adrt_mve_depthwise_params_t *p, const int8_t *input,
                                int8_t *output, void *scratch) {
    dw_rows(p, input, output, scratch, 10, 1, 1, 2, 1);
}

void adrt_mve_depthwise_k5s1_s8(const adrt_mve_depthwise_params_t *p, const int8_t *input,
                                int8_t *output, void *scratch) {
    dw_rows(p, input, output, scratch, 6, 2, 1, 2, 1);
}

void adrt_mve_depthwise_k5s2_s8(const adrt_mve_depthwise_params_t *p, const int8_t *input,
                                int8_t *output, void *scratch) {
    dw_rows(p, input, output, scratch, 10, 2, 1, 1, 1);
}

/* Bytes per plane row: the row, then the padding column that is also the next row's left one;
 * width 1 keeps both padding columns (a window's taps must be distinct bytes). */
DW_INLINE int32_t dw_plane_pitch(int32_t width) {
    return width > 1 ? width + 1 : 3;
}

/* One band of the planes layout for one output channel: n outputs (whole rows of `width`),
 * output p's window at x + (p / width) * pitch + p % width (dw_plane_pitch). Outputs in columns
 * 2j and 2j + 1 share a load (weights wv[1] are wv[0] shifted by one byte). */
DW_INLINE void dw_band(const int8_t *x, const int8_t *w, int32_t width, int32_t n, dw_channel_t q,
                       const dw_output_t *o, int8_t *out, int fast) {
    int8x16_t wv[4];
    dw_weights(wv, w, 1, 2);
    out = (int8_t *)dw_opaque(out);
#pragma GCC unroll 5
    for (int32_t g = 0; g < width; ++g) {
        if (8 * g >= n) {
            break;
        }
        /* Offsets from the group's first load (a base of its own: gcc would otherwise keep
         * every address of the band in a register of its own). */
        int32_t at[8], sel[8], first = 0;
#pragma GCC unroll 8
        for (int32_t i = 0; i < 8; ++i) {
            const int32_t p = 8 * g + i;
            sel[i] = p % width % 2;
            at[i] = (p - sel[i]) / width * dw_plane_pitch(width) + (p - sel[i]) % width;
            first = i == 0 ? at[0] : first;
            at[i] -= first;
        }
        const int32_t left = n - 8 * g;
        dw_store8(dw_dot8(dw_opaque(x + first), at, sel, 1, wv, w, 1), q, o, out, left >= 8,
                  vctp16q(left), fast);
        out += 8 * o->pixel;
    }
}

/* Planes layout (see the header) for output width `width` (a constant after inlining). */
DW_INLINE void dw_planes(const adrt_mve_depthwise_params_t *p, const int8_t *input, int8_t *output,
                         void *scratch, int32_t width) {
    int8_t *s = (int8_t *)scratch;
    const int32_t dm = p->depth_multiplier, pitch = p->channel_pitch;
    const int32_t out_h = p->output.h, out_c = p->output.c, plane_w = dw_plane_pitch(width);
    const dw_output_t o = dw_output(p, 1);
    const int full_range = o.act_min == -128 && o.act_max == 127;

    dw_fill(s, p->channel_block * pitch, (int8_t)p->input_zero_point);
    for (int32_t b = 0; b < p->input.n; ++b) {
        const int8_t *in_b = input + (size_t)b * p->input.h * width * p->input.c;
        int8_t *out_b = output + (size_t)b * out_h * width * out_c;
        for (int32_t c0 = 0; c0 < p->input.c; c0 += p->channel_block) {
            const int32_t nc = ADRT_MIN(p->channel_block, p->input.c - c0);
            for (int32_t oy0 = 0; oy0 < out_h; oy0 += DW_BAND) {
                const int32_t rows = ADRT_MIN(DW_BAND, out_h - oy0), n = rows * width;
                /* Plane row r is input row oy0 - 1 + r; its column 0 is the left padding. */
                dw_stage_rows(p, in_b, oy0 - 1, rows + 2, s + 1, plane_w, 1, width, c0, nc);
                const int32_t *rec = p->records + c0 * dm * DW_PLANES_WORDS;
                int8_t *out = out_b + (size_t)oy0 * width * out_c + c0 * dm;
                for (int32_t k = 0; k < nc * dm; ++k, rec += DW_PLANES_WORDS, ++out) {
                    const int32_t *tail = rec + DW_PLANES_WORDS - 4;
                    const dw_channel_t q = dw_channel(tail);
                    const int8_t *x = s + tail[3], *w = (const int8_t *)rec;
                    if (!(full_range && q.shift < 0)) {
                        dw_band(x, w, width, n, q, &o, out, 0);
                    } else if (rows == DW_BAND) {
                        dw_band(x, w, width, DW_BAND * width, q, &o, out, 1);
                    } else {
                        dw_band(x, w, width, n, q, &o, out, 1);
                    }
                }
            }
        }
    }
}

#define DW_PLANES_KERNEL(W)                                                                        \
    void adrt_mve_depthwise_3x3s1_w##W##_s8(const adrt_mve_depthwise_params_t *p,                  \
                                            const int8_t *input, int8_t *output, void *scratch) {  \
        dw_planes(p, input, output, scratch, W);                                                   \
    }

DW_PLANES_KERNEL(1)
DW_PLANES_KERNEL(2)
DW_PLANES_KERNEL(3)
DW_PLANES_KERNEL(4)
DW_PLANES_KERNEL(5)
