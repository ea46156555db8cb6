#include "adrt/elementwise_s16.h"

/* out = f(a, b) element by element: the value of one output element from one element of each
 * input. */
typedef int16_t (*element_fn)(const void *params, int32_t a, int32_t b);

/* The broadcast iteration of adrt_bcast_t; each input's innermost stride is 0 or 1. */
static void bcast_run(const adrt_bcast_t *bc, const void *params, element_fn f, const int16_t *in1,
                      const int16_t *in2, int16_t *out) {
    const int32_t *d = bc->dims, *s1 = bc->stride1, *s2 = bc->stride2;
    if (d[5] <= 0) {
        return;
    }
    for (int32_t i0 = 0; i0 < d[0]; ++i0) {
        for (int32_t i1 = 0; i1 < d[1]; ++i1) {
            for (int32_t i2 = 0; i2 < d[2]; ++i2) {
                for (int32_t i3 = 0; i3 < d[3]; ++i3) {
                    for (int32_t i4 = 0; i4 < d[4]; ++i4) {
                        const int16_t *a =
                            in1 + i0 * s1[0] + i1 * s1[1] + i2 * s1[2] + i3 * s1[3] + i4 * s1[4];
                        const int16_t *b =
                            in2 + i0 * s2[0] + i1 * s2[1] + i2 * s2[2] + i3 * s2[3] + i4 * s2[4];
                        for (int32_t i = 0; i < d[5]; ++i) {
                            *out++ = f(params, a[i * s1[5]], b[i * s2[5]]);
                        }
                    }
                }
            }
        }
    }
}

/* ---- ADD / SUB, general scales ------------------------------------------------------------ */

static inline int32_t add_scale(int32_t v, int32_t offset, int32_t left_shift, int32_t multiplier,
                                int32_t shift) {
    const int32_t x = (v + offset) * (1 << left_shift);
    return adrt_rounding_divide_by_pot(adrt_sat_rounding_doubling_high_mul(x, multiplier), -shift);
}

static inline int16_t add_finish(const adrt_add_s16_params_t *p, int32_t raw) {
    const int32_t r = adrt_mul_by_quantized_multiplier(raw, p->output_multiplier, p->output_shift) +
                      p->output_offset;
    return (int16_t)ADRT_CLAMP(r, p->act_min, p->act_max);
}

static int16_t add_element(const void *params, int32_t a, int32_t b) {
    const adrt_add_s16_params_t *p = (const adrt_add_s16_params_t *)params;
    const int32_t x =
        add_scale(a, p->input1_offset, p->left_shift, p->input1_multiplier, p->input1_shift);
    const int32_t y =
        add_scale(b, p->input2_offset, p->left_shift, p->input2_multiplier, p->input2_shift);
    return add_finish(p, x + y);
}

static int16_t sub_element(const void *params, int32_t a, int32_t b) {
    const adrt_add_s16_params_t *p = (const adrt_add_s16_params_t *)params;
    const int32_t x =
        add_scale(a, p->input1_offset, p->left_shift, p->input1_multiplier, p->input1_shift);
    const int32_t y =
        add_scale(b, p->input2_offset, p->left_shift, p->input2_multiplier, p->input2_shift);
    return add_finish(p, x - y);
}

void adrt_add_s16(const adrt_add_s16_params_t *params, const int16_t *input1, const int16_t *input2,
                  int16_t *output) {
    bcast_run(&params->bcast, params, add_element, input1, input2, output);
}

void adrt_sub_s16(const adrt_add_s16_params_t *params, const int16_t *input1, const int16_t *input2,
                  int16_t *output) {
    bcast_run(&params->bcast, params, sub_element, input1, input2, output);
}

/* ---- ADD / SUB, power-of-two scales ------------------------------------------------------- */

/* gemmlowp's RoundingDivideByPOT on an int16 value: mask, remainder and threshold are int16
 * (so for an exponent of 16 or more the mask is -1, as there). exponent in [0, 31]. */
static inline int32_t rounding_divide_by_pot_s16(int32_t x, int32_t exponent) {
    const int16_t mask = (int16_t)(uint16_t)(((uint32_t)1 << exponent) - 1u);
    const int16_t remainder = (int16_t)(x & mask);
    const int16_t threshold = (int16_t)((mask >> 1) + (x < 0 ? 1 : 0));
    return (int16_t)((x >> exponent) + (remainder > threshold ? 1 : 0));
}

static int16_t add_pot_element(const void *params, int32_t a, int32_t b) {
    const adrt_add_s16_pot_params_t *p = (const adrt_add_s16_pot_params_t *)params;
    const int32_t r = rounding_divide_by_pot_s16(a, p->input1_shift) +
                      rounding_divide_by_pot_s16(b, p->input2_shift);
    return (int16_t)ADRT_CLAMP(r, p->act_min, p->act_max);
}

static int16_t sub_pot_element(const void *params, int32_t a, int32_t b) {
    const adrt_add_s16_pot_params_t *p = (const adrt_add_s16_pot_params_t *)params;
    const int32_t r = rounding_divide_by_pot_s16(a, p->input1_shift) -
                      rounding_divide_by_pot_s16(b, p->input2_shift);
    return (int16_t)ADRT_CLAMP(r, p->act_min, p->act_max);
}

void adrt_add_s16_pot(const adrt_add_s16_pot_params_t *params, const int16_t *input1,
                      const int16_t *input2, int16_t *output) {
    bcast_run(&params->bcast, params, add_pot_element, input1, input2, output);
}

void adrt_sub_s16_pot(const adrt_add_s16_pot_params_t *params, const int16_t *input1,
                      const int16_t *input2, int16_t *output) {
    bcast_run(&params->bcast, params, sub_pot_element, input1, input2, output);
}

/* ---- MUL ---------------------------------------------------------------------------------- */

static int16_t mul_element(const void *params, int32_t a, int32_t b) {
    const adrt_mul_s16_params_t *p = (const adrt_mul_s16_params_t *)params;
    const int32_t prod = (a + p->input1_offset) * (b + p->input2_offset);
    const int32_t r =
        adrt_mul_by_quantized_multiplier(prod, p->output_multiplier, p->output_shift) +
        p->output_offset;
    return (int16_t)ADRT_CLAMP(r, p->act_min, p->act_max);
}

void adrt_mul_s16(const adrt_mul_s16_params_t *params, const int16_t *input1, const int16_t *input2,
                  int16_t *output) {
    bcast_run(&params->bcast, params, mul_element, input1, input2, output);
}
