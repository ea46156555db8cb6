#include "adrt/elementwise.h"

/* One contiguous output row of n elements; a and b advance by sa and sb (each 0 or 1). */
typedef void (*adrt_row_fn)(const void *params, const int8_t *a, int32_t sa, const int8_t *b,
                            int32_t sb, int8_t *out, int32_t n);

static void bcast_run(const adrt_bcast_t *bc, const void *params, adrt_row_fn row,
                      const int8_t *in1, const int8_t *in2, int8_t *out) {
    const int32_t *d = bc->dims;
    const int32_t *s1 = bc->stride1;
    const int32_t *s2 = bc->stride2;
    const int32_t n = d[5];
    if (n <= 0) {
        return;
    }
    for (int32_t i0 = 0; i0 < d[0]; ++i0) {
        const int8_t *a0 = in1 + i0 * s1[0];
        const int8_t *b0 = in2 + i0 * s2[0];
        for (int32_t i1 = 0; i1 < d[1]; ++i1) {
            const int8_t *a1 = a0 + i1 * s1[1];
            const int8_t *b1 = b0 + i1 * s2[1];
            for (int32_t i2 = 0; i2 < d[2]; ++i2) {
                const int8_t *a2 = a1 + i2 * s1[2];
                const int8_t *b2 = b1 + i2 * s2[2];
                for (int32_t i3 = 0; i3 < d[3]; ++i3) {
                    const int8_t *a3 = a2 + i3 * s1[3];
                    const int8_t *b3 = b2 + i3 * s2[3];
                    for (int32_t i4 = 0; i4 < d[4]; ++i4) {
                        row(params, a3 + i4 * s1[4], s1[5], b3 + i4 * s2[4], s2[5], out, n);
                        out += n;
                    }
                }
            }
        }
    }
}

/* x * multiplier * 2^-right_shift for a right shift >= 0 (the ADD/SUB input rescaling). */
static inline int32_t mul_rshift(int32_t x, int32_t multiplier, int right_shift) {
    return adrt_rounding_divide_by_pot(adrt_sat_rounding_doubling_high_mul(x, multiplier),
                                       right_shift);
}

/* ---- ADD / SUB ---------------------------------------------------------------------------- */

static inline int32_t add_scale1(const adrt_add_s8_params_t *p, int8_t v) {
    const int32_t x = (v + p->input1_offset) * (1 << p->left_shift);
    return mul_rshift(x, p->input1_multiplier, -p->input1_shift);
}

static inline int32_t add_scale2(const adrt_add_s8_params_t *p, int8_t v) {
    const int32_t x = (v + p->input2_offset) * (1 << p->left_shift);
    return mul_rshift(x, p->input2_multiplier, -p->input2_shift);
}

static inline int8_t add_finish(const adrt_add_s8_params_t *p, int32_t raw) {
    int32_t r = adrt_mul_by_quantized_multiplier(raw, p->output_multiplier, p->output_shift) +
                p->output_offset;
    r = ADRT_CLAMP(r, p->act_min, p->act_max);
    return (int8_t)r;
}

static inline void addsub_row(const adrt_add_s8_params_t *p, const int8_t *a, int32_t sa,
                              const int8_t *b, int32_t sb, int8_t *out, int32_t n, int subtract) {
    if (sa != 0 && sb != 0) {
        for (int32_t i = 0; i < n; ++i) {
            const int32_t x = add_scale1(p, a[i]);
            const int32_t y = add_scale2(p, b[i]);
            out[i] = add_finish(p, subtract ? x - y : x + y);
        }
    } else if (sa != 0) {
        const int32_t y = add_scale2(p, b[0]);
        for (int32_t i = 0; i < n; ++i) {
            const int32_t x = add_scale1(p, a[i]);
            out[i] = add_finish(p, subtract ? x - y : x + y);
        }
    } else if (sb != 0) {
        const int32_t x = add_scale1(p, a[0]);
        for (int32_t i = 0; i < n; ++i) {
            const int32_t y = add_scale2(p, b[i]);
            out[i] = add_finish(p, subtract ? x - y : x + y);
        }
    } else {
        const int32_t x = add_scale1(p, a[0]);
        const int32_t y = add_scale2(p, b[0]);
        const int8_t v = add_finish(p, subtract ? x - y : x + y);
        for (int32_t i = 0; i < n; ++i) {
            out[i] = v;
        }
    }
}

static void add_row(const void *params, const int8_t *a, int32_t sa, const int8_t *b, int32_t sb,
                    int8_t *out, int32_t n) {
    addsub_row((const adrt_add_s8_params_t *)params, a, sa, b, sb, out, n, 0);
}

static void sub_row(const void *params, const int8_t *a, int32_t sa, const int8_t *b, int32_t sb,
                    int8_t *out, int32_t n) {
    addsub_row((const adrt_add_s8_params_t *)params, a, sa, b, sb, out, n, 1);
}

void adrt_add_s8(const adrt_add_s8_params_t *params, const int8_t *input1, const int8_t *input2,
                 int8_t *output) {
    bcast_run(&params->bcast, params, add_row, input1, input2, output);
}

void adrt_sub_s8(const adrt_add_s8_params_t *params, const int8_t *input1, const int8_t *input2,
                 int8_t *output) {
    bcast_run(&params->bcast, params, sub_row, input1, input2, output);
}

/* ---- MUL ---------------------------------------------------------------------------------- */

static inline int8_t mul_finish(const adrt_mul_s8_params_t *p, int32_t prod) {
    int32_t r = adrt_mul_by_quantized_multiplier(prod, p->output_multiplier, p->output_shift) +
                p->output_offset;
    r = ADRT_CLAMP(r, p->act_min, p->act_max);
    return (int8_t)r;
}

static void mul_row(const void *params, const int8_t *a, int32_t sa, const int8_t *b, int32_t sb,
                    int8_t *out, int32_t n) {
    const adrt_mul_s8_params_t *p = (const adrt_mul_s8_params_t *)params;
    const int32_t off1 = p->input1_offset;
    const int32_t off2 = p->input2_offset;
    if (sa != 0 && sb != 0) {
        for (int32_t i = 0; i < n; ++i) {
            out[i] = mul_finish(p, (a[i] + off1) * (b[i] + off2));
        }
    } else if (sa != 0) {
        const int32_t y = b[0] + off2;
        for (int32_t i = 0; i < n; ++i) {
            out[i] = mul_finish(p, (a[i] + off1) * y);
        }
    } else if (sb != 0) {
        const int32_t x = a[0] + off1;
        for (int32_t i = 0; i < n; ++i) {
            out[i] = mul_finish(p, x * (b[i] + off2));
        }
    } else {
        const int8_t v = mul_finish(p, (a[0] + off1) * (b[0] + off2));
        for (int32_t i = 0; i < n; ++i) {
            out[i] = v;
        }
    }
}

void adrt_mul_s8(const adrt_mul_s8_params_t *params, const int8_t *input1, const int8_t *input2,
                 int8_t *output) {
    bcast_run(&params->bcast, params, mul_row, input1, input2, output);
}

/* ---- MINIMUM / MAXIMUM -------------------------------------------------------------------- */

static inline void minmax_row(const int8_t *a, int32_t sa, const int8_t *b, int32_t sb, int8_t *out,
                              int32_t n, int take_max) {
    if (sa != 0 && sb != 0) {
        for (int32_t i = 0; i < n; ++i) {
            out[i] = take_max ? ADRT_MAX(a[i], b[i]) : ADRT_MIN(a[i], b[i]);
        }
    } else if (sa != 0) {
        const int8_t y = b[0];
        for (int32_t i = 0; i < n; ++i) {
            out[i] = take_max ? ADRT_MAX(a[i], y) : ADRT_MIN(a[i], y);
        }
    } else if (sb != 0) {
        const int8_t x = a[0];
        for (int32_t i = 0; i < n; ++i) {
            out[i] = take_max ? ADRT_MAX(x, b[i]) : ADRT_MIN(x, b[i]);
        }
    } else {
        const int8_t v = take_max ? ADRT_MAX(a[0], b[0]) : ADRT_MIN(a[0], b[0]);
        for (int32_t i = 0; i < n; ++i) {
            out[i] = v;
        }
    }
}

static void min_row(const void *params, const int8_t *a, int32_t sa, const int8_t *b, int32_t sb,
                    int8_t *out, int32_t n) {
    (void)params;
    minmax_row(a, sa, b, sb, out, n, 0);
}

static void max_row(const void *params, const int8_t *a, int32_t sa, const int8_t *b, int32_t sb,
                    int8_t *out, int32_t n) {
    (void)params;
    minmax_row(a, sa, b, sb, out, n, 1);
}

void adrt_minimum_s8(const adrt_minmax_s8_params_t *params, const int8_t *input1,
                     const int8_t *input2, int8_t *output) {
    bcast_run(&params->bcast, params, min_row, input1, input2, output);
}

void adrt_maximum_s8(const adrt_minmax_s8_params_t *params, const int8_t *input1,
                     const int8_t *input2, int8_t *output) {
    bcast_run(&params->bcast, params, max_row, input1, input2, output);
}

/* ---- SQUARED_DIFFERENCE ------------------------------------------------------------------- */

/* |difference| <= 2^15 after the rescaling, so its square fits in int32. */
static inline int8_t squared_difference(const adrt_add_s8_params_t *p, int32_t x, int32_t y) {
    const int32_t d = x - y;
    return add_finish(p, d * d);
}

static void squared_difference_row(const void *params, const int8_t *a, int32_t sa, const int8_t *b,
                                   int32_t sb, int8_t *out, int32_t n) {
    const adrt_add_s8_params_t *p = (const adrt_add_s8_params_t *)params;
    if (sa != 0 && sb != 0) {
        for (int32_t i = 0; i < n; ++i) {
            out[i] = squared_difference(p, add_scale1(p, a[i]), add_scale2(p, b[i]));
        }
    } else if (sa != 0) {
        const int32_t y = add_scale2(p, b[0]);
        for (int32_t i = 0; i < n; ++i) {
            out[i] = squared_difference(p, add_scale1(p, a[i]), y);
        }
    } else if (sb != 0) {
        const int32_t x = add_scale1(p, a[0]);
        for (int32_t i = 0; i < n; ++i) {
            out[i] = squared_difference(p, x, add_scale2(p, b[i]));
        }
    } else {
        const int8_t v = squared_difference(p, add_scale1(p, a[0]), add_scale2(p, b[0]));
        for (int32_t i = 0; i < n; ++i) {
            out[i] = v;
        }
    }
}

void adrt_squared_difference_s8(const adrt_add_s8_params_t *params, const int8_t *input1,
                                const int8_t *input2, int8_t *output) {
    bcast_run(&params->bcast, params, squared_difference_row, input1, input2, output);
}

/* ---- PRELU -------------------------------------------------------------------------------- */

static inline int8_t prelu(const adrt_prelu_s8_params_t *p, int8_t x, int8_t alpha) {
    const int32_t v = x + p->input_offset;
    int32_t r;
    if (v >= 0) {
        r = adrt_mul_by_quantized_multiplier(v, p->identity_multiplier, p->identity_shift);
    } else {
        r = adrt_mul_by_quantized_multiplier(v * (alpha + p->alpha_offset), p->alpha_multiplier,
                                             p->alpha_shift);
    }
    r += p->output_offset;
    return (int8_t)ADRT_CLAMP(r, -128, 127);
}

static void prelu_row(const void *params, const int8_t *a, int32_t sa, const int8_t *b, int32_t sb,
                      int8_t *out, int32_t n) {
    const adrt_prelu_s8_params_t *p = (const adrt_prelu_s8_params_t *)params;
    for (int32_t i = 0; i < n; ++i) {
        out[i] = prelu(p, a[i * sa], b[i * sb]);
    }
}

void adrt_prelu_s8(const adrt_prelu_s8_params_t *params, const int8_t *input, const int8_t *alpha,
                   int8_t *output) {
    bcast_run(&params->bcast, params, prelu_row, input, alpha, output);
}
