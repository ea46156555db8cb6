#include "adrt/pooling.h"

#include <string.h>

void adrt_max_pool2d_s8(const adrt_pool_params_t *p, const int8_t *input, int8_t *output) {
    const int32_t in_h = p->input.h, in_w = p->input.w, depth = p->input.c;
    const int32_t out_h = p->output.h, out_w = p->output.w;
    int8_t lo = (int8_t)p->act_min, hi = (int8_t)p->act_max;
    for (int32_t b = 0; b < p->input.n; ++b) {
        const int8_t *in_b = input + (size_t)b * in_h * in_w * depth;
        for (int32_t oy = 0; oy < out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            int32_t fy0, fy1;
            adrt_tap_range(iy0, 1, p->filter_h, in_h, &fy0, &fy1);
            for (int32_t ox = 0; ox < out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                int32_t fx0, fx1;
                adrt_tap_range(ix0, 1, p->filter_w, in_w, &fx0, &fx1);
                int8_t *out = output + (((size_t)b * out_h + oy) * out_w + ox) * depth;
                memset(out, 0x80, (size_t)depth);
                for (int32_t fy = fy0; fy < fy1; ++fy) {
                    for (int32_t fx = fx0; fx < fx1; ++fx) {
                        const int8_t *in = in_b + ((size_t)(iy0 + fy) * in_w + (ix0 + fx)) * depth;
                        for (int32_t c = 0; c < depth; ++c) {
                            out[c] = in[c] > out[c] ? in[c] : out[c];
                        }
                    }
                }
                for (int32_t c = 0; c < depth; ++c) {
                    out[c] = out[c] < lo ? lo : (out[c] > hi ? hi : out[c]);
                }
            }
        }
    }
}

/* Rounded division of a window sum by its tap count: (sum +- count/2) / count, truncating. */
static inline int32_t avg_div(int32_t sum, int32_t count, const adrt_pool_params_t *p) {
    const uint32_t mag = (uint32_t)(sum < 0 ? -sum : sum) + (uint32_t)(count / 2);
    uint32_t q;
    if (p->recip != NULL) {
        q = (uint32_t)(((uint64_t)mag * p->recip[count - p->count_lo]) >> 40);
    } else {
        q = mag / (uint32_t)count;
    }
    return sum < 0 ? -(int32_t)q : (int32_t)q;
}

void adrt_avg_pool2d_s8(const adrt_pool_params_t *p, const int8_t *input, int8_t *output) {
    const int32_t in_h = p->input.h, in_w = p->input.w, depth = p->input.c;
    const int32_t out_h = p->output.h, out_w = p->output.w;
    /* Channel sums of one output pixel; processed in chunks to bound stack use. */
    enum { CHUNK = 64 };
    int32_t acc[CHUNK];
    for (int32_t b = 0; b < p->input.n; ++b) {
        const int8_t *in_b = input + (size_t)b * in_h * in_w * depth;
        for (int32_t oy = 0; oy < out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            int32_t fy0, fy1;
            adrt_tap_range(iy0, 1, p->filter_h, in_h, &fy0, &fy1);
            for (int32_t ox = 0; ox < out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                int32_t fx0, fx1;
                adrt_tap_range(ix0, 1, p->filter_w, in_w, &fx0, &fx1);
                const int32_t count = (fy1 - fy0) * (fx1 - fx0);
                int8_t *out = output + (((size_t)b * out_h + oy) * out_w + ox) * depth;
                for (int32_t c0 = 0; c0 < depth; c0 += CHUNK) {
                    const int32_t n = ADRT_MIN(CHUNK, depth - c0);
                    for (int32_t c = 0; c < n; ++c) {
                        acc[c] = 0;
                    }
                    for (int32_t fy = fy0; fy < fy1; ++fy) {
                        for (int32_t fx = fx0; fx < fx1; ++fx) {
                            const int8_t *in =
                                in_b + ((size_t)(iy0 + fy) * in_w + (ix0 + fx)) * depth + c0;
                            for (int32_t c = 0; c < n; ++c) {
                                acc[c] += in[c];
                            }
                        }
                    }
                    for (int32_t c = 0; c < n; ++c) {
                        int32_t v = count > 0 ? avg_div(acc[c], count, p) : 0;
                        out[c0 + c] = (int8_t)ADRT_CLAMP(v, p->act_min, p->act_max);
                    }
                }
            }
        }
    }
}
