/* UNIDIRECTIONAL_SEQUENCE_LSTM, integer: int8 input, weights and output state, int16 cell
 * state (TFLite's 8x8->16 scheme), with CIFG, peephole, layer normalization, projection and
 * clipping as TFLite's reference kernel computes them.
 *
 * Each time step, for each gate: int16 gate = sat16(requant(W_in x + bias_in)) then
 * + sat16(requant(W_rec h + bias_rec)) (the biases hold the zero points' row sums), + the
 * peephole term, then layer normalization, then sigmoid (tanh for the cell gate) in Q3.12 ->
 * Q0.15. The cell state c (scale 2^cell_shift) becomes f*c + i*g (i = 1 - f with CIFG), clipped;
 * the hidden state o * tanh(c) is requantized to int8, through the projection when there is
 * one. The output state h and the cell state persist between invocations (the caller keeps
 * them in memory that survives invokes).
 */
#ifndef ADRT_LSTM_H
#define ADRT_LSTM_H

#include "adrt/common.h"

typedef struct {
    const int8_t *input_weights; /* [cells][input_size] */
    const int32_t *input_bias;   /* [cells]: the gate bias (none with layer norm) + zp terms */
    int32_t input_multiplier, input_shift;
    const int8_t *recurrent_weights; /* [cells][output_size] */
    const int32_t *recurrent_bias;   /* [cells]: -output_state_zp * row sums */
    int32_t recurrent_multiplier, recurrent_shift;
    const int16_t *peephole_weights; /* NULL without peephole (always NULL for the cell gate) */
    int32_t peephole_multiplier, peephole_shift;
    const int16_t *norm_weights;         /* NULL without layer normalization */
    const int32_t *norm_bias;            /* the gate bias, added after normalization */
    int32_t norm_multiplier, norm_shift; /* norm_shift already includes TFLite's + 12 */
    int32_t variance_guard;
} adrt_lstm_gate_t;

enum { ADRT_LSTM_INPUT_GATE, ADRT_LSTM_FORGET_GATE, ADRT_LSTM_CELL_GATE, ADRT_LSTM_OUTPUT_GATE };

typedef struct {
    int32_t batches, steps, input_size, cells, output_size;
    int32_t time_major; /* input [steps][batches][input_size], else [batches][steps][...] */
    int32_t use_cifg;   /* no input gate: it is 1 - forget */
    adrt_lstm_gate_t gate[4];
    /* TFLite applies the peephole weights over output_size elements per batch (equal to cells
     * unless there is a projection); kept as the reference does it */
    int32_t peephole_length;
    int32_t cell_shift; /* log2 of the cell state's scale, in [-15, -9] */
    int32_t cell_clip;  /* 0: none */
    int32_t hidden_multiplier, hidden_shift;
    int32_t hidden_offset;            /* added to the requantized hidden state */
    const int8_t *projection_weights; /* [output_size][cells], NULL without projection */
    const int32_t *projection_bias;   /* [output_size]: bias + zp terms */
    int32_t projection_multiplier, projection_shift;
    int32_t projection_clip;   /* 0: none */
    int32_t output_zero_point; /* of the output state */
} adrt_lstm_params_t;

/* scratch: four int16 gate buffers then one int8 hidden buffer, each of
 * (time_major ? batches : 1) * cells elements. */
void adrt_lstm_s8(const adrt_lstm_params_t *p, const int8_t *input, int8_t *output,
                  int8_t *output_state, int16_t *cell_state, void *scratch);

#endif /* ADRT_LSTM_H */
