#include "adrt/dsp/pooling.h"

#include "dsp_arith.h"

/* Sums of 4 channels over `taps` (>= 1) taps `step` bytes apart from x, added to the int16 pairs
 * even (channels 0, 2) and odd (1, 3). 6 instructions per tap. */
static inline void sum_taps(const int8_t *x, int32_t taps, int32_t step, int32_t *even,
                            int32_t *odd) {
    uint32_t v;
    __asm__("1:\n\t"
            "ldr %[v], [%[x]]\n\t"
            "add %[x], %[x], %[step]\n\t"
            "sxtab16 %[e], %[e], %[v]\n\t"
            "sxtab16 %[o], %[o], %[v], ror #8\n\t"
            "subs %[n], %[n], #1\n\t"
            "bne 1b\n\t"
            : [x] "+r"(x), [n] "+r"(taps), [e] "+r"(*even), [o] "+r"(*odd), [v] "=&r"(v)
            : [step] "r"(step)
            : "cc", "memory");
}

/* The same for the last n < 4 channels, reading no byte past them. */
static void sum_taps_tail(const int8_t *x, int32_t taps, int32_t step, int32_t n, int32_t *even,
                          int32_t *odd) {
    for (; taps > 0; --taps, x += step) {
        const uint32_t v = adrt_dsp_load_tail(x, n);
        *even = (int32_t)__sadd16((uint32_t)*even, (uint32_t)adrt_dsp_even(v));
        *odd = (int32_t)__sadd16((uint32_t)*odd, (uint32_t)adrt_dsp_odd(v));
    }
}

/* The portable kernel's rounded average: (|sum| + count / 2) / count, the sign of sum. */
static inline int8_t average(int32_t sum, int32_t count, uint32_t recip, int32_t lo, int32_t hi) {
    const uint32_t mag = (uint32_t)(sum < 0 ? -sum : sum) + (uint32_t)(count >> 1);
    const int32_t q = recip ? (int32_t)(((uint64_t)mag * recip) >> 32) : (int32_t)mag;
    const int32_t v = sum < 0 ? -q : q;
    return (int8_t)ADRT_CLAMP(v, lo, hi);
}

void adrt_dsp_avg_pool2d_s8(const adrt_dsp_pool_params_t *p, const int8_t *input, int8_t *output) {
    const int32_t in_h = p->input.h, in_w = p->input.w, depth = p->input.c;
    const int32_t lo = p->act_min, hi = p->act_max;
    int8_t *out = output;
    for (int32_t b = 0; b < p->input.n; ++b) {
        const int8_t *image = input + (size_t)b * in_h * in_w * depth;
        for (int32_t oy = 0; oy < p->output.h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            int32_t fy0, fy1;
            adrt_tap_range(iy0, 1, p->filter_h, in_h, &fy0, &fy1);
            for (int32_t ox = 0; ox < p->output.w; ++ox, out += depth) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                int32_t fx0, fx1;
                adrt_tap_range(ix0, 1, p->filter_w, in_w, &fx0, &fx1);
                const int32_t rows = fy1 - fy0, taps = fx1 - fx0, count = rows * taps;
                const uint32_t recip = p->recip[count - p->count_lo];
                const int8_t *first = image + ((size_t)(iy0 + fy0) * in_w + ix0 + fx0) * depth;
                const int32_t row_step = in_w * depth;
                for (int32_t c = 0; c < depth; c += 4) {
                    const int32_t n = ADRT_MIN(4, depth - c);
                    int32_t even = 0, odd = 0; /* channels (c, c + 2) and (c + 1, c + 3) */
                    for (int32_t fy = 0; fy < rows; ++fy) {
                        const int8_t *x = first + fy * row_step + c;
                        if (n == 4) {
                            sum_taps(x, taps, depth, &even, &odd);
                        } else {
                            sum_taps_tail(x, taps, depth, n, &even, &odd);
                        }
                    }
                    const int32_t sums[4] = {(int16_t)even, (int16_t)odd, even >> 16, odd >> 16};
                    for (int32_t i = 0; i < n; ++i) {
                        out[c + i] = average(sums[i], count, recip, lo, hi);
                    }
                }
            }
        }
    }
}
