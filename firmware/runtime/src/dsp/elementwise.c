#include "adrt/dsp/elementwise.h"

#include "dsp_arith.h"

static inline int32_t requant(int32_t x, const adrt_dsp_requant_t *q) {
    const int32_t s = adrt_dsp_smmulr((int32_t)((uint32_t)x << q->left1), q->multiplier);
    return adrt_dsp_round_shift(s, q->round, q->right1);
}

static inline int32_t rescale(int8_t x, const adrt_dsp_rescale_t *r) {
    const int32_t s =
        adrt_dsp_smmulr((int32_t)((uint32_t)(int32_t)x << 21) + r->offset, r->multiplier);
    return adrt_dsp_round_shift(s, r->round, r->right1);
}

static inline int8_t clamp(int32_t v, int32_t lo, int32_t hi, const int narrow) {
    v = __ssat(v, 8);
    return (int8_t)(narrow ? ADRT_CLAMP(v, lo, hi) : v);
}

/* ---- MUL ---------------------------------------------------------------------------------- */

/* One row; sa / sb: input 1 / 2 varies along it (else its first value repeats). Everything
 * the loop reads is copied to locals first: an int8 store may alias any object. */
static inline __attribute__((always_inline)) void mul_row(const adrt_dsp_mul_params_t *p,
                                                          const int8_t *a, const int8_t *b,
                                                          int8_t *out, int32_t n, const int sa,
                                                          const int sb, const int narrow) {
    const adrt_dsp_requant_t q = p->output;
    const int32_t o1 = p->input1_offset, o2 = p->input2_offset;
    const int32_t lo = p->act_min, hi = p->act_max;
    const int32_t a0 = a[0] + o1, b0 = b[0] + o2;
    for (int32_t i = 0; i < n; ++i) {
        const int32_t x = (sa ? a[i] + o1 : a0) * (sb ? b[i] + o2 : b0);
        out[i] = clamp(requant(x, &q), lo, hi, narrow);
    }
}

static inline __attribute__((always_inline)) void mul_rows(const adrt_dsp_mul_params_t *p,
                                                           const int8_t *a, const int8_t *b,
                                                           int8_t *out, const int sa, const int sb,
                                                           const int narrow) {
    const adrt_dsp_rows_t r = p->rows;
    for (int32_t k = 0; k < r.rows; ++k, a += r.row_step1, b += r.row_step2, out += r.n) {
        mul_row(p, a, b, out, r.n, sa, sb, narrow);
    }
}

static inline __attribute__((always_inline)) void mul(const adrt_dsp_mul_params_t *p,
                                                      const int8_t *a, const int8_t *b, int8_t *out,
                                                      const int narrow) {
    if (p->rows.step1 && p->rows.step2) {
        mul_rows(p, a, b, out, 1, 1, narrow);
    } else if (p->rows.step1) {
        mul_rows(p, a, b, out, 1, 0, narrow);
    } else if (p->rows.step2) {
        mul_rows(p, a, b, out, 0, 1, narrow);
    } else {
        mul_rows(p, a, b, out, 0, 0, narrow);
    }
}

void adrt_dsp_mul_s8(const adrt_dsp_mul_params_t *p, const int8_t *input1, const int8_t *input2,
                     int8_t *output) {
    if (p->act_min > -128 || p->act_max < 127) {
        mul(p, input1, input2, output, 1);
    } else {
        mul(p, input1, input2, output, 0);
    }
}

/* ---- ADD / SUB ---------------------------------------------------------------------------- */

static inline __attribute__((always_inline)) void add_row(const adrt_dsp_add_params_t *p,
                                                          const int8_t *a, const int8_t *b,
                                                          int8_t *out, int32_t n, const int sa,
                                                          const int sb, const int narrow) {
    const adrt_dsp_rescale_t r1 = p->input1, r2 = p->input2;
    const adrt_dsp_requant_t q = p->output;
    const int32_t sign = p->subtract ? -1 : 1;
    const int32_t lo = p->act_min, hi = p->act_max;
    const int32_t a0 = rescale(a[0], &r1), b0 = sign * rescale(b[0], &r2);
    for (int32_t i = 0; i < n; ++i) {
        const int32_t x = (sa ? rescale(a[i], &r1) : a0) + (sb ? sign * rescale(b[i], &r2) : b0);
        out[i] = clamp(requant(x, &q), lo, hi, narrow);
    }
}

static inline __attribute__((always_inline)) void add_rows(const adrt_dsp_add_params_t *p,
                                                           const int8_t *a, const int8_t *b,
                                                           int8_t *out, const int sa, const int sb,
                                                           const int narrow) {
    const adrt_dsp_rows_t r = p->rows;
    for (int32_t k = 0; k < r.rows; ++k, a += r.row_step1, b += r.row_step2, out += r.n) {
        add_row(p, a, b, out, r.n, sa, sb, narrow);
    }
}

static inline __attribute__((always_inline)) void add(const adrt_dsp_add_params_t *p,
                                                      const int8_t *a, const int8_t *b, int8_t *out,
                                                      const int narrow) {
    if (p->rows.step1 && p->rows.step2) {
        add_rows(p, a, b, out, 1, 1, narrow);
    } else if (p->rows.step1) {
        add_rows(p, a, b, out, 1, 0, narrow);
    } else if (p->rows.step2) {
        add_rows(p, a, b, out, 0, 1, narrow);
    } else {
        add_rows(p, a, b, out, 0, 0, narrow);
    }
}

void adrt_dsp_add_s8(const adrt_dsp_add_params_t *p, const int8_t *input1, const int8_t *input2,
                     int8_t *output) {
    if (p->act_min > -128 || p->act_max < 127) {
        add(p, input1, input2, output, 1);
    } else {
        add(p, input1, input2, output, 0);
    }
}
