#include "adrt/transpose_conv_s16.h"

#include "transpose_taps.h"

/* acc + the products of the taps (ty x tx) that reach one output pixel, for the output channel
 * whose filter is f (fh x fw x in_c). */
static int64_t accumulate(const adrt_transpose_conv_geometry_t *g, const int16_t *in_b,
                          const int8_t *f, int64_t acc, adrt_axis_taps_t ty, adrt_axis_taps_t tx) {
    const int32_t in_w = g->input.w, in_c = g->input.c, fw = g->filter.w;
    for (int32_t ky = 0; ky < ty.count; ++ky) {
        const int16_t *x_row = in_b + (size_t)(ty.pos - ky) * in_w * in_c;
        const int8_t *f_row = f + (size_t)(ty.tap + ky * g->stride_h) * fw * in_c;
        for (int32_t kx = 0; kx < tx.count; ++kx) {
            acc += adrt_dot_s16_s8(x_row + (size_t)(tx.pos - kx) * in_c,
                                   f_row + (size_t)(tx.tap + kx * g->stride_w) * in_c, in_c);
        }
    }
    return acc;
}

void adrt_transpose_conv_s16(const adrt_transpose_conv_s16_params_t *p, const int16_t *input,
                             const int8_t *filter, const int64_t *bias, int16_t *output) {
    const adrt_transpose_conv_geometry_t *g = &p->geometry;
    const int32_t in_h = g->input.h, in_w = g->input.w, in_c = g->input.c;
    const int32_t sh = g->stride_h, sw = g->stride_w;
    const size_t filter_oc = (size_t)g->filter.h * g->filter.w * in_c;

    for (int32_t b = 0; b < g->output.n; ++b) {
        const int16_t *in_b = input + (size_t)b * in_h * in_w * in_c;
        adrt_tap_phase_t py = adrt_first_phase(g->pad_h, sh);
        for (int32_t oy = 0; oy < g->output.h; ++oy, adrt_next_phase(&py, sh)) {
            const adrt_axis_taps_t ty = adrt_axis_taps(py, sh, g->filter.h, in_h);
            adrt_tap_phase_t px = adrt_first_phase(g->pad_w, sw);
            for (int32_t ox = 0; ox < g->output.w; ++ox, adrt_next_phase(&px, sw)) {
                const adrt_axis_taps_t tx = adrt_axis_taps(px, sw, g->filter.w, in_w);
                for (int32_t oc = 0; oc < g->output.c; ++oc) {
                    const int64_t acc = accumulate(g, in_b, filter + oc * filter_oc,
                                                   bias != NULL ? bias[oc] : 0, ty, tx);
                    const int32_t v = adrt_requant_s64(acc, p->multiplier[oc], p->shift[oc]);
                    *output++ = (int16_t)ADRT_CLAMP(v, p->act_min, p->act_max);
                }
            }
        }
    }
}
