/* Helium MEAN: see adrt/mve/reduce.h. Sums start at the bias (-input_zp * reduce) as in the
 * portable kernel (../reduce.c), then adrt_mve_requant_n, the output offset and the int8 clamp.
 */
#include "adrt/mve/reduce.h"

#include <arm_mve.h>

#include "mve_requant.h"
#include "pooling_sums.h"

#define MEAN_INLINE static inline __attribute__((always_inline))

/* Inner extent 1: each output is the sum of `reduce` contiguous values. */
MEAN_INLINE void mean_contiguous(const adrt_mean_params_t *p, const int8_t *input, int8_t *output) {
    for (int32_t o = 0; o < p->outer; ++o) {
        int32_t sum = p->bias, n = p->reduce;
        for (; n >= 16; n -= 16, input += 16) {
            sum = vaddvaq_s8(sum, vldrbq_s8(input));
        }
        if (n > 0) {
            const mve_pred16_t pred = vctp8q((uint32_t)n);
            sum = vaddvaq_p_s8(sum, vldrbq_z_s8(input, pred), pred);
            input += n;
        }
        const int32_t v =
            adrt_mul_by_quantized_multiplier(sum, p->multiplier, p->shift) + p->output_offset;
        output[o] = (int8_t)ADRT_CLAMP(v, -128, 127);
    }
}

MEAN_INLINE void mean_lanes(const adrt_mean_params_t *p, const int8_t *input, int8_t *output) {
    /* locals: output stores may alias the parameters, and the shift's tested sign must stay
     * known to the compiler */
    const int32_t reduce = p->reduce, inner = p->inner, bias = p->bias;
    const int32_t multiplier = p->multiplier, shift = p->shift;
    const int16_t out_offset = (int16_t)p->output_offset;
    int32_t sums[ADRT_MVE_SUMS_CHUNK];
    for (int32_t o = 0; o < p->outer; ++o) {
        const int8_t *in_o = input + (size_t)o * reduce * inner;
        int8_t *out = output + (size_t)o * inner;
        for (int32_t c0 = 0; c0 < inner; c0 += ADRT_MVE_SUMS_CHUNK) {
            const int32_t width = ADRT_MIN(ADRT_MVE_SUMS_CHUNK, inner - c0);
            adrt_mve_channel_sums(in_o + c0, width, 1, 0, reduce, inner, bias, sums);
            for (int32_t g = 0; g < width; g += 8) {
                const int32x4_t even = adrt_mve_requant_n(vldrwq_s32(sums + g), multiplier, shift);
                const int32x4_t odd =
                    adrt_mve_requant_n(vldrwq_s32(sums + g + 4), multiplier, shift);
                int16x8_t r = vqmovntq_s32(vqmovnbq_s32(vdupq_n_s16(0), even), odd);
                r = vqaddq_n_s16(r, out_offset);
                /* saturating int16 then int8: the reference's clamp of the int32 value */
                const int8x16_t r8 = vqmovnbq_s16(vdupq_n_s8(0), r);
                vstrbq_p_s16(out + c0 + g, vreinterpretq_s16_s8(r8),
                             vctp16q((uint32_t)(width - g)));
            }
        }
    }
}

void adrt_mve_mean_s8(const adrt_mean_params_t *p, const int8_t *input, int8_t *output) {
    if (p->inner == 1) {
        mean_contiguous(p, input, output);
    } else if (p->shift < 0) { /* the compiler drops the left-shift path from this copy */
        mean_lanes(p, input, output);
    } else {
        mean_lanes(p, input, output);
    }
}
