/* QUANTIZE and DEQUANTIZE to and from int16 (TFLite's 16x8 scheme's model inputs and outputs, and
 * requantization between int8 and int16).
 *
 * Requantization computes TFLite's reference Requantize: clamp(MultiplyByQuantizedMultiplier(x -
 * input zero point) + output zero point) to the output type. From int8 it is a 256-entry table
 * (the generator evaluates it); from int16 the kernel computes it.
 *
 * QUANTIZE float32 -> int16 matches LiteRT's round(x / scale) + zero_point (float32 division,
 * halves away from zero, then clamping) without a per-element division: a first estimate from one
 * multiply is corrected against the exact bounds of each output value. round(fl32(x / s)) >= n
 * exactly when fl32(x / s) reaches the least float32 g that rounds to n or more, i.e. when x / s
 * lies above the midpoint between g and the float below it: x > midpoint * s, which double
 * precision computes exactly (a 25-bit midpoint times a 24-bit scale). Inputs TFLite itself
 * cannot convert (NaN,
 * |x / scale| beyond int32) saturate instead: NaN -> -32768.
 *
 * DEQUANTIZE int16 -> float32 computes (float)(x - zero_point) * scale, bit-identical to TFLite's
 * double product rounded to float (the exact product fits a double).
 */
#ifndef ADRT_QUANTIZE_S16_H
#define ADRT_QUANTIZE_S16_H

#include "adrt/quantize.h"

typedef struct {
    int32_t size;
    int32_t input_offset; /* -input zero point */
    int32_t multiplier;   /* Q31 */
    int32_t shift;
    int32_t output_offset; /* output zero point */
} adrt_requantize_params_t;

typedef struct {
    int32_t size;
    const int16_t *table; /* 256 entries, indexed by the input byte */
} adrt_lut_s8_s16_params_t;

typedef struct {
    int32_t size;
    float inv_scale;  /* 1 / scale, for the first estimate only */
    float zero_point; /* output zero point, as a float */
    int32_t zero_point_int;
    double scale; /* the output scale (a float32 value) */
} adrt_quantize_f32_s16_params_t;

void adrt_requantize_s16(const adrt_requantize_params_t *params, const int16_t *input,
                         int16_t *output);
void adrt_requantize_s16_s8(const adrt_requantize_params_t *params, const int16_t *input,
                            int8_t *output);
void adrt_lut_s8_s16(const adrt_lut_s8_s16_params_t *params, const int8_t *input, int16_t *output);
void adrt_quantize_f32_s16(const adrt_quantize_f32_s16_params_t *params, const float *input,
                           int16_t *output);
/* Per tensor or per channel: adrt_dequantize_params_t as for int8 (adrt/quantize.h). */
void adrt_dequantize_s16_f32(const adrt_dequantize_params_t *params, const int16_t *input,
                             float *output);

#endif /* ADRT_QUANTIZE_S16_H */
