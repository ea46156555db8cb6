#include "adrt/fixed16.h"

/* Every intermediate is an int16 whose sums wrap: the reference adds int16 values in int and
 * stores the result back in an int16. */
static inline int16_t wrap16(int32_t v) {
    return (int16_t)(uint16_t)(uint32_t)v;
}

/* Saturating rounding doubling high multiply on int16 (Q0.15 * Q0.15). */
static int16_t mul16(int16_t a, int16_t b) {
    if (a == INT16_MIN && b == INT16_MIN) {
        return INT16_MAX;
    }
    int32_t ab = (int32_t)a * (int32_t)b;
    int32_t nudged = ab + (ab >= 0 ? (1 << 14) : (1 - (1 << 14)));
    /* divided by 2^15 rounding toward zero, as C's integer division does */
    int32_t q = nudged >= 0 ? (nudged >> 15) : -((-nudged) >> 15);
    return (int16_t)q;
}

/* Rounding right shift of an int16 (halves away from zero), exponent in [0, 14]. */
static int16_t shift_right16(int16_t x, int32_t exponent) {
    int16_t mask = (int16_t)((1 << exponent) - 1);
    int16_t remainder = (int16_t)(x & mask);
    int16_t threshold = wrap16((mask >> 1) + (x < 0 ? 1 : 0));
    return wrap16((x >> exponent) + (remainder > threshold ? 1 : 0));
}

/* x * 2^exponent, saturating when exponent > 0, rounding when exponent < 0. */
static int16_t mul_pot16(int16_t x, int32_t exponent) {
    if (exponent < 0) {
        return shift_right16(x, -exponent);
    }
    if (exponent == 0) {
        return x;
    }
    int32_t threshold = (1 << (15 - exponent)) - 1;
    if (x > threshold) {
        return INT16_MAX;
    }
    if (x < -threshold) {
        return INT16_MIN;
    }
    return (int16_t)(x * (1 << exponent));
}

/* A 32-bit fixed-point constant rounded to the 16-bit format of the same integer bits. */
static inline int16_t constant16(int32_t q31_value) {
    return (int16_t)adrt_rounding_divide_by_pot(q31_value, 16);
}

/* exp(a) for a in [-1/4, 0), Q0.15 in and out. */
static int16_t exp_quarter(int16_t a) {
    const int16_t exp_minus_eighth = constant16(1895147668);
    const int16_t one_third = constant16(715827883);
    int16_t x = wrap16(a + (1 << 12)); /* a + 1/8 */
    int16_t x2 = mul16(x, x);
    int16_t x3 = mul16(x2, x);
    int16_t x4 = mul16(x2, x2);
    int16_t x4_over_4 = mul_pot16(x4, -2);
    int16_t poly = mul_pot16(wrap16(mul16(wrap16(x4_over_4 + x3), one_third) + x2), -1);
    int16_t sum = mul16(exp_minus_eighth, wrap16(x + poly));
    return (int16_t)ADRT_CLAMP((int32_t)exp_minus_eighth + sum, INT16_MIN, INT16_MAX);
}

/* exp(a) for a <= 0 with `integer_bits`, result Q0.15. */
static int16_t exp_negative(int16_t a, int32_t integer_bits) {
    static const int32_t barrel[7] = {1672461947, 1302514674, 790015084, 290630308,
                                      39332535,   720401,     242}; /* exp(-2^k), k = -2..4 */
    const int32_t fractional_bits = 15 - integer_bits;
    const int16_t one_quarter = (int16_t)(1 << (fractional_bits - 2));
    int16_t mod_minus_quarter = wrap16((a & (one_quarter - 1)) - one_quarter);
    int16_t result = exp_quarter(mul_pot16(mod_minus_quarter, integer_bits));
    int16_t remainder = wrap16(mod_minus_quarter - a);
    for (int32_t k = -2; k <= 4; ++k) {
        if (integer_bits > k && (remainder & (1 << (fractional_bits + k)))) {
            result = mul16(result, constant16(barrel[k + 2]));
        }
    }
    if (integer_bits > 5 && a < constant16(-(1 << (36 - integer_bits)))) {
        result = 0;
    }
    return a == 0 ? INT16_MAX : result;
}

/* Newton-Raphson x ~ 1 / (1 + a) for a in (0, 1), in Q2.13; `half` = (1 + a) / 2 in Q0.15. */
static int16_t reciprocal_q2_13(int16_t a, int16_t *half) {
    int32_t sum = (int32_t)a + INT16_MAX;
    int32_t rounded = sum + (sum >= 0 ? 1 : -1);
    *half = (int16_t)(rounded >= 0 ? rounded >> 1 : -((-rounded) >> 1));
    const int16_t c48_17 = constant16(1515870810);
    const int16_t c_neg32_17 = constant16(-1010580540);
    int16_t x = wrap16(c48_17 + mul16(*half, c_neg32_17));
    for (int i = 0; i < 3; ++i) {
        int16_t one_minus = wrap16((1 << 13) - mul16(*half, x));
        x = wrap16(x + mul_pot16(mul16(x, one_minus), 2));
    }
    return x;
}

int16_t adrt_q15_logistic(int16_t x) {
    int16_t magnitude = x > 0 ? x : wrap16(-x);
    int16_t half;
    int16_t e = exp_negative(wrap16(-magnitude), 3);
    /* 1 / (1 + e): the Q2.13 reciprocal halved (exactly, as Q1.14) and rescaled to Q0.15 */
    int16_t positive = mul_pot16(reciprocal_q2_13(e, &half), 1);
    if (x == 0) {
        return constant16(1 << 30);
    }
    return x > 0 ? positive : wrap16(INT16_MAX - positive);
}

int16_t adrt_q15_tanh(int16_t x, int32_t integer_bits) {
    int16_t negative = x < 0 ? x : wrap16(-x);
    int16_t half;
    /* exp(2 * negative): the same raw value read with one more integer bit */
    int16_t e = exp_negative(negative, integer_bits + 1);
    /* (1 - e) / (1 + e) = 2 / (1 + e) - 1 */
    int16_t t = mul_pot16(wrap16(reciprocal_q2_13(e, &half) - (1 << 13)), 2);
    if (x == 0) {
        return 0;
    }
    return x < 0 ? wrap16(-t) : t;
}
