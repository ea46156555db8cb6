#include "adrt/transpose_conv.h"

/* Filter taps t = first, first + stride, ... of one axis that reach output position o: the input
 * position is (o + pad - t) / stride = q - k for tap first + k * stride. `q` and `first` are the
 * quotient and remainder of o + pad by the stride, kept up to date as o advances. */
typedef struct {
    int32_t q, first;
} adrt_tap_phase_t;

static inline void next_phase(adrt_tap_phase_t *ph, int32_t stride) {
    if (++ph->first == stride) {
        ph->first = 0;
        ++ph->q;
    }
}

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
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t fh = p->filter.h, fw = p->filter.w;
    const int32_t out_c = p->output.c;
    const size_t filter_row = (size_t)fw * (size_t)in_c;
    const size_t filter_oc = (size_t)fh * filter_row;
    const adrt_tap_phase_t y0 = {p->pad_h / p->stride_h, p->pad_h % p->stride_h};
    const adrt_tap_phase_t x0 = {p->pad_w / p->stride_w, p->pad_w % p->stride_w};

    for (int32_t b = 0; b < p->output.n; ++b) {
        const int8_t *in_b = input + (size_t)b * in_h * in_w * in_c;
        adrt_tap_phase_t py = y0;
        for (int32_t oy = 0; oy < p->output.h; ++oy, next_phase(&py, p->stride_h)) {
            adrt_tap_phase_t px = x0;
            for (int32_t ox = 0; ox < p->output.w; ++ox, next_phase(&px, p->stride_w)) {
                for (int32_t oc = 0; oc < out_c; ++oc) {
                    int32_t acc = bias ? bias[oc] : 0;
                    for (int32_t ty = py.first, iy = py.q; ty < fh && iy >= 0;
                         ty += p->stride_h, --iy) {
                        if (iy >= in_h) {
                            continue;
                        }
                        const int8_t *f_row = filter + oc * filter_oc + (size_t)ty * filter_row;
                        const int8_t *x_row = in_b + (size_t)iy * in_w * in_c;
                        for (int32_t tx = px.first, ix = px.q; tx < fw && ix >= 0;
                             tx += p->stride_w, --ix) {
                            if (ix < in_w) {
                                acc += dot(x_row + (size_t)ix * in_c, f_row + (size_t)tx * in_c,
                                           in_c, p->input_offset);
                            }
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
