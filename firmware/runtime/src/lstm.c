#include "adrt/lstm.h"

#include <string.h>

#include "adrt/fixed16.h"

static int32_t sat_mul_pot32(int32_t x, int32_t exponent) {
    const int32_t threshold = (int32_t)((1u << (31 - exponent)) - 1u);
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)x << exponent);
}

static int32_t leading_zeros(uint32_t x) {
    int32_t n = 0;
    while (!(x & 0x80000000u)) {
        x <<= 1;
        ++n;
    }
    return n;
}

/* 1 / sqrt(input) as a multiplier and (right) shift, by gemmlowp's Newton-Raphson in Q3.28, as
 * TFLite's GetInvSqrtQuantizedMultiplierExp with reverse_shift -1. Called once per row. */
static void inv_sqrt(int32_t input, int32_t *multiplier, int32_t *shift) {
    if (input <= 1) {
        *multiplier = INT32_MAX;
        *shift = 0;
        return;
    }
    int32_t exponent = 11;
    while (input >= (1 << 29)) {
        input >>= 2;
        ++exponent;
    }
    const int32_t pairs = (leading_zeros((uint32_t)input) - 1) / 2 - 1;
    exponent -= pairs;
    input <<= 2 * pairs;
    const int32_t half_input = adrt_rounding_divide_by_pot(input >> 1, 1);
    const int32_t three_halves = (1 << 28) + (1 << 27);
    int32_t x = 1 << 28;
    for (int i = 0; i < 5; ++i) {
        int32_t x3 =
            adrt_sat_rounding_doubling_high_mul(adrt_sat_rounding_doubling_high_mul(x, x), x);
        x3 = sat_mul_pot32(x3, 6);
        int32_t diff = (int32_t)((uint32_t)adrt_sat_rounding_doubling_high_mul(three_halves, x) -
                                 (uint32_t)adrt_sat_rounding_doubling_high_mul(half_input, x3));
        x = sat_mul_pot32(diff, 3);
    }
    x = adrt_sat_rounding_doubling_high_mul(x, 1518500250); /* * sqrt(2) / 2 */
    if (exponent < 0) {
        x = (int32_t)((uint32_t)x << -exponent);
        exponent = 0;
    }
    *multiplier = x;
    *shift = -exponent;
}

/* v / 1024 rounded toward zero (v / 2^10 in C). */
static int32_t div1024(int64_t v) {
    return (int32_t)(v >= 0 ? v >> 10 : -((-v) >> 10));
}

/* TFLite's integer layer normalization of each row of `n` gate values (Q3.12 out). */
static void layer_norm(int16_t *gate, const adrt_lstm_gate_t *g, int32_t rows, int32_t n) {
    const int32_t per_element = (1 << 20) / n; /* exact only for power-of-two n, as in TFLite */
    for (int32_t r = 0; r < rows; ++r) {
        int16_t *v = gate + (size_t)r * n;
        int64_t sum = 0, sum_sq = 0;
        for (int32_t j = 0; j < n; ++j) {
            sum += v[j];
            sum_sq += (int32_t)v[j] * v[j];
        }
        const int32_t mean = (int32_t)(sum * 1024 / n);
        const int64_t variance = sum_sq * per_element - (int64_t)mean * mean;
        int32_t variance2 = (int32_t)(variance >= 0 ? variance >> 20 : -((-variance) >> 20));
        if (variance2 < 1) {
            variance2 = g->variance_guard;
        }
        int32_t inv_multiplier, inv_shift;
        inv_sqrt(variance2, &inv_multiplier, &inv_shift);
        for (int32_t j = 0; j < n; ++j) {
            int32_t rescaled =
                adrt_mul_by_quantized_multiplier(1024 * v[j] - mean, inv_multiplier, inv_shift);
            /* int32 arithmetic that may wrap, as the reference's */
            int64_t scaled = (int32_t)((uint32_t)rescaled * (uint32_t)(int32_t)g->norm_weights[j] +
                                       (uint32_t)g->norm_bias[j]);
            int32_t rounded = div1024(scaled > 0 ? scaled + 512 : scaled - 512);
            int32_t out =
                adrt_mul_by_quantized_multiplier(rounded, g->norm_multiplier, g->norm_shift);
            v[j] = (int16_t)ADRT_CLAMP(out, INT16_MIN, INT16_MAX);
        }
    }
}

/* requant(bias[r] + w[r] . x) for row r of a [rows][cols] int8 matrix. */
static int32_t product_row(const int8_t *x, const int8_t *w, int32_t cols, int32_t bias,
                           int32_t multiplier, int32_t shift) {
    int32_t acc = bias;
    for (int32_t c = 0; c < cols; ++c) {
        acc += (int32_t)x[c] * w[c];
    }
    return adrt_mul_by_quantized_multiplier(acc, multiplier, shift);
}

/* gate += requant(W x + bias), saturated to int16 after each product as TFLite accumulates. */
static void accumulate_product(int16_t *gate, const int8_t *x, int32_t batches, int32_t cols,
                               const int8_t *w, const int32_t *bias, int32_t rows,
                               int32_t multiplier, int32_t shift) {
    for (int32_t b = 0; b < batches; ++b) {
        for (int32_t r = 0; r < rows; ++r) {
            int32_t v = product_row(x + (size_t)b * cols, w + (size_t)r * cols, cols, bias[r],
                                    multiplier, shift);
            gate[b * rows + r] = adrt_q15_add_sat(v, gate[b * rows + r]);
        }
    }
}

static void compute_gate(const adrt_lstm_params_t *p, const adrt_lstm_gate_t *g,
                         const int8_t *input, const int8_t *state, const int16_t *cell,
                         int32_t batches, int is_cell_gate, int16_t *gate) {
    const int32_t n = batches * p->cells;
    memset(gate, 0, (size_t)n * sizeof *gate);
    accumulate_product(gate, input, batches, p->input_size, g->input_weights, g->input_bias,
                       p->cells, g->input_multiplier, g->input_shift);
    accumulate_product(gate, state, batches, p->output_size, g->recurrent_weights,
                       g->recurrent_bias, p->cells, g->recurrent_multiplier, g->recurrent_shift);
    if (g->peephole_weights) {
        const int32_t len = p->peephole_length;
        for (int32_t b = 0; b < batches; ++b) {
            for (int32_t k = 0; k < len; ++k) {
                const int32_t i = b * len + k;
                int32_t v =
                    adrt_mul_by_quantized_multiplier((int32_t)g->peephole_weights[k] * cell[i],
                                                     g->peephole_multiplier, g->peephole_shift);
                gate[i] = adrt_q15_add_sat(v, gate[i]);
            }
        }
    }
    if (g->norm_weights) {
        layer_norm(gate, g, batches, p->cells);
    }
    for (int32_t i = 0; i < n; ++i) {
        gate[i] = is_cell_gate ? adrt_q15_tanh(gate[i], 3) : adrt_q15_logistic(gate[i]);
    }
}

/* c = sat16(f * c + i * g) (i = 1 - f with CIFG), then the clip. */
static void update_cell(const adrt_lstm_params_t *p, int16_t *cell, const int16_t *in_gate,
                        const int16_t *forget, const int16_t *cell_gate, int32_t n) {
    const int32_t shift = 30 + p->cell_shift;
    for (int32_t i = 0; i < n; ++i) {
        int16_t kept = adrt_q15_mul_shift(forget[i], cell[i], 15);
        int16_t in = p->use_cifg ? (int16_t)(INT16_MAX - forget[i]) : in_gate[i];
        int16_t added = adrt_q15_mul_shift(in, cell_gate[i], shift);
        int16_t c = adrt_q15_add_sat(kept, added);
        if (p->cell_clip > 0) {
            c = (int16_t)ADRT_CLAMP(c, -p->cell_clip, p->cell_clip);
        }
        cell[i] = c;
    }
}

static int8_t hidden_value(const adrt_lstm_params_t *p, int16_t out_gate, int16_t tanh_cell) {
    int32_t v = adrt_mul_by_quantized_multiplier((int32_t)out_gate * tanh_cell,
                                                 p->hidden_multiplier, p->hidden_shift);
    v += p->hidden_offset;
    return (int8_t)ADRT_CLAMP(v, -128, 127);
}

/* h = o * tanh(c), requantized to int8, through the projection when there is one. */
static void update_output(const adrt_lstm_params_t *p, const int16_t *cell, const int16_t *out_gate,
                          int16_t *tanh_cell, int8_t *hidden, int32_t batches, int8_t *state) {
    const int32_t n = batches * p->cells;
    for (int32_t i = 0; i < n; ++i) {
        tanh_cell[i] = adrt_q15_tanh(cell[i], 15 + p->cell_shift);
    }
    if (!p->projection_weights) {
        for (int32_t i = 0; i < n; ++i) {
            state[i] = hidden_value(p, out_gate[i], tanh_cell[i]);
        }
        return;
    }
    for (int32_t i = 0; i < n; ++i) {
        hidden[i] = hidden_value(p, out_gate[i], tanh_cell[i]);
    }
    for (int32_t b = 0; b < batches; ++b) {
        for (int32_t r = 0; r < p->output_size; ++r) {
            int32_t v = product_row(
                hidden + (size_t)b * p->cells, p->projection_weights + (size_t)r * p->cells,
                p->cells, p->projection_bias[r], p->projection_multiplier, p->projection_shift);
            v = ADRT_CLAMP(v + p->output_zero_point, -128, 127);
            if (p->projection_clip > 0) {
                v = ADRT_CLAMP(v, -p->projection_clip, p->projection_clip);
            }
            state[b * p->output_size + r] = (int8_t)v;
        }
    }
}

static void step(const adrt_lstm_params_t *p, const int8_t *input, int8_t *state, int16_t *cell,
                 int8_t *output, int32_t batches, int16_t *gates, int8_t *hidden) {
    const int32_t n = batches * p->cells;
    int16_t *in_gate = gates, *forget = gates + n, *cell_gate = gates + 2 * n;
    int16_t *out_gate = gates + 3 * n;
    const adrt_lstm_gate_t *g = p->gate;
    if (!p->use_cifg) {
        compute_gate(p, &g[ADRT_LSTM_INPUT_GATE], input, state, cell, batches, 0, in_gate);
    }
    compute_gate(p, &g[ADRT_LSTM_FORGET_GATE], input, state, cell, batches, 0, forget);
    compute_gate(p, &g[ADRT_LSTM_CELL_GATE], input, state, cell, batches, 1, cell_gate);
    update_cell(p, cell, in_gate, forget, cell_gate, n);
    compute_gate(p, &g[ADRT_LSTM_OUTPUT_GATE], input, state, cell, batches, 0, out_gate);
    /* the input gate's buffer is free again: it takes tanh(c) */
    update_output(p, cell, out_gate, in_gate, hidden, batches, state);
    memcpy(output, state, (size_t)batches * (size_t)p->output_size);
}

void adrt_lstm_s8(const adrt_lstm_params_t *p, const int8_t *input, int8_t *output,
                  int8_t *output_state, int16_t *cell_state, void *scratch) {
    const int32_t per_step = p->time_major ? p->batches : 1;
    int16_t *gates = (int16_t *)scratch;
    int8_t *hidden = (int8_t *)(gates + 4 * per_step * p->cells);
    if (p->time_major) {
        for (int32_t t = 0; t < p->steps; ++t) {
            step(p, input + (size_t)t * p->batches * p->input_size, output_state, cell_state,
                 output + (size_t)t * p->batches * p->output_size, p->batches, gates, hidden);
        }
        return;
    }
    for (int32_t b = 0; b < p->batches; ++b) {
        for (int32_t t = 0; t < p->steps; ++t) {
            const size_t at = (size_t)b * p->steps + t;
            step(p, input + at * p->input_size, output_state + (size_t)b * p->output_size,
                 cell_state + (size_t)b * p->cells, output + at * p->output_size, 1, gates, hidden);
        }
    }
}
