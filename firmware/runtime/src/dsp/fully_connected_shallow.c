/* Fully connected layers of depth <= 16 (adrt/dsp/fully_connected.h), where the outputs cost
 * more than the MACs. Each depth class's channel loop is one assembly block, so both compilers
 * run the same instructions, with fixed registers: LDM fills registers in ascending order from
 * ascending addresses, and one LDM (one instruction) reads a channel's kernel sum and weights or
 * its requantization record. An output is (acc * m + k) >> 32 by SMLAL into the rounding term k
 * (output zero point included), the rest of the shift by ASR, then SSAT and STRB: TFLite's single
 * rounding (adrt/requant.h) exactly, as every shift is at least 32 and |acc * m + k| < 2^63
 * (checked at build time, codegen/variants/dsp/fully_connected.py). */
#include "adrt/dsp/fully_connected.h"

#include "dsp_arith.h"

/* The channel loop around `body` (one output channel), run n >= 1 times: an odd first channel,
 * then two per iteration. */
#define ADRT_FC_SHALLOW_LOOP(body)                                                                 \
    "tst %[n], #1\n\t"                                                                             \
    "beq 2f\n\t" body "2:\n\t"                                                                     \
    "lsrs %[n], %[n], #1\n\t"                                                                      \
    "beq 3f\n\t"                                                                                   \
    "1:\n\t" body body "subs %[n], %[n], #1\n\t"                                                   \
    "bne 1b\n\t"                                                                                   \
    "3:\n\t"

/* acc in `acc`, m, k low, k high, shift - 32 in the following registers: the int8 output. */
#define ADRT_FC_SHALLOW_OUT(acc, m, lo, hi, sh)                                                    \
    "smlal " lo ", " hi ", " acc ", " m "\n\t"                                                     \
    "asr " acc ", " hi ", " sh "\n\t"                                                              \
    "ssat " acc ", #8, " acc "\n\t"                                                                \
    "strb " acc ", [%[out]], #1\n\t"

/* depth <= 2: the input pair (x0, x1) in one register; records of 6 words. */
static int8_t *adrt_dsp_fc_shallow_2(const int32_t *rec, int8_t *out, int32_t n, int32_t x) {
    __asm__ volatile(ADRT_FC_SHALLOW_LOOP("ldm %[rec]!, {r4, r5, r6, r8, r9, r10}\n\t"
                                          "smlad r4, %[x], r5, r4\n\t" ADRT_FC_SHALLOW_OUT(
                                              "r4", "r6", "r8", "r9", "r10"))
                     : [rec] "+r"(rec), [out] "+r"(out), [n] "+r"(n)
                     : [x] "r"(x)
                     : "r4", "r5", "r6", "r8", "r9", "r10", "cc", "memory");
    return out;
}

/* depth <= 4: the input's two widened words in registers; records of 7 words. */
static int8_t *adrt_dsp_fc_shallow_4(const int32_t *rec, int8_t *out, int32_t n, int32_t xe,
                                     int32_t xo) {
    __asm__ volatile(ADRT_FC_SHALLOW_LOOP("ldm %[rec]!, {r4, r5, r6, r8, r9, r10, r11}\n\t"
                                          "smlad r4, %[xe], r5, r4\n\t"
                                          "smlad r4, %[xo], r6, r4\n\t" ADRT_FC_SHALLOW_OUT(
                                              "r4", "r8", "r9", "r10", "r11"))
                     : [rec] "+r"(rec), [out] "+r"(out), [n] "+r"(n)
                     : [xe] "r"(xe), [xo] "r"(xo)
                     : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "cc", "memory");
    return out;
}

/* Four words of a pair record (two weight words of each channel; first both kernel sums into r5
 * and r6 too) times the input words at x + off: two SMLADs into r5 (the first channel), two into
 * r6. */
#define ADRT_FC_SHALLOW_PAIR_CHUNK(off, regs)                                                      \
    "ldrd r12, lr, [%[x], #" #off "]\n\t"                                                          \
    "ldm %[rec]!, {" regs "}\n\t"                                                                  \
    "smlad r5, r12, r8, r5\n\t"                                                                    \
    "smlad r5, lr, r9, r5\n\t"                                                                     \
    "smlad r6, r12, r10, r6\n\t"                                                                   \
    "smlad r6, lr, r11, r6\n\t"

/* The channel in `acc` requantized with the next 4 record words. */
#define ADRT_FC_SHALLOW_PAIR_OUT(acc)                                                              \
    "ldm %[rec]!, {r8, r9, r10, r11}\n\t" ADRT_FC_SHALLOW_OUT(acc, "r8", "r9", "r10", "r11")

/* depth <= 16, two channels: pair records of 26 words (both kernel sums, then the channels'
 * weights interleaved two words at a time, then both requantization records). */
#define ADRT_FC_SHALLOW_PAIR                                                                       \
    ADRT_FC_SHALLOW_PAIR_CHUNK(0, "r5, r6, r8, r9, r10, r11")                                      \
    ADRT_FC_SHALLOW_PAIR_CHUNK(8, "r8, r9, r10, r11")                                              \
    ADRT_FC_SHALLOW_PAIR_CHUNK(16, "r8, r9, r10, r11")                                             \
    ADRT_FC_SHALLOW_PAIR_CHUNK(24, "r8, r9, r10, r11")                                             \
    ADRT_FC_SHALLOW_PAIR_OUT("r5")                                                                 \
    ADRT_FC_SHALLOW_PAIR_OUT("r6")

/* depth <= 16, the last channel of an odd count: a record of 13 words (r4-r6, r8 hold the input
 * words twice: they are reloaded from x). */
#define ADRT_FC_SHALLOW_SINGLE                                                                     \
    "ldm %[x], {r4, r5, r6, r8}\n\t"                                                               \
    "ldm %[rec]!, {r9, r10, r11, r12, lr}\n\t"                                                     \
    "smlad lr, r4, r9, lr\n\t"                                                                     \
    "smlad lr, r5, r10, lr\n\t"                                                                    \
    "smlad lr, r6, r11, lr\n\t"                                                                    \
    "smlad lr, r8, r12, lr\n\t"                                                                    \
    "ldrd r4, r5, [%[x], #16]\n\t"                                                                 \
    "ldrd r6, r8, [%[x], #24]\n\t"                                                                 \
    "ldm %[rec]!, {r9, r10, r11, r12}\n\t"                                                         \
    "smlad lr, r4, r9, lr\n\t"                                                                     \
    "smlad lr, r5, r10, lr\n\t"                                                                    \
    "smlad lr, r6, r11, lr\n\t"                                                                    \
    "smlad lr, r8, r12, lr\n\t"                                                                    \
    "ldm %[rec]!, {r4, r5, r6, r8}\n\t" ADRT_FC_SHALLOW_OUT("lr", "r4", "r5", "r6", "r8")

/* n >= 1 channels of the widened input (8 words at x): pairs (36 instructions each; the input
 * read two words at a time for both channels), then an odd last channel (18). */
static int8_t *adrt_dsp_fc_shallow_16(const int32_t *rec, int8_t *out, int32_t n,
                                      const int32_t *x) {
    __asm__ volatile("subs %[n], %[n], #2\n\t"
                     "blt 2f\n\t"
                     "1:\n\t" ADRT_FC_SHALLOW_PAIR "subs %[n], %[n], #2\n\t"
                     "bge 1b\n\t"
                     "2:\n\t"
                     "adds %[n], %[n], #1\n\t" /* -1: one channel left */
                     "bne 3f\n\t" ADRT_FC_SHALLOW_SINGLE "3:\n\t"
                     : [rec] "+r"(rec), [out] "+r"(out), [n] "+r"(n)
                     : [x] "r"(x)
                     : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory");
    return out;
}

/* 16 input values widened into 8 words at x (as adrt_dsp_widen with stride 2): 13 instructions
 * instead of its loop's 30. */
static void adrt_dsp_fc_widen_16(const int8_t *input, int32_t *x) {
    __asm__ volatile("ldr r4, [%[in]]\n\t"
                     "ldr r6, [%[in], #4]\n\t"
                     "ldr r9, [%[in], #8]\n\t"
                     "ldr r11, [%[in], #12]\n\t"
                     "sxtb16 r5, r4, ror #8\n\t"
                     "sxtb16 r4, r4\n\t"
                     "sxtb16 r8, r6, ror #8\n\t"
                     "sxtb16 r6, r6\n\t"
                     "sxtb16 r10, r9, ror #8\n\t"
                     "sxtb16 r9, r9\n\t"
                     "sxtb16 r12, r11, ror #8\n\t"
                     "sxtb16 r11, r11\n\t"
                     "stm %[x], {r4, r5, r6, r8, r9, r10, r11, r12}\n\t"
                     :
                     : [in] "r"(input), [x] "r"(x)
                     : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "memory");
}

/* The wrappers below run rows until `batches` (at least 1) are done; the channel loops advance
 * `output` past each row's outputs. */
void adrt_dsp_fully_connected_shallow2_s8(const adrt_dsp_fully_connected_shallow_params_t *p,
                                          const int8_t *input, int8_t *output) {
    int32_t b = p->batches;
    do {
        const int32_t x1 = p->depth == 2 ? input[1] : 0;
        const int32_t x = (int32_t)((uint32_t)x1 << 16 | (uint16_t)input[0]);
        input += p->depth;
        output = adrt_dsp_fc_shallow_2(p->records, output, p->out_c, x);
    } while (--b > 0);
}

void adrt_dsp_fully_connected_shallow4_s8(const adrt_dsp_fully_connected_shallow_params_t *p,
                                          const int8_t *input, int8_t *output) {
    int32_t b = p->batches;
    do {
        const uint32_t v =
            p->depth == 4 ? adrt_dsp_load4(input) : adrt_dsp_load_tail(input, p->depth);
        input += p->depth;
        output =
            adrt_dsp_fc_shallow_4(p->records, output, p->out_c, adrt_dsp_even(v), adrt_dsp_odd(v));
    } while (--b > 0);
}

void adrt_dsp_fully_connected_shallow16_s8(const adrt_dsp_fully_connected_shallow_params_t *p,
                                           const int8_t *input, int8_t *output, void *scratch) {
    int32_t b = p->batches;
    do {
        if (p->depth == 16) {
            adrt_dsp_fc_widen_16(input, scratch);
        } else {
            adrt_dsp_widen(input, p->depth, scratch, 2);
        }
        input += p->depth;
        output = adrt_dsp_fc_shallow_16(p->records, output, p->out_c, scratch);
    } while (--b > 0);
}
