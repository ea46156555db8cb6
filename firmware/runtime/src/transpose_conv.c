#include "adrt/transpose_conv.h"

#include "transpose_taps.h"

/* sum over in_c of (x + input_offset) * f */
static inline int32_t dot(const int8_t *x, const int8_t *f, int32_t n, int32_t input_offset) {
    int32_t acc = 0;
    for (int32_t i = 0; i < n; ++i) {
        acc += (x[i] + input_offset) * f[i];
    }
    return acc;
}

void adrt_transpose_conv_s8(const adrt_transpose_conv_params_t *p, const int8_t *input,
                            const int8_t *filter, const int32_t *bias, int8_t *output) {
    const adrt_transpose_conv_geometry_t *g = &p->geometry;
    const int32_t in_h = g->input.h, in_w = g->input.w, in_c = g->input.c;
    const int32_t fh = g->filter.h, fw = g->filter.w;
    const int32_t sh = g->stride_h, sw = g->stride_w;
    const size_t filter_oc = (size_t)fh * fw * in_c;

    for (int32_t b = 0; b < g->output.n; ++b) {
        const int8_t *in_b = input + (size_t)b * in_h * in_w * in_c;
        adrt_tap_phase_t py = adrt_first_phase(g->pad_h, sh);
        for (int32_t oy = 0; oy < g->output.h; ++oy, adrt_next_phase(&py, sh)) {
            const adrt_axis_taps_t ty = adrt_axis_taps(py, sh, fh, in_h);
            adrt_tap_phase_t px = adrt_first_phase(g->pad_w, sw);
            for (int32_t ox = 0; ox < g->output.w; ++ox, adrt_next_phase(&px, sw)) {
                const adrt_axis_taps_t tx = adrt_axis_taps(px, sw, fw, in_w);
                for (int32_t oc = 0; oc < g->output.c; ++oc) {
                    const int8_t *f_oc = filter + oc * filter_oc;
                    int32_t acc = bias ? bias[oc] : 0;
                    for (int32_t ky = 0; ky < ty.count; ++ky) {
                        const int8_t *x_row = in_b + (size_t)(ty.pos - ky) * in_w * in_c;
                        const int8_t *f_row = f_oc + (size_t)(ty.tap + ky * sh) * fw * in_c;
                        for (int32_t kx = 0; kx < tx.count; ++kx) {
                            acc += dot(x_row + (size_t)(tx.pos - kx) * in_c,
                                       f_row + (size_t)(tx.tap + kx * sw) * in_c, in_c,
                                       p->input_offset);
                        }
                    }
                    acc = adrt_mul_by_quantized_multiplier(acc, p->multiplier[oc], p->shift[oc]) +
                          p->output_offset;
                    *output++ = (int8_t)ADRT_CLAMP(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}
