#include "adrt/pooling_s16.h"

/* One output pixel's window: taps [fy0, fy1) x [fx0, fx1) from (iy0, ix0). */
typedef struct {
    int32_t iy0, ix0, fy0, fy1, fx0, fx1;
} window_t;

static window_t window_at(const adrt_pool_params_t *p, int32_t oy, int32_t ox) {
    window_t w;
    w.iy0 = oy * p->stride_h - p->pad_h;
    w.ix0 = ox * p->stride_w - p->pad_w;
    adrt_tap_range(w.iy0, 1, p->filter_h, p->input.h, &w.fy0, &w.fy1);
    adrt_tap_range(w.ix0, 1, p->filter_w, p->input.w, &w.fx0, &w.fx1);
    return w;
}

void adrt_max_pool2d_s16(const adrt_pool_params_t *p, const int16_t *input, int16_t *output) {
    const int32_t in_h = p->input.h, in_w = p->input.w, depth = p->input.c;
    for (int32_t b = 0; b < p->input.n; ++b) {
        const int16_t *in_b = input + (size_t)b * in_h * in_w * depth;
        for (int32_t oy = 0; oy < p->output.h; ++oy) {
            for (int32_t ox = 0; ox < p->output.w; ++ox) {
                const window_t w = window_at(p, oy, ox);
                int16_t *out = output + (((size_t)b * p->output.h + oy) * p->output.w + ox) * depth;
                for (int32_t c = 0; c < depth; ++c) {
                    out[c] = INT16_MIN;
                }
                for (int32_t fy = w.fy0; fy < w.fy1; ++fy) {
                    for (int32_t fx = w.fx0; fx < w.fx1; ++fx) {
                        const int16_t *in =
                            in_b + ((size_t)(w.iy0 + fy) * in_w + (w.ix0 + fx)) * depth;
                        for (int32_t c = 0; c < depth; ++c) {
                            out[c] = in[c] > out[c] ? in[c] : out[c];
                        }
                    }
                }
                for (int32_t c = 0; c < depth; ++c) {
                    out[c] = (int16_t)ADRT_CLAMP(out[c], p->act_min, p->act_max);
                }
            }
        }
    }
}

/* (sum +- count/2) / count, truncating: the sum divided by the tap count, halves away from 0. */
static inline int32_t average(int32_t sum, int32_t count, const adrt_pool_params_t *p) {
    const uint32_t mag = (uint32_t)(sum < 0 ? -sum : sum) + (uint32_t)(count / 2);
    const uint32_t q = p->recip != NULL
                           ? (uint32_t)(((uint64_t)mag * p->recip[count - p->count_lo]) >> 40)
                           : mag / (uint32_t)count;
    return sum < 0 ? -(int32_t)q : (int32_t)q;
}

void adrt_avg_pool2d_s16(const adrt_pool_params_t *p, const int16_t *input, int16_t *output) {
    const int32_t in_h = p->input.h, in_w = p->input.w, depth = p->input.c;
    enum { CHUNK = 64 };
    int32_t acc[CHUNK];
    for (int32_t b = 0; b < p->input.n; ++b) {
        const int16_t *in_b = input + (size_t)b * in_h * in_w * depth;
        for (int32_t oy = 0; oy < p->output.h; ++oy) {
            for (int32_t ox = 0; ox < p->output.w; ++ox) {
                const window_t w = window_at(p, oy, ox);
                const int32_t count = (w.fy1 - w.fy0) * (w.fx1 - w.fx0);
                int16_t *out = output + (((size_t)b * p->output.h + oy) * p->output.w + ox) * depth;
                for (int32_t c0 = 0; c0 < depth; c0 += CHUNK) {
                    const int32_t n = ADRT_MIN(CHUNK, depth - c0);
                    for (int32_t c = 0; c < n; ++c) {
                        acc[c] = 0;
                    }
                    for (int32_t fy = w.fy0; fy < w.fy1; ++fy) {
                        for (int32_t fx = w.fx0; fx < w.fx1; ++fx) {
                            const int16_t *in =
                                in_b + ((size_t)(w.iy0 + fy) * in_w + (w.ix0 + fx)) * depth + c0;
                            for (int32_t c = 0; c < n; ++c) {
                                acc[c] += in[c];
                            }
                        }
                    }
                    for (int32_t c = 0; c < n; ++c) {
                        const int32_t v = count > 0 ? average(acc[c], count, p) : 0;
                        out[c0 + c] = (int16_t)ADRT_CLAMP(v, p->act_min, p->act_max);
                    }
                }
            }
        }
    }
}
