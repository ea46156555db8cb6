#include "adrt/conv.h"

static inline int8_t requant(int32_t acc, int32_t mult, int32_t shift,
                             const adrt_conv2d_params_t *p) {
    acc = adrt_mul_by_quantized_multiplier(acc, mult, shift) + p->output_offset;
    return (int8_t)ADRT_CLAMP(acc, p->act_min, p->act_max);
}

void adrt_conv2d_s8(const adrt_conv2d_params_t *p, const int8_t *input, const int8_t *filter,
                    const int32_t *bias, int8_t *output) {
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t out_h = p->output.h, out_w = p->output.w, out_c = p->output.c;
    const int32_t fh = p->filter.h, fw = p->filter.w, fc = p->filter.c;
    const int32_t dh = p->dilation_h, dw = p->dilation_w;
    const int32_t oc_per_group = out_c / p->groups;
    const int32_t filter_size = fh * fw * fc;
    /* One filter row is contiguous in the input when taps are adjacent and cover all channels. */
    const int row_contiguous = (dw == 1) && (fc == in_c);

    for (int32_t b = 0; b < p->input.n; ++b) {
        const int8_t *in_b = input + (size_t)b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            const int y_inside = iy0 >= 0 && iy0 + (fh - 1) * dh < in_h;
            int32_t fy0, fy1; /* taps inside the image, for border pixels */
            adrt_tap_range(iy0, dh, fh, in_h, &fy0, &fy1);
            for (int32_t ox = 0; ox < out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                const int inside = y_inside && ix0 >= 0 && ix0 + (fw - 1) * dw < in_w;
                int32_t fx0, fx1;
                adrt_tap_range(ix0, dw, fw, in_w, &fx0, &fx1);
                int8_t *out = output + (((size_t)b * out_h + oy) * out_w + ox) * out_c;
                const int8_t *in_px = inside ? in_b + ((size_t)iy0 * in_w + ix0) * in_c : in_b;
                for (int32_t g = 0; g < p->groups; ++g) {
                    const int32_t oc_end = (g + 1) * oc_per_group;
                    for (int32_t oc = g * oc_per_group; oc < oc_end; ++oc) {
                        const int8_t *f = filter + (size_t)oc * filter_size;
                        int32_t acc;
                        if (inside) {
                            acc = p->kernel_sum[oc];
                            if (row_contiguous) {
                                const int32_t row_len = fw * fc;
                                for (int32_t fy = 0; fy < fh; ++fy) {
                                    const int8_t *x = in_px + (size_t)fy * dh * in_w * in_c;
                                    const int8_t *fr = f + fy * row_len;
                                    for (int32_t i = 0; i < row_len; ++i) {
                                        acc += (int32_t)fr[i] * x[i];
                                    }
                                }
                            } else {
                                for (int32_t fy = 0; fy < fh; ++fy) {
                                    for (int32_t fx = 0; fx < fw; ++fx) {
                                        const int8_t *x =
                                            in_px + ((size_t)fy * dh * in_w + fx * dw) * in_c +
                                            g * fc;
                                        const int8_t *fp = f + (fy * fw + fx) * fc;
                                        for (int32_t i = 0; i < fc; ++i) {
                                            acc += (int32_t)fp[i] * x[i];
                                        }
                                    }
                                }
                            }
                        } else {
                            const int32_t off = p->input_offset;
                            acc = bias != NULL ? bias[oc] : 0;
                            for (int32_t fy = fy0; fy < fy1; ++fy) {
                                const int32_t iy = iy0 + fy * dh;
                                for (int32_t fx = fx0; fx < fx1; ++fx) {
                                    const int32_t ix = ix0 + fx * dw;
                                    const int8_t *x =
                                        in_b + ((size_t)iy * in_w + ix) * in_c + g * fc;
                                    const int8_t *fp = f + (fy * fw + fx) * fc;
                                    for (int32_t i = 0; i < fc; ++i) {
                                        acc += (int32_t)fp[i] * ((int32_t)x[i] + off);
                                    }
                                }
                            }
                        }
                        out[oc] = requant(acc, p->multiplier[oc], p->shift[oc], p);
                    }
                }
            }
        }
    }
}
