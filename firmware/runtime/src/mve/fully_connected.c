#include "adrt/mve/fully_connected.h"

#include <arm_mve.h>

#include "adrt/requant.h"
#include "mve_matmul.h"

/* Packed parameters of four channels (adrt_mve_fully_connected_params_t.quant). */
enum { Q_MULT = 0, Q_SHIFT = 4, Q_SUM = 8, Q_STEP = 12 };

/* Read once: the int8 output stores could alias the params struct. */
typedef struct {
    int32_t output_offset;
    int32_t act_min, act_max;
    int32_t right_shifts_only;
} requant_t;

/* round((sums + kernel_sum) * multiplier / 2^(31 - shift)), ties up, as
 * adrt_mul_by_quantized_multiplier_sr, then offset and clamped. For shift <= -1: VQDMULH is
 * floor(acc * m / 2^31) (it saturates only for two INT32_MINs, and m > 0), and a rounding shift
 * right by -shift of that floor rounds exactly like one rounding shift by 31 - shift of the full
 * product (floor(floor(a / 2^31) / 2^k) = floor(a / 2^(31 + k)) with a = product + 2^(30 + k)).
 * Larger shifts would need the reference's wrapping 64-bit arithmetic: those layers take the
 * scalar path. */
static inline int32x4_t requant(const requant_t *r, int32x4_t sums, const int32_t *q) {
    const int32x4_t acc = vaddq_s32(sums, vldrwq_s32(q + Q_SUM));
    int32x4_t y;
    if (r->right_shifts_only) {
        y = vrshlq_s32(vqdmulhq_s32(acc, vldrwq_s32(q + Q_MULT)), vldrwq_s32(q + Q_SHIFT));
    } else {
        int32_t lanes[4];
        vst1q_s32(lanes, acc);
        for (int i = 0; i < 4; ++i) {
            lanes[i] = adrt_mul_by_quantized_multiplier_sr(lanes[i], q[Q_MULT + i], q[Q_SHIFT + i]);
        }
        y = vld1q_s32(lanes);
    }
    y = vaddq_n_s32(y, r->output_offset);
    return vminq_s32(vmaxq_s32(y, vdupq_n_s32(r->act_min)), vdupq_n_s32(r->act_max));
}

/* Requantizes sums[0..n) into y[0..n). */
static void requant_row(const requant_t *r, const int32_t *sums, const int32_t *q, int32_t n,
                        int8_t *y) {
    for (int32_t k = 0; k < n; k += 4, q += Q_STEP) {
        const int32x4_t z = requant(r, vldrwq_s32(sums + k), q);
        vstrbq_p_s32(y + k, z, vctp32q((uint32_t)(n - k)));
    }
}

/* One batch (row x of whole blocks) against four channels at a time. */
static void one_batch(const adrt_mve_fully_connected_params_t *p, const requant_t *r,
                      const int8_t *x, int8_t *y) {
    const int32_t out_c = p->out_c, blocks = adrt_mve_blocks(p->depth);
    int32_t sums[ADRT_MVE_CHUNK];
    const int8_t *w = p->weights;
    const int32_t *q = p->quant;
    for (int32_t c = 0; c < out_c; c += ADRT_MVE_CHUNK, q += ADRT_MVE_CHUNK / 4 * Q_STEP) {
        const int32_t n = ADRT_MIN(ADRT_MVE_CHUNK, out_c - c);
        adrt_mve_sums_1x4(x, &w, blocks, (n + 3) >> 2, sums);
        requant_row(r, sums, q, n, y + c);
    }
}

/* Batches three at a time (the last one repeated to fill a three), staged in `staged`. */
static void three_batches(const adrt_mve_fully_connected_params_t *p, const requant_t *r,
                          const int8_t *input, int8_t *output, int8_t *staged) {
    const int32_t depth = p->depth, out_c = p->out_c, batches = p->batches;
    const int32_t blocks = adrt_mve_blocks(depth);
    int32_t sums[ADRT_MVE_ROWS * ADRT_MVE_CHUNK];
    for (int32_t b = 0; b < batches; b += ADRT_MVE_ROWS) {
        int8_t *y[ADRT_MVE_ROWS];
        for (int32_t k = 0; k < ADRT_MVE_ROWS; ++k) {
            const int32_t row = ADRT_MIN(b + k, batches - 1);
            y[k] = output + (size_t)row * out_c;
            adrt_mve_stage_row(staged, k, input + (size_t)row * depth, depth);
        }
        const int8_t *w = p->weights;
        const int32_t *q = p->quant;
        for (int32_t c = 0; c < out_c; c += ADRT_MVE_CHUNK, q += ADRT_MVE_CHUNK / 4 * Q_STEP) {
            const int32_t n = ADRT_MIN(ADRT_MVE_CHUNK, out_c - c);
            adrt_mve_sums_3x2(staged, &w, blocks, (n + 1) >> 1, sums);
            for (int32_t k = 0; k < ADRT_MVE_ROWS; ++k) {
                requant_row(r, sums + k * ADRT_MVE_CHUNK, q, n, y[k] + c);
            }
        }
    }
}

void adrt_mve_fully_connected_s8(const adrt_mve_fully_connected_params_t *p, const int8_t *input,
                                 int8_t *output) {
    const requant_t r = {p->output_offset, p->act_min, p->act_max, p->right_shifts_only};
    one_batch(p, &r, input, output);
}

void adrt_mve_fully_connected_staged_s8(const adrt_mve_fully_connected_params_t *p,
                                        const int8_t *input, int8_t *output, void *scratch) {
    const requant_t r = {p->output_offset, p->act_min, p->act_max, p->right_shifts_only};
    int8_t *staged = (int8_t *)scratch;
    if (p->batches > 1) {
        three_batches(p, &r, input, output, staged);
        return;
    }
    for (int32_t k = 0; k < p->depth; k += 16) { /* the row, zero padded to whole blocks */
        vstrbq_s8(staged + k, vldrbq_z_s8(input + k, vctp8q((uint32_t)(p->depth - k))));
    }
    one_batch(p, &r, staged, output);
}
