/* DSP-extension building blocks shared by the Cortex-M4/M7/M33 kernels (src/dsp/): int8 words
 * widened to 16-bit pairs for SMLAD, and TFLite's double-rounding requantization in five
 * instructions. Private to src/dsp/: it needs <arm_acle.h>.
 *
 * Pair order. SXTB16 widens bytes 0 and 2 of a word, SXTB16 of the word rotated by 8 bytes 1
 * and 3. Both operands of every SMLAD are widened the same way, so a dot product over four int8
 * values needs no byte reordering: (x0,x2).(w0,w2) + (x1,x3).(w1,w3).
 */
#ifndef ADRT_DSP_ARITH_H
#define ADRT_DSP_ARITH_H

#include <arm_acle.h>
#include <stdint.h>

#include "adrt/common.h"

/* A 32-bit load from any address: LDR accepts unaligned addresses on ARMv7E-M and v8-M (clang
 * would otherwise assemble a memcpy of 4 bytes from 4 byte loads). */
static inline uint32_t adrt_dsp_load4(const int8_t *p) {
    uint32_t v;
    __asm__("ldr %0, %1" : "=r"(v) : "m"(*(const uint32_t *)(const void *)p));
    return v;
}

static inline void adrt_dsp_store4(int8_t *p, uint32_t v) {
    __asm__ volatile("str %1, %0" : "=m"(*(uint32_t *)(void *)p) : "r"(v));
}

/* The n < 4 bytes at p in a word, zero above them: no read past the last. */
static inline uint32_t adrt_dsp_load_tail(const int8_t *p, int32_t n) {
    uint32_t v = 0;
    for (int32_t i = 0; i < n; ++i) {
        v |= (uint32_t)(uint8_t)p[i] << (8 * i);
    }
    return v;
}

/* Bytes 0 and 2 of w, sign-extended into the halves of a word. */
static inline int32_t adrt_dsp_even(uint32_t w) {
    return (int32_t)__sxtb16(w);
}

/* Bytes 1 and 3 of w, sign-extended into the halves of a word: one SXTB16 with ROR #8 (gcc 12
 * does not fold a rotation into __sxtb16, and its arm_acle.h has no __ror). */
static inline int32_t adrt_dsp_odd(uint32_t w) {
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(w));
    return r;
}

/* depth int8 values at x widened into int16 pairs (SXTB16 order), a pair of words per group of
 * 4 values `stride` words apart, zero past depth (no byte read past it). */
static inline void adrt_dsp_widen(const int8_t *x, int32_t depth, int32_t *col, int32_t stride) {
    int32_t n = depth >> 2;
    if (n > 0) { /* 7 instructions per group of 4; volatile: its stores are its only effect */
        uint32_t v;
        int32_t e;
        __asm__ volatile("1:\n\t"
                         "ldr %[v], [%[x]], #4\n\t"
                         "sxtb16 %[e], %[v]\n\t"
                         "sxtb16 %[v], %[v], ror #8\n\t"
                         "strd %[e], %[v], [%[col]]\n\t"
                         "add %[col], %[col], %[step]\n\t"
                         "subs %[n], %[n], #1\n\t"
                         "bne 1b\n\t"
                         : [x] "+r"(x), [col] "+r"(col), [n] "+r"(n), [v] "=&r"(v), [e] "=&r"(e)
                         : [step] "r"(4 * stride)
                         : "cc", "memory");
    }
    if (depth & 3) {
        const uint32_t w = adrt_dsp_load_tail(x, depth & 3);
        col[0] = adrt_dsp_even(w);
        col[1] = adrt_dsp_odd(w);
    }
}

/* (a * b + 2^31) >> 32: SMMULR (ACLE has no intrinsic for it). */
static inline int32_t adrt_dsp_smmulr(int32_t a, int32_t b) {
    int32_t r;
    __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

/* TFLite's MultiplyByQuantizedMultiplier (double rounding, adrt/common.h) plus the output zero
 * point z, for an accumulator within the bound the build checked:
 *   SaturatingRoundingDoublingHighMul(acc << left, m) = floor((acc << left) * m / 2^31 + 1/2)
 *     = SMMULR((acc << left) << 1, m): rounding half up for either sign equals gemmlowp's nudge
 *     and truncating division, and no saturation can occur as m < 2^31;
 *   RoundingDivideByPOT(s, r) (half away from zero) = floor((2s + 2^r + (s < 0 ? -1 : 0)) /
 *     2^(r+1)): for r = 0 this is s; for r > 0 it is floor((s - [s < 0] + 2^(r-1)) / 2^r), the
 *     odd bit added to an even numerator never reaching the next multiple of 2^(r+1);
 *   + z: z * 2^(r+1) joins the rounding term.
 * The build (codegen/variants/dsp/_requant.py) checks for every channel that all of it fits in
 * 32 bits (|acc << left| < 2^29 and the sum below 2^31), and otherwise keeps the portable kernel.
 *
 * q is one channel's record of ADRT_DSP_REQUANT_WORDS words: */
enum {
    ADRT_DSP_Q_MULT,   /* multiplier m, Q31 */
    ADRT_DSP_Q_LEFT1,  /* left + 1, left = max(shift, 0) */
    ADRT_DSP_Q_ROUND,  /* 2^r + z * 2^(r+1), r = max(-shift, 0) */
    ADRT_DSP_Q_RIGHT1, /* r + 1 */
    ADRT_DSP_REQUANT_WORDS
};

/* s divided by 2^r, rounding half away from zero: round = 2^r (+ z * 2^(r+1)), right1 = r + 1. */
static inline int32_t adrt_dsp_round_shift(int32_t s, int32_t round, int32_t right1) {
    return (round + 2 * s + (s >> 31)) >> right1;
}

static inline int32_t adrt_dsp_requant(int32_t acc, const int32_t *q) {
    const int32_t s =
        adrt_dsp_smmulr((int32_t)((uint32_t)acc << q[ADRT_DSP_Q_LEFT1]), q[ADRT_DSP_Q_MULT]);
    return adrt_dsp_round_shift(s, q[ADRT_DSP_Q_ROUND], q[ADRT_DSP_Q_RIGHT1]);
}

/* adrt_dsp_requant then SSAT to int8 in assembly, for operand names (strings such as "%[a0]"):
 * acc in place, q the record pointer (advanced past the record), t0 and t1 scratch registers. */
#define ADRT_DSP_REQUANT_SSAT_ASM(acc, q, t0, t1)                                                  \
    "ldrd " t0 ", " t1 ", [" q "], #8\n\t"                                                         \
    "lsl " acc ", " acc ", " t1 "\n\t"                                                             \
    "smmulr " acc ", " acc ", " t0 "\n\t"                                                          \
    "ldrd " t0 ", " t1 ", [" q "], #8\n\t"                                                         \
    "add " t0 ", " t0 ", " acc ", lsl #1\n\t"                                                      \
    "add " t0 ", " t0 ", " acc ", asr #31\n\t"                                                     \
    "asr " acc ", " t0 ", " t1 "\n\t"                                                              \
    "ssat " acc ", #8, " acc "\n\t"

/* The activation range after requantization. */
typedef struct {
    int32_t act_min, act_max;
} adrt_dsp_range_t;

/* Requantized (q: the channel's record, output zero point included) and clamped accumulator.
 * `narrow` (a constant at every call): the activation range is narrower than int8's;
 * otherwise SSAT alone clamps. */
static inline __attribute__((always_inline)) int32_t
adrt_dsp_output(int32_t acc, const int32_t *q, const adrt_dsp_range_t *range, const int narrow) {
    const int32_t v = __ssat(adrt_dsp_requant(acc, q), 8);
    return narrow ? ADRT_CLAMP(v, range->act_min, range->act_max) : v;
}

#endif /* ADRT_DSP_ARITH_H */
