/* Helium ADD, SUB, MUL, MINIMUM and MAXIMUM with broadcasting: the portable kernels' arithmetic
 * (../elementwise.c), lane for lane.
 *
 * Rows: the broadcast iteration is walked row by row as in the portable kernel; in a row each
 * input advances by 1 or is one value repeated (stride 0). A repeated value is scaled once and
 * kept in a vector. MUL rows that repeat one input's row ([1,H,W,C] x [1,1,1,C], the
 * squeeze-excite gating) run in column blocks of 8 channels down all rows, that input's block
 * loaded once. Row tails (1..7, 1..3 or 1..15 elements) use predicated loads and stores:
 * nothing outside the tensors is read or written.
 *
 * MUL: 8 elements per step. Offset inputs fit int16 ([-255, 255]), VMULLB/VMULLT give the
 * even and odd lanes' int32 products, each requantized, narrowed back into one int16 vector in
 * element order with saturation, then output offset and clamp in 16 bits: saturation is
 * monotone and the clamp range lies inside int8, so this equals the reference's clamp of the
 * int32 value.
 *
 * ADD/SUB: 4 elements per step in 32-bit lanes. TFLite rescales each input as
 * RDBPOT(SRDHM((v + offset) << left_shift, m), -shift); one VMLAS computes
 * v * 2^left_shift + offset * 2^left_shift and requant_right() the rest, except for the input
 * whose multiplier is exactly 1/2 (see add_q_t): one VMLAS gives its exact value.
 *
 * MINIMUM/MAXIMUM: 16 elements per VMIN/VMAX on the raw values.
 */
#include "adrt/mve/elementwise.h"

#include <arm_mve.h>
#include <string.h>

#include "mve_requant.h"

#define MVE_INLINE static inline __attribute__((always_inline))

/* ---- broadcast rows ----------------------------------------------------------------------- */

/* The rows of the iteration: dims[0..3] are walked by an outer cursor, dims[4] and the row
 * dims[5] by each_row()'s loops (see the end of this file). */
enum { INNER = ADRT_BCAST_MAX_DIMS - 2, ROW = ADRT_BCAST_MAX_DIMS - 1 };

typedef struct {
    int32_t idx[INNER];
    int32_t off1, off2; /* element offsets of the current outer position in input 1 and 2 */
} outer_cursor_t;

/* Moves to the next outer position; 0 after the last one. */
static int outer_next(const adrt_bcast_t *bc, outer_cursor_t *c) {
    for (int k = INNER - 1; k >= 0; --k) {
        c->off1 += bc->stride1[k];
        c->off2 += bc->stride2[k];
        if (++c->idx[k] < bc->dims[k]) {
            return 1;
        }
        c->idx[k] = 0;
        c->off1 -= bc->stride1[k] * bc->dims[k];
        c->off2 -= bc->stride2[k] * bc->dims[k];
    }
    return 0;
}

/* 0 when the iteration is empty. */
static int has_rows(const adrt_bcast_t *bc) {
    for (int k = 0; k < ADRT_BCAST_MAX_DIMS; ++k) {
        if (bc->dims[k] <= 0) {
            return 0;
        }
    }
    return 1;
}

/* ---- requantization ----------------------------------------------------------------------- */

/* adrt_mve_requant_n(acc, multiplier, shift) (mve_requant.h), one instruction shorter for a right
 * shift (shift < 0) and a multiplier >= 0: the helper lowers a negative SRDHM(acc, m) by one
 * before the half-up rounding shift, so that halves round away from zero; here VQRDMLAH adds -1
 * for a negative acc while it computes SRDHM. Same result: SRDHM(acc, m) < 0 implies acc < 0,
 * and for acc < 0 with SRDHM(acc, m) = 0 both give 0 (-1 rounded by a shift of 1 or more is 0).
 * The sum cannot saturate: |SRDHM(acc, m)| < 2^31 - 1 for 0 <= m < 2^31. */
MVE_INLINE int32x4_t requant_right(int32x4_t acc, int32_t multiplier, int32_t shift) {
    return vrshlq_n_s32(vqrdmlahq_n_s32(vshrq_n_s32(acc, 31), acc, multiplier), shift);
}

/* ---- MUL ---------------------------------------------------------------------------------- */

typedef struct {
    int16_t off1, off2;
    int32_t multiplier, shift;
    int16_t out_offset, act_min, act_max;
} mul_q_t;

/* The product's requantization: `right` (a constant) when the caller checked shift < 0 and
 * multiplier >= 0. */
MVE_INLINE int32x4_t mul_requant(int32x4_t prod, const mul_q_t *q, const int right) {
    return right ? requant_right(prod, q->multiplier, q->shift)
                 : adrt_mve_requant_n(prod, q->multiplier, q->shift);
}

/* Eight outputs from eight offset inputs of each side. */
MVE_INLINE int16x8_t mul8(int16x8_t x, int16x8_t y, const mul_q_t *q, const int right) {
    const int32x4_t even = mul_requant(vmullbq_int_s16(x, y), q, right);
    const int32x4_t odd = mul_requant(vmulltq_int_s16(x, y), q, right);
    /* Narrowed into x's register (x is dead): no register to set up. */
    int16x8_t r = vqmovntq_s32(vqmovnbq_s32(x, even), odd);
    r = vqaddq_n_s16(r, q->out_offset);
    return vminq_s16(vmaxq_s16(r, vdupq_n_s16(q->act_min)), vdupq_n_s16(q->act_max));
}

/* out[i] = f(a[i], b[i]) */
MVE_INLINE void mul_row_vv(const mul_q_t *q, const int8_t *a, const int8_t *b, int8_t *out,
                           int32_t n, const int right) {
    for (; n >= 8; n -= 8, a += 8, b += 8, out += 8) {
        const int16x8_t x = vaddq_n_s16(vldrbq_s16(a), q->off1);
        const int16x8_t y = vaddq_n_s16(vldrbq_s16(b), q->off2);
        vstrbq_s16(out, mul8(x, y, q, right));
    }
    if (n > 0) {
        const mve_pred16_t p = vctp16q((uint32_t)n);
        const int16x8_t x = vaddq_n_s16(vldrbq_z_s16(a, p), q->off1);
        const int16x8_t y = vaddq_n_s16(vldrbq_z_s16(b, p), q->off2);
        vstrbq_p_s16(out, mul8(x, y, q, right), p);
    }
}

/* out[i] = f(v[i], c): the product is symmetric, so either side may be the repeated one. */
MVE_INLINE void mul_row_vc(const mul_q_t *q, const int8_t *v, int16_t v_offset, int16_t c,
                           int8_t *out, int32_t n, const int right) {
    const int16x8_t y = vdupq_n_s16(c);
    for (; n >= 8; n -= 8, v += 8, out += 8) {
        vstrbq_s16(out, mul8(vaddq_n_s16(vldrbq_s16(v), v_offset), y, q, right));
    }
    if (n > 0) {
        const mve_pred16_t p = vctp16q((uint32_t)n);
        vstrbq_p_s16(out, mul8(vaddq_n_s16(vldrbq_z_s16(v, p), v_offset), y, q, right), p);
    }
}

/* `rows` rows of n: input x advances by x_step per row, input y's row is the same for all (the
 * [1,H,W,C] x [1,1,1,C] gating). Column blocks of 8: y's block is loaded once for every row. */
MVE_INLINE void mul_rows_repeat(const mul_q_t *q, const int8_t *x, int16_t x_offset, int32_t x_step,
                                const int8_t *y, int16_t y_offset, int8_t *out, int32_t rows,
                                int32_t n, const int right) {
    int32_t c0 = 0;
    for (; c0 + 8 <= n; c0 += 8) {
        const int16x8_t yv = vaddq_n_s16(vldrbq_s16(y + c0), y_offset);
        const int8_t *xr = x + c0;
        int8_t *o = out + c0;
        for (int32_t r = 0; r < rows; ++r, xr += x_step, o += n) {
            vstrbq_s16(o, mul8(vaddq_n_s16(vldrbq_s16(xr), x_offset), yv, q, right));
        }
    }
    if (c0 < n) {
        const mve_pred16_t p = vctp16q((uint32_t)(n - c0));
        const int16x8_t yv = vaddq_n_s16(vldrbq_z_s16(y + c0, p), y_offset);
        const int8_t *xr = x + c0;
        int8_t *o = out + c0;
        for (int32_t r = 0; r < rows; ++r, xr += x_step, o += n) {
            vstrbq_p_s16(o, mul8(vaddq_n_s16(vldrbq_z_s16(xr, p), x_offset), yv, q, right), p);
        }
    }
}

MVE_INLINE void mul_row(const mul_q_t *q, const int8_t *a, int32_t sa, const int8_t *b, int32_t sb,
                        int8_t *out, int32_t n, const int right) {
    if (sa != 0 && sb != 0) {
        mul_row_vv(q, a, b, out, n, right);
    } else if (sa != 0) {
        mul_row_vc(q, a, q->off1, (int16_t)(b[0] + q->off2), out, n, right);
    } else if (sb != 0) {
        mul_row_vc(q, b, q->off2, (int16_t)(a[0] + q->off1), out, n, right);
    } else {
        const int32_t prod = (a[0] + q->off1) * (b[0] + q->off2);
        const int32_t v =
            adrt_mul_by_quantized_multiplier(prod, q->multiplier, q->shift) + q->out_offset;
        memset(out, (int8_t)ADRT_CLAMP(v, q->act_min, q->act_max), (size_t)n);
    }
}

/* ---- ADD / SUB ---------------------------------------------------------------------------- */

/* TFLite rescales both inputs to twice the larger input scale, so the input of the larger scale
 * (both, when equal) has the multiplier 1/2 exactly (2^30, shift 0), and SRDHM halves its
 * (v + offset) << left_shift without rounding: that input is just v * 2^(left - 1) + bias. The
 * kernel runs with that input as its "half" side (input 2, inputs swapped when it is input 1) and
 * rescales the other, the "general" side, as requant_n(v * factor + bias, multiplier, shift). */
typedef struct {
    int32_t factor, bias, multiplier, shift; /* general side: shift < 0 */
    int32_t half_factor, half_bias;          /* half side */
    int32_t out_multiplier, out_shift, out_offset, act_min, act_max;
} add_q_t;

/* General side: TFLite's RDBPOT(SRDHM((v + offset) << left, m), -shift) with shift < 0; or
 * shift 0 with m = 2^30 (equal input scales), which is SRDHM of twice the value followed by an
 * exact rounding shift by 1. 0 for anything else. */
MVE_INLINE int general_side(int32_t left, int32_t offset, int32_t m, int32_t shift, add_q_t *q) {
    if (shift < 0) {
        q->factor = 1 << left;
        q->shift = shift;
    } else if (shift == 0 && m == (1 << 30)) {
        q->factor = 1 << (left + 1);
        q->shift = -1;
    } else {
        return 0;
    }
    q->bias = offset * q->factor;
    q->multiplier = m;
    return 1;
}

MVE_INLINE int is_half(int32_t m, int32_t shift) {
    return m == (1 << 30) && shift == 0;
}

/* The vector path's parameters with `p`'s inputs in the order (general, half) when `swap` is 0 or
 * (half, general) when it is 1; 0 when `p` is outside the vector path (TFLite's Prepare() always
 * gives a half side, a negative output shift and a left shift of 20). */
MVE_INLINE int add_setup(const adrt_add_s8_params_t *p, add_q_t *q, int *swap) {
    const int32_t left = p->left_shift;
    if (left < 1 || left > 22 || p->output_shift >= 0) { /* (v + offset) << (left + 1) fits */
        return 0;
    }
    *swap = !is_half(p->input2_multiplier, p->input2_shift);
    if (*swap && !is_half(p->input1_multiplier, p->input1_shift)) {
        return 0;
    }
    const int ok =
        *swap ? general_side(left, p->input2_offset, p->input2_multiplier, p->input2_shift, q)
              : general_side(left, p->input1_offset, p->input1_multiplier, p->input1_shift, q);
    q->half_factor = 1 << (left - 1);
    q->half_bias = (*swap ? p->input1_offset : p->input2_offset) * q->half_factor;
    q->out_multiplier = p->output_multiplier;
    q->out_shift = p->output_shift;
    q->out_offset = p->output_offset;
    q->act_min = p->act_min;
    q->act_max = p->act_max;
    return ok;
}

MVE_INLINE int32x4_t scale4_general(int32x4_t v, const add_q_t *q) {
    return requant_right(vmlasq_n_s32(v, vdupq_n_s32(q->factor), q->bias), q->multiplier, q->shift);
}

MVE_INLINE int32x4_t scale4_half(int32x4_t v, const add_q_t *q) {
    return vmlasq_n_s32(v, vdupq_n_s32(q->half_factor), q->half_bias);
}

/* By value: a pointer would make the caller keep the parameters in memory. */
static int32_t scale1_general(int8_t v, add_q_t q) {
    const int32_t x = adrt_sat_rounding_doubling_high_mul(v * q.factor + q.bias, q.multiplier);
    return adrt_rounding_divide_by_pot(x, -q.shift);
}

static int32_t scale1_half(int8_t v, add_q_t q) {
    return v * q.half_factor + q.half_bias;
}

/* raw = x + y, x - y or y - x (x the general side, y the half side) */
enum { PLUS, MINUS, REVERSE_MINUS };

MVE_INLINE int32x4_t combine(int32x4_t x, int32x4_t y, const int how) {
    return how == PLUS ? vaddq_s32(x, y) : how == MINUS ? vsubq_s32(x, y) : vsubq_s32(y, x);
}

MVE_INLINE int32_t combine1(int32_t x, int32_t y, const int how) {
    return how == PLUS ? x + y : how == MINUS ? x - y : y - x;
}

MVE_INLINE int32x4_t finish4(int32x4_t raw, const add_q_t *q) {
    const int32x4_t r =
        vaddq_n_s32(requant_right(raw, q->out_multiplier, q->out_shift), q->out_offset);
    return vminq_s32(vmaxq_s32(r, vdupq_n_s32(q->act_min)), vdupq_n_s32(q->act_max));
}

/* out[i] = f(general a[i] how half b[i]) */
MVE_INLINE void add_row_vv(const add_q_t *q, const int8_t *a, const int8_t *b, int8_t *out,
                           int32_t n, const int how) {
    for (; n >= 4; n -= 4, a += 4, b += 4, out += 4) {
        const int32x4_t x = scale4_general(vldrbq_s32(a), q);
        const int32x4_t y = scale4_half(vldrbq_s32(b), q);
        vstrbq_s32(out, finish4(combine(x, y, how), q));
    }
    if (n > 0) {
        const mve_pred16_t p = vctp32q((uint32_t)n);
        const int32x4_t x = scale4_general(vldrbq_z_s32(a, p), q);
        const int32x4_t y = scale4_half(vldrbq_z_s32(b, p), q);
        vstrbq_p_s32(out, finish4(combine(x, y, how), q), p);
    }
}

/* One side advances (v, the general side when `general` else the half side), the other is the
 * rescaled value c repeated. */
MVE_INLINE int32x4_t scale4_side(int32x4_t v, const add_q_t *q, const int general) {
    return general ? scale4_general(v, q) : scale4_half(v, q);
}

MVE_INLINE void add_row_vc(const add_q_t *q, const int8_t *v, int32_t c, int8_t *out, int32_t n,
                           const int how, const int general) {
    const int32x4_t cv = vdupq_n_s32(c);
    for (; n >= 4; n -= 4, v += 4, out += 4) {
        const int32x4_t s = scale4_side(vldrbq_s32(v), q, general);
        vstrbq_s32(out, finish4(general ? combine(s, cv, how) : combine(cv, s, how), q));
    }
    if (n > 0) {
        const mve_pred16_t p = vctp32q((uint32_t)n);
        const int32x4_t s = scale4_side(vldrbq_z_s32(v, p), q, general);
        vstrbq_p_s32(out, finish4(general ? combine(s, cv, how) : combine(cv, s, how), q), p);
    }
}

/* a: general side, b: half side */
MVE_INLINE void addsub_row(const add_q_t *q, const int8_t *a, int32_t sa, const int8_t *b,
                           int32_t sb, int8_t *out, int32_t n, const int how) {
    if (sa != 0 && sb != 0) {
        add_row_vv(q, a, b, out, n, how);
    } else if (sa != 0) {
        add_row_vc(q, a, scale1_half(b[0], *q), out, n, how, 1);
    } else if (sb != 0) {
        add_row_vc(q, b, scale1_general(a[0], *q), out, n, how, 0);
    } else {
        const int32_t raw = combine1(scale1_general(a[0], *q), scale1_half(b[0], *q), how);
        const int32_t v =
            adrt_mul_by_quantized_multiplier(raw, q->out_multiplier, q->out_shift) + q->out_offset;
        memset(out, (int8_t)ADRT_CLAMP(v, q->act_min, q->act_max), (size_t)n);
    }
}

/* ---- MINIMUM / MAXIMUM -------------------------------------------------------------------- */

MVE_INLINE int8x16_t min_or_max(int8x16_t x, int8x16_t y, const int take_max) {
    return take_max ? vmaxq_s8(x, y) : vminq_s8(x, y);
}

MVE_INLINE void minmax_row(const int8_t *a, int32_t sa, const int8_t *b, int32_t sb, int8_t *out,
                           int32_t n, const int take_max) {
    if (sa != 0 && sb != 0) {
        for (; n >= 16; n -= 16, a += 16, b += 16, out += 16) {
            vstrbq_s8(out, min_or_max(vldrbq_s8(a), vldrbq_s8(b), take_max));
        }
        if (n > 0) {
            const mve_pred16_t p = vctp8q((uint32_t)n);
            vstrbq_p_s8(out, min_or_max(vldrbq_z_s8(a, p), vldrbq_z_s8(b, p), take_max), p);
        }
    } else if (sa != 0 || sb != 0) { /* symmetric: v is the advancing side, c the repeated one */
        const int8_t *v = sa != 0 ? a : b;
        const int8x16_t c = vdupq_n_s8(sa != 0 ? b[0] : a[0]);
        for (; n >= 16; n -= 16, v += 16, out += 16) {
            vstrbq_s8(out, min_or_max(vldrbq_s8(v), c, take_max));
        }
        if (n > 0) {
            const mve_pred16_t p = vctp8q((uint32_t)n);
            vstrbq_p_s8(out, min_or_max(vldrbq_z_s8(v, p), c, take_max), p);
        }
    } else {
        memset(out, take_max ? ADRT_MAX(a[0], b[0]) : ADRT_MIN(a[0], b[0]), (size_t)n);
    }
}

/* ---- rows of every op --------------------------------------------------------------------- */

/* OP_MUL_RIGHT: MUL whose caller checked shift < 0 and multiplier >= 0 */
enum { OP_ADD, OP_SUB, OP_REVERSE_SUB, OP_MUL, OP_MUL_RIGHT, OP_MIN, OP_MAX };

/* One row of n; sa and sb are the inputs' element strides (1, or 0 for a repeated value). */
MVE_INLINE void one_row(const void *q, const int8_t *a, int32_t sa, const int8_t *b, int32_t sb,
                        int8_t *out, int32_t n, const int op) {
    if (op == OP_MUL || op == OP_MUL_RIGHT) {
        mul_row((const mul_q_t *)q, a, sa, b, sb, out, n, op == OP_MUL_RIGHT);
    } else if (op == OP_ADD || op == OP_SUB || op == OP_REVERSE_SUB) {
        const int how = op == OP_ADD ? PLUS : op == OP_SUB ? MINUS : REVERSE_MINUS;
        addsub_row((const add_q_t *)q, a, sa, b, sb, out, n, how);
    } else {
        minmax_row(a, sa, b, sb, out, n, op == OP_MAX);
    }
}

/* Every row of the iteration, `op` a constant (each call site gets its own copy). The extents
 * and strides are read into locals first: output stores may alias the parameters, so the
 * compiler would reload them after every row. */
MVE_INLINE void each_row(const adrt_bcast_t *bc, const void *q, const int8_t *in1,
                         const int8_t *in2, int8_t *out, const int op) {
    if (!has_rows(bc)) {
        return;
    }
    const int32_t rows = bc->dims[INNER], n = bc->dims[ROW];
    const int32_t step1 = bc->stride1[INNER], step2 = bc->stride2[INNER];
    const int32_t s1 = bc->stride1[ROW], s2 = bc->stride2[ROW];
    outer_cursor_t c = {{0}, 0, 0};
    do {
        const int8_t *a = in1 + c.off1, *b = in2 + c.off2;
        const int mul = op == OP_MUL || op == OP_MUL_RIGHT;
        if (mul && rows > 1 && s1 != 0 && s2 != 0 && (step1 == 0 || step2 == 0)) {
            /* one call site, so one copy of the loops: x is the side that advances */
            const mul_q_t *m = (const mul_q_t *)q;
            const int x_is_1 = step2 == 0;
            mul_rows_repeat(m, x_is_1 ? a : b, x_is_1 ? m->off1 : m->off2, x_is_1 ? step1 : step2,
                            x_is_1 ? b : a, x_is_1 ? m->off2 : m->off1, out, rows, n,
                            op == OP_MUL_RIGHT);
        } else {
            for (int32_t r = 0; r < rows; ++r) {
                one_row(q, a + r * step1, s1, b + r * step2, s2, out + r * n, n, op);
            }
        }
        out += rows * n;
    } while (outer_next(bc, &c));
}

/* ---- entry points ------------------------------------------------------------------------- */

/* Each loop nest sits in a function of its own (noinline), where the compiler allocates registers
 * for it alone. The parameters are copied into a local first: output stores may alias them. */
#define ROWS_FUNCTION static __attribute__((noinline)) void

ROWS_FUNCTION mul_rows_right_shift(const adrt_bcast_t *bc, const mul_q_t *params, const int8_t *in1,
                                   const int8_t *in2, int8_t *out) {
    const mul_q_t q = *params;
    each_row(bc, &q, in1, in2, out, OP_MUL_RIGHT);
}

ROWS_FUNCTION mul_rows_any_shift(const adrt_bcast_t *bc, const mul_q_t *params, const int8_t *in1,
                                 const int8_t *in2, int8_t *out) {
    const mul_q_t q = *params;
    each_row(bc, &q, in1, in2, out, OP_MUL);
}

void adrt_mve_mul_s8(const adrt_mul_s8_params_t *params, const int8_t *input1, const int8_t *input2,
                     int8_t *output) {
    const mul_q_t q = {
        (int16_t)params->input1_offset, (int16_t)params->input2_offset, params->output_multiplier,
        params->output_shift,           (int16_t)params->output_offset, (int16_t)params->act_min,
        (int16_t)params->act_max,
    };
    if (q.shift < 0 && q.multiplier >= 0) {
        mul_rows_right_shift(&params->bcast, &q, input1, input2, output);
    } else {
        mul_rows_any_shift(&params->bcast, &q, input1, input2, output);
    }
}

/* ADD/SUB rows: add_setup()'s parameters with right shifts and multipliers >= 0 throughout (the
 * form requant_right() needs). */
MVE_INLINE int addsub_ready(const add_q_t *q) {
    return q->shift < 0 && q->out_shift < 0 && q->multiplier >= 0 && q->out_multiplier >= 0;
}

ROWS_FUNCTION add_rows(const adrt_bcast_t *bc, const add_q_t *params, const int8_t *in1,
                       const int8_t *in2, int8_t *out) {
    const add_q_t q = *params;
    each_row(bc, &q, in1, in2, out, OP_ADD);
}

ROWS_FUNCTION sub_rows(const adrt_bcast_t *bc, const add_q_t *params, const int8_t *in1,
                       const int8_t *in2, int8_t *out) {
    const add_q_t q = *params;
    each_row(bc, &q, in1, in2, out, OP_SUB);
}

ROWS_FUNCTION reverse_sub_rows(const adrt_bcast_t *bc, const add_q_t *params, const int8_t *in1,
                               const int8_t *in2, int8_t *out) {
    const add_q_t q = *params;
    each_row(bc, &q, in1, in2, out, OP_REVERSE_SUB);
}

/* The iteration with the inputs exchanged: input 1's strides become input 2's. */
static adrt_bcast_t swapped(const adrt_bcast_t *bc) {
    adrt_bcast_t s = *bc;
    memcpy(s.stride1, bc->stride2, sizeof s.stride1);
    memcpy(s.stride2, bc->stride1, sizeof s.stride2);
    return s;
}

/* The kernel's sides are (general, half) = (input 1, input 2), or (input 2, input 1) with a
 * subtraction reversed; parameters outside the vector path take the portable kernel. */
void adrt_mve_add_s8(const adrt_add_s8_params_t *params, const int8_t *input1, const int8_t *input2,
                     int8_t *output) {
    add_q_t q;
    int swap;
    if (!add_setup(params, &q, &swap) || !addsub_ready(&q)) {
        adrt_add_s8(params, input1, input2, output);
    } else if (!swap) {
        add_rows(&params->bcast, &q, input1, input2, output);
    } else {
        const adrt_bcast_t bc = swapped(&params->bcast);
        add_rows(&bc, &q, input2, input1, output);
    }
}

void adrt_mve_sub_s8(const adrt_add_s8_params_t *params, const int8_t *input1, const int8_t *input2,
                     int8_t *output) {
    add_q_t q;
    int swap;
    if (!add_setup(params, &q, &swap) || !addsub_ready(&q)) {
        adrt_sub_s8(params, input1, input2, output);
    } else if (!swap) {
        sub_rows(&params->bcast, &q, input1, input2, output);
    } else {
        const adrt_bcast_t bc = swapped(&params->bcast);
        reverse_sub_rows(&bc, &q, input2, input1, output);
    }
}

void adrt_mve_minimum_s8(const adrt_minmax_s8_params_t *params, const int8_t *input1,
                         const int8_t *input2, int8_t *output) {
    each_row(&params->bcast, NULL, input1, input2, output, OP_MIN);
}

void adrt_mve_maximum_s8(const adrt_minmax_s8_params_t *params, const int8_t *input1,
                         const int8_t *input2, int8_t *output) {
    each_row(&params->bcast, NULL, input1, input2, output, OP_MAX);
}
