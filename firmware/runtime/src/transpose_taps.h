/* The filter taps that reach one output pixel of a transposed convolution, gathered one axis at a
 * time (see adrt/transpose_conv.h). Along an axis, filter tap t feeds output position o from input
 * position (o + pad - t) / stride when the division is exact: the taps t = first, first + stride,
 * ... with first = (o + pad) % stride, meeting input positions q, q - 1, ... with
 * q = (o + pad) / stride. Quotient and remainder advance with o, so no pixel needs a division.
 */
#ifndef ADRT_TRANSPOSE_TAPS_H
#define ADRT_TRANSPOSE_TAPS_H

#include "adrt/common.h"

typedef struct {
    int32_t q, first;
} adrt_tap_phase_t;

/* The phase of output position 0 (one division per layer). */
static inline adrt_tap_phase_t adrt_first_phase(int32_t pad, int32_t stride) {
    const adrt_tap_phase_t ph = {pad / stride, pad % stride};
    return ph;
}

static inline void adrt_next_phase(adrt_tap_phase_t *ph, int32_t stride) {
    if (++ph->first == stride) {
        ph->first = 0;
        ++ph->q;
    }
}

/* Taps tap + k * stride meet input positions pos - k, for k < count: the ones inside both the
 * filter (taps long) and the input (size long). */
typedef struct {
    int32_t tap, pos, count;
} adrt_axis_taps_t;

static inline adrt_axis_taps_t adrt_axis_taps(adrt_tap_phase_t ph, int32_t stride, int32_t taps,
                                              int32_t size) {
    adrt_axis_taps_t a = {ph.first, ph.q, 0};
    while (a.pos >= size && a.tap < taps) {
        a.tap += stride;
        --a.pos;
    }
    for (int32_t t = a.tap, i = a.pos; t < taps && i >= 0; t += stride, --i) {
        ++a.count;
    }
    return a;
}

#endif /* ADRT_TRANSPOSE_TAPS_H */
