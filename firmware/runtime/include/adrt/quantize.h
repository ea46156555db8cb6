/* QUANTIZE (float32 -> int8) and DEQUANTIZE (int8/uint8 -> float32).
 *
 * int8 <-> int8/uint8 requantization is a lookup table (adrt/activation.h).
 *
 * QUANTIZE matches LiteRT's round(x / scale) + zero_point (float32 division, halves away from
 * zero, then clamping) without a per-element division: the generator precomputes, for each output
 * value q in [-127, 127], the least float input whose result is >= q. The kernel estimates q with
 * one float multiply and corrects it against those exact thresholds. Inputs that TFLite itself
 * cannot convert (NaN, or |x / scale| beyond int32) saturate instead: NaN -> -128.
 *
 * DEQUANTIZE computes (float)(x - zero_point) * scale in float32, which is bit-identical to
 * TFLite's double product rounded to float (the exact product fits a double, and a float32
 * multiply rounds the exact product once as well).
 */
#ifndef ADRT_QUANTIZE_H
#define ADRT_QUANTIZE_H

#include "adrt/common.h"

typedef struct {
    int32_t size;
    float inv_scale;         /* 1 / scale, only for the first estimate */
    float zero_point;        /* output zero point, as a float */
    const float *thresholds; /* 255 entries: thresholds[q + 127] = least x giving output >= q */
} adrt_quantize_f32_s8_params_t;

/* Per tensor: channels = 1, inner = size. Per channel along dimension d: outer = product of the
 * dimensions before d, channels = dims[d], inner = product of the dimensions after d. */
typedef struct {
    int32_t outer;
    int32_t channels;
    int32_t inner;
    const float *scales;        /* per channel */
    const int32_t *zero_points; /* per channel */
} adrt_dequantize_params_t;

void adrt_quantize_f32_s8(const adrt_quantize_f32_s8_params_t *params, const float *input,
                          int8_t *output);
void adrt_dequantize_s8_f32(const adrt_dequantize_params_t *params, const int8_t *input,
                            float *output);
void adrt_dequantize_u8_f32(const adrt_dequantize_params_t *params, const uint8_t *input,
                            float *output);

#endif /* ADRT_QUANTIZE_H */
