#include "adrt/conv_s16.h"

static inline int16_t finish(int64_t acc, int32_t mult, int32_t shift, int32_t lo, int32_t hi) {
    const int32_t v = adrt_requant_s64(acc, mult, shift);
    return (int16_t)ADRT_CLAMP(v, lo, hi);
}

void adrt_conv2d_s16(const adrt_conv2d_s16_params_t *p, const int16_t *input, const int8_t *filter,
                     const int64_t *bias, int16_t *output) {
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t out_h = p->output.h, out_w = p->output.w, out_c = p->output.c;
    const int32_t fh = p->filter.h, fw = p->filter.w, fc = p->filter.c;
    const int32_t dh = p->dilation_h, dw = p->dilation_w;
    const int32_t oc_per_group = out_c / p->groups;
    const int32_t filter_size = fh * fw * fc;
    /* The taps of one filter row are contiguous in the input when they are adjacent and cover
     * every input channel. */
    const int row_contiguous = (dw == 1) && (fc == in_c);

    for (int32_t b = 0; b < p->input.n; ++b) {
        const int16_t *in_b = input + (size_t)b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            int32_t fy0, fy1;
            adrt_tap_range(iy0, dh, fh, in_h, &fy0, &fy1);
            for (int32_t ox = 0; ox < out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                int32_t fx0, fx1;
                adrt_tap_range(ix0, dw, fw, in_w, &fx0, &fx1);
                int16_t *out = output + (((size_t)b * out_h + oy) * out_w + ox) * out_c;
                for (int32_t oc = 0, g = 0; oc < out_c; ++oc) {
                    if (oc == (g + 1) * oc_per_group) {
                        ++g;
                    }
                    const int8_t *f = filter + (size_t)oc * filter_size;
                    int64_t acc = bias != NULL ? bias[oc] : 0;
                    for (int32_t fy = fy0; fy < fy1; ++fy) {
                        const int16_t *row = in_b + (size_t)(iy0 + fy * dh) * in_w * in_c;
                        if (row_contiguous) {
                            if (fx1 > fx0) {
                                acc += adrt_dot_s16_s8(row + (size_t)(ix0 + fx0) * in_c,
                                                       f + (fy * fw + fx0) * fc, (fx1 - fx0) * fc);
                            }
                            continue;
                        }
                        for (int32_t fx = fx0; fx < fx1; ++fx) {
                            const int16_t *x = row + (size_t)(ix0 + fx * dw) * in_c + g * fc;
                            acc += adrt_dot_s16_s8(x, f + (fy * fw + fx) * fc, fc);
                        }
                    }
                    out[oc] = finish(acc, p->multiplier[oc], p->shift[oc], p->act_min, p->act_max);
                }
            }
        }
    }
}

enum { DW_CHUNK = 32 };

void adrt_depthwise_conv2d_s16(const adrt_conv2d_s16_params_t *p, const int16_t *input,
                               const int8_t *filter, const int64_t *bias, int16_t *output) {
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t out_h = p->output.h, out_w = p->output.w, out_c = p->output.c;
    const int32_t fh = p->filter.h, fw = p->filter.w;
    const int32_t dh = p->dilation_h, dw = p->dilation_w, dm = p->depth_multiplier;
    int64_t acc[DW_CHUNK];

    for (int32_t b = 0; b < p->input.n; ++b) {
        const int16_t *in_b = input + (size_t)b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            int32_t fy0, fy1;
            adrt_tap_range(iy0, dh, fh, in_h, &fy0, &fy1);
            for (int32_t ox = 0; ox < out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                int32_t fx0, fx1;
                adrt_tap_range(ix0, dw, fw, in_w, &fx0, &fx1);
                int16_t *out = output + (((size_t)b * out_h + oy) * out_w + ox) * out_c;
                for (int32_t oc0 = 0; oc0 < out_c; oc0 += DW_CHUNK) {
                    const int32_t n = ADRT_MIN(DW_CHUNK, out_c - oc0);
                    /* output channel oc0 reads input channel ic0 (its multiplier index m0) */
                    const int32_t ic0 = oc0 / dm, m0 = oc0 - ic0 * dm;
                    for (int32_t k = 0; k < n; ++k) {
                        acc[k] = bias != NULL ? bias[oc0 + k] : 0;
                    }
                    for (int32_t fy = fy0; fy < fy1; ++fy) {
                        const int32_t iy = iy0 + fy * dh;
                        for (int32_t fx = fx0; fx < fx1; ++fx) {
                            const int16_t *x = in_b + ((size_t)iy * in_w + ix0 + fx * dw) * in_c;
                            const int8_t *f = filter + (size_t)(fy * fw + fx) * out_c + oc0;
                            if (dm == 1) {
                                for (int32_t k = 0; k < n; ++k) {
                                    acc[k] += (int32_t)f[k] * x[oc0 + k];
                                }
                                continue;
                            }
                            for (int32_t k = 0, ic = ic0, m = m0; k < n; ++k) {
                                acc[k] += (int32_t)f[k] * x[ic];
                                if (++m == dm) {
                                    m = 0;
                                    ++ic;
                                }
                            }
                        }
                    }
                    for (int32_t k = 0; k < n; ++k) {
                        const int32_t oc = oc0 + k;
                        out[oc] =
                            finish(acc[k], p->multiplier[oc], p->shift[oc], p->act_min, p->act_max);
                    }
                }
            }
        }
    }
}

/* Bit length of a 64-bit value (0 for 0). */
static int bit_length(uint64_t v) {
    int n = 0;
    while (v >= ((uint64_t)1 << 16)) {
        v >>= 16;
        n += 16;
    }
    while (v != 0) {
        v >>= 1;
        ++n;
    }
    return n;
}

/* (int32)round(double(acc) * mantissa * 2^exponent) as LiteRT computes it (see conv_s16.h). */
static int32_t scale_like_double(int64_t acc, uint64_t mantissa, int32_t exponent) {
    const uint64_t a = acc < 0 ? 0 - (uint64_t)acc : (uint64_t)acc;
    if (a == 0 || mantissa == 0) {
        return 0;
    }
    /* The exact product a * mantissa (both below 2^53) in hi:lo. */
    const uint64_t a_lo = a & 0xFFFFFFFFu, a_hi = a >> 32;
    const uint64_t m_lo = mantissa & 0xFFFFFFFFu, m_hi = mantissa >> 32;
    const uint64_t ll = a_lo * m_lo, lh = a_lo * m_hi, hl = a_hi * m_lo;
    const uint64_t mid = (ll >> 32) + (lh & 0xFFFFFFFFu) + (hl & 0xFFFFFFFFu);
    const uint64_t lo = (mid << 32) | (ll & 0xFFFFFFFFu);
    const uint64_t hi = a_hi * m_hi + (lh >> 32) + (hl >> 32) + (mid >> 32);
    const int bits = hi != 0 ? 64 + bit_length(hi) : bit_length(lo);
    /* The double product: 53 significant bits, nearest with ties to even (k <= 53). */
    const int k = bits > 53 ? bits - 53 : 0;
    uint64_t q = lo;
    if (k > 0) {
        const uint64_t rem = lo & (((uint64_t)1 << k) - 1), half = (uint64_t)1 << (k - 1);
        q = (lo >> k) | (hi << (64 - k));
        if (rem > half || (rem == half && (q & 1u))) {
            ++q;
        }
    }
    /* q * 2^t rounded to an integer, halves away from zero; q < 2^54. */
    const int32_t t = exponent + k;
    uint64_t r;
    if (t >= 0) {
        if (t >= 31 || q >= ((uint64_t)1 << (31 - t))) {
            return INT32_MIN;
        }
        r = q << t;
    } else {
        r = -t > 55 ? 0 : (q + ((uint64_t)1 << (-t - 1))) >> -t;
    }
    if (r >= ((uint64_t)1 << 31)) {
        return INT32_MIN;
    }
    return acc < 0 ? -(int32_t)r : (int32_t)r;
}

void adrt_fully_connected_s16(const adrt_fully_connected_s16_params_t *p, const int16_t *input,
                              const int8_t *weights, const int64_t *bias, int16_t *output) {
    const int32_t depth = p->depth, out_c = p->out_c;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int16_t *x = input + (size_t)b * depth;
        int16_t *out = output + (size_t)b * out_c;
        const uint64_t *mantissa = p->scale_mantissa;
        const int32_t *exponent = p->scale_exponent;
        for (int32_t oc = 0; oc < out_c; ++oc) {
            int64_t acc = bias != NULL ? bias[oc] : 0;
            acc += adrt_dot_s16_s8(x, weights + (size_t)oc * depth, depth);
            const int32_t v = scale_like_double(acc, *mantissa, *exponent);
            out[oc] = (int16_t)ADRT_CLAMP(v, p->act_min, p->act_max);
            mantissa += p->scale_stride;
            exponent += p->scale_stride;
        }
    }
}
