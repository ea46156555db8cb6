#include "adrt/depthwise.h"

enum { DW_CHUNK = 64 };

void adrt_depthwise_conv2d_s8(const adrt_depthwise_conv2d_params_t *p, const int8_t *input,
                              const int8_t *filter, const int32_t *bias, int8_t *output) {
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t out_h = p->output.h, out_w = p->output.w, out_c = p->output.c;
    const int32_t fh = p->filter.h, fw = p->filter.w;
    const int32_t dh = p->dilation_h, dw = p->dilation_w, dm = p->depth_multiplier;
    int32_t acc[DW_CHUNK];

    for (int32_t b = 0; b < p->input.n; ++b) {
        const int8_t *in_b = input + (size_t)b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            int32_t fy0, fy1;
            adrt_tap_range(iy0, dh, fh, in_h, &fy0, &fy1);
            for (int32_t ox = 0; ox < out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                int32_t fx0, fx1;
                adrt_tap_range(ix0, dw, fw, in_w, &fx0, &fx1);
                const int inside = iy0 >= 0 && iy0 + (fh - 1) * dh < in_h && ix0 >= 0 &&
                                   ix0 + (fw - 1) * dw < in_w;
                const int32_t off = inside ? 0 : p->input_offset;
                int8_t *out = output + (((size_t)b * out_h + oy) * out_w + ox) * out_c;
                /* Chunks of whole input channels (all their multiplier outputs). */
                const int32_t ic_chunk = dm <= DW_CHUNK ? DW_CHUNK / dm : 1;
                for (int32_t ic0 = 0; ic0 < in_c; ic0 += ic_chunk) {
                    const int32_t n_ic = ADRT_MIN(ic_chunk, in_c - ic0);
                    const int32_t oc0 = ic0 * dm;
                    const int32_t n_oc = n_ic * dm;
                    for (int32_t m0 = 0; m0 < n_oc; m0 += DW_CHUNK) {
                        const int32_t n = ADRT_MIN(DW_CHUNK, n_oc - m0);
                        for (int32_t k = 0; k < n; ++k) {
                            const int32_t oc = oc0 + m0 + k;
                            acc[k] = inside ? p->kernel_sum[oc] : (bias != NULL ? bias[oc] : 0);
                        }
                        for (int32_t fy = fy0; fy < fy1; ++fy) {
                            const int32_t iy = iy0 + fy * dh;
                            for (int32_t fx = fx0; fx < fx1; ++fx) {
                                const int32_t ix = ix0 + fx * dw;
                                const int8_t *x = in_b + ((size_t)iy * in_w + ix) * in_c + ic0;
                                const int8_t *f =
                                    filter + (size_t)(fy * fw + fx) * out_c + oc0 + m0;
                                if (dm == 1) {
                                    for (int32_t k = 0; k < n; ++k) {
                                        acc[k] += (int32_t)f[k] * ((int32_t)x[k] + off);
                                    }
                                } else {
                                    for (int32_t k = 0; k < n; ++k) {
                                        const int32_t xi = (int32_t)x[(m0 + k) / dm] + off;
                                        acc[k] += (int32_t)f[k] * xi;
                                    }
                                }
                            }
                        }
                        for (int32_t k = 0; k < n; ++k) {
                            const int32_t oc = oc0 + m0 + k;
                            int32_t v = adrt_mul_by_quantized_multiplier(acc[k], p->multiplier[oc],
                                                                         p->shift[oc]) +
                                        p->output_offset;
                            out[oc] = (int8_t)ADRT_CLAMP(v, p->act_min, p->act_max);
                        }
                    }
                }
            }
        }
    }
}
