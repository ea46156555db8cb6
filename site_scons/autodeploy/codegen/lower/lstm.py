"""UNIDIRECTIONAL_SEQUENCE_LSTM (TFLite's integer 8x8->16 scheme) -> adrt_lstm_s8.

Reproduces the Prepare() of TFLite's kernel: the effective scales of every matrix product are
float32 expressions (some widened to double where TFLite mixes in std::pow), each quantized into
a multiplier and shift; the zero points fold into per-row biases (bias + zp * row sum of the
weights); clips are quantized with a float32 division and truncated. The gates' activations are
sigmoid and tanh whatever the op's fused activation says, as in TFLite's integer kernel.
Converters record the gate
scales on the op's five intermediates: four gate outputs (used with layer normalization, else
Q3.12) and the hidden state (o * tanh(c)) ahead of the projection. Weights travel in the
parameters, so the kernel reads no constant tensor.
"""

from __future__ import annotations

import math

import numpy as np

from autodeploy.codegen.kernel_call import CArray, CStruct, KernelCall
from autodeploy.codegen.lower._spatial import const_array, per_tensor
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.quant import f32, quantize_multiplier
from autodeploy.tflite.model import Operator, Subgraph, Tensor

OP = "UNIDIRECTIONAL_SEQUENCE_LSTM"
GATES = ("input", "forget", "cell", "output")
# Input positions of the TFLite operator.
INPUT_WEIGHTS = {"input": 1, "forget": 2, "cell": 3, "output": 4}
RECURRENT_WEIGHTS = {"input": 5, "forget": 6, "cell": 7, "output": 8}
PEEPHOLE_WEIGHTS = {"input": 9, "forget": 10, "output": 11}
BIAS = {"input": 12, "forget": 13, "cell": 14, "output": 15}
PROJECTION_WEIGHTS, PROJECTION_BIAS = 16, 17
OUTPUT_STATE, CELL_STATE = 18, 19
NORM_WEIGHTS = {"input": 20, "forget": 21, "cell": 22, "output": 23}
GATE_INTERMEDIATE = {"input": 0, "forget": 1, "cell": 2, "output": 3}
HIDDEN_INTERMEDIATE = 4
NO_ARRAY = {"int8_t": CArray("int8_t", ()), "int16_t": CArray("int16_t", ())}
Q3_12 = 2.0**-12  # the gates' scale without layer normalization
I32_MIN, I32_MAX = -(1 << 31), (1 << 31) - 1


def state_tensors(op: Operator) -> tuple[int, int]:
    """(output state, cell state): the variable inputs the op reads and rewrites."""
    return op.inputs[OUTPUT_STATE], op.inputs[CELL_STATE]


def _optional(op: Operator, sg: Subgraph, position: int) -> Tensor | None:
    if position >= len(op.inputs) or op.inputs[position] < 0:
        return None
    return sg.tensors[op.inputs[position]]


def _constant(op: Operator, t: Tensor, dtype: str, shape: tuple[int, ...], what: str) -> Tensor:
    if t.dtype != dtype:
        raise Unsupported(f"{OP} {what} of type {t.dtype} (the integer LSTM needs {dtype})")
    if not t.is_constant:
        raise Unsupported(f"{OP} with non-constant {what}")
    if tuple(t.shape) != shape:
        raise Unsupported(f"{OP} {what} of shape {list(t.shape)}, expected {list(shape)}")
    return t


def _weight_scale(t: Tensor, what: str) -> float:
    scale, zp = per_tensor(t, what)
    if zp != 0:
        raise Unsupported(f"{OP} {what} with zero point {zp} (must be 0)")
    return scale


def _multiplier(real: float) -> tuple[int, int]:
    """QuantizeMultiplier of a float32 effective scale (TFLite keeps them as float)."""
    return quantize_multiplier(float(np.float32(real)))


def _row_bias(weights: np.ndarray, zero_point: int, bias: np.ndarray | None) -> CArray:
    """TFLite's PrecomputeZeroPointTimesWeightWithBias: bias + zero_point * row sums."""
    out = np.zeros(weights.shape[0], np.int64) if bias is None else bias.astype(np.int64)
    out = out + zero_point * weights.astype(np.int64).sum(axis=1)
    if out.min(initial=0) < I32_MIN or out.max(initial=0) > I32_MAX:
        raise Unsupported(f"{OP} bias + zero point terms overflow int32")
    return CArray("int32_t", tuple(int(v) for v in out))


def _cell_shift(cell: Tensor) -> int:
    """TFLite's CheckedLog2: the cell state's scale must be a power of two."""
    scale, zp = per_tensor(cell, "cell state")
    exponent = math.log2(scale)
    if abs(exponent - round(exponent)) >= 1e-3 or zp != 0:
        raise Unsupported(
            f"{OP} cell state scale {scale:g} zero point {zp} (needs a power of two, zero 0)"
        )
    shift = round(exponent)
    # tanh(c) is evaluated with 15 + shift integer bits, which TFLite supports up to 6
    if not -15 <= shift <= -9:
        raise Unsupported(
            f"{OP} cell state scale 2^{shift} (TFLite's integer tanh needs 2^-15..2^-9)"
        )
    return shift


class _Lstm:
    """The op's tensors and derived sizes, checked."""

    def __init__(self, op: Operator, sg: Subgraph):
        if len(op.inputs) not in (20, 24) or len(op.outputs) != 1:
            raise Unsupported(f"{OP} with {len(op.inputs)} inputs (expected 20 or 24)")
        opts = op.options
        if opts.get("diagonal_recurrent_tensors"):
            raise Unsupported(f"{OP} with diagonal recurrent weights")
        self.op, self.sg = op, sg
        self.x = sg.tensors[op.inputs[0]]
        self.y = sg.tensors[op.outputs[0]]
        if self.x.dtype != "INT8" or self.y.dtype != "INT8":
            raise Unsupported(
                f"{OP} with {self.x.dtype} input and {self.y.dtype} output (only the int8 "
                "8x8->16 integer scheme)"
            )
        if len(self.x.shape) != 3:
            raise Unsupported(f"{OP} with a rank-{len(self.x.shape)} input (needs rank 3)")
        self.time_major = bool(opts.get("time_major"))
        steps, batches, n_input = (
            self.x.shape if self.time_major else (self.x.shape[1], self.x.shape[0], self.x.shape[2])
        )
        self.steps, self.batches, self.n_input = steps, batches, n_input
        out_w = sg.tensors[op.inputs[INPUT_WEIGHTS["output"]]]
        rec_w = sg.tensors[op.inputs[RECURRENT_WEIGHTS["output"]]]
        if len(out_w.shape) != 2 or len(rec_w.shape) != 2:
            raise Unsupported(f"{OP} with weights of rank other than 2")
        self.n_cell, self.n_output = out_w.shape[0], rec_w.shape[1]
        self.cifg = _optional(op, sg, INPUT_WEIGHTS["input"]) is None
        self.peephole = _optional(op, sg, PEEPHOLE_WEIGHTS["output"]) is not None
        self.layer_norm = _optional(op, sg, NORM_WEIGHTS["forget"]) is not None
        self.projection = _optional(op, sg, PROJECTION_WEIGHTS)
        if self.peephole and self.projection is not None and self.n_output > self.n_cell:
            raise Unsupported(f"{OP} with peephole and a projection wider than the cells")
        self.h = sg.tensors[op.inputs[OUTPUT_STATE]]
        self.c = sg.tensors[op.inputs[CELL_STATE]]
        for state, dtype, size in ((self.h, "INT8", self.n_output), (self.c, "INT16", self.n_cell)):
            if state.dtype != dtype or state.num_elements != batches * size:
                raise Unsupported(
                    f"{OP} state '{state.name}' {state.dtype} {list(state.shape)} (expected "
                    f"{dtype} with {batches * size} elements)"
                )
        if len(op.intermediates) != 5:
            raise Unsupported(
                f"{OP} with {len(op.intermediates)} intermediate tensors (the integer kernel "
                "needs the converter's 5, which carry the gate and hidden scales)"
            )

    def tensor(self, position: int) -> Tensor | None:
        return _optional(self.op, self.sg, position)

    def intermediate(self, k: int, what: str) -> tuple[float, int]:
        return per_tensor(self.sg.tensors[self.op.intermediates[k]], what)


def _gate(lstm: _Lstm, gate: str, in_scale: float, in_zp: int, h_scale: float, h_zp: int,
          cell_shift: int) -> CStruct:  # fmt: skip
    n_cell, n_in, n_out = lstm.n_cell, lstm.n_input, lstm.n_output
    if gate == "input" and lstm.cifg:
        empty = CArray("int32_t", ())
        fields = dict.fromkeys(
            ("input_multiplier", "input_shift", "recurrent_multiplier", "recurrent_shift",
             "peephole_multiplier", "peephole_shift", "norm_multiplier", "norm_shift",
             "variance_guard"),
            0,
        )  # fmt: skip
        arrays = {"input_weights": NO_ARRAY["int8_t"], "input_bias": empty,
                  "recurrent_weights": NO_ARRAY["int8_t"], "recurrent_bias": empty,
                  "peephole_weights": NO_ARRAY["int16_t"], "norm_weights": NO_ARRAY["int16_t"],
                  "norm_bias": empty}  # fmt: skip
        return _gate_struct(arrays | fields)
    gate_scale = Q3_12
    if lstm.layer_norm:
        gate_scale, _ = lstm.intermediate(GATE_INTERMEDIATE[gate], f"{gate} gate intermediate")
    w_in = _constant(lstm.op, lstm.tensor(INPUT_WEIGHTS[gate]), "INT8", (n_cell, n_in),
                     f"input-to-{gate} weights")  # fmt: skip
    w_rec = _constant(lstm.op, lstm.tensor(RECURRENT_WEIGHTS[gate]), "INT8", (n_cell, n_out),
                      f"recurrent-to-{gate} weights")  # fmt: skip
    bias_t = _constant(lstm.op, lstm.tensor(BIAS[gate]), "INT32", (n_cell,), f"{gate} gate bias")
    bias = const_array(bias_t, np.int32)
    s32 = np.float32
    in_m = _multiplier(s32(_weight_scale(w_in, "input weights")) * s32(in_scale) / s32(gate_scale))
    rec_m = _multiplier(
        s32(_weight_scale(w_rec, "recurrent weights")) * s32(h_scale) / s32(gate_scale)
    )
    w_in_values, w_rec_values = const_array(w_in, np.int8), const_array(w_rec, np.int8)
    fields = {
        "input_weights": CArray("int8_t", w_in_values.reshape(-1)),
        "input_bias": _row_bias(w_in_values, -in_zp, None if lstm.layer_norm else bias),
        "input_multiplier": in_m[0],
        "input_shift": in_m[1],
        "recurrent_weights": CArray("int8_t", w_rec_values.reshape(-1)),
        "recurrent_bias": _row_bias(w_rec_values, -h_zp, None),
        "recurrent_multiplier": rec_m[0],
        "recurrent_shift": rec_m[1],
        "peephole_weights": NO_ARRAY["int16_t"],
        "peephole_multiplier": 0,
        "peephole_shift": 0,
        "norm_weights": NO_ARRAY["int16_t"],
        "norm_bias": CArray("int32_t", ()),
        "norm_multiplier": 0,
        "norm_shift": 0,
        "variance_guard": 0,
    }
    if lstm.peephole and gate != "cell":
        w = _constant(lstm.op, lstm.tensor(PEEPHOLE_WEIGHTS[gate]), "INT16", (n_cell,),
                      f"cell-to-{gate} weights")  # fmt: skip
        # 2^cell_shift is a double in TFLite's expression: double * float / float -> float
        real = 2.0**cell_shift * f32(_weight_scale(w, "peephole weights")) / f32(gate_scale)
        m, s = _multiplier(real)
        fields |= {"peephole_weights": CArray("int16_t", const_array(w, np.int16)),
                   "peephole_multiplier": m, "peephole_shift": s}  # fmt: skip
    if lstm.layer_norm:
        w = _constant(lstm.op, lstm.tensor(NORM_WEIGHTS[gate]), "INT16", (n_cell,),
                      f"{gate} layer norm weights")  # fmt: skip
        norm_scale = s32(per_tensor(w, "layer norm weights")[0])
        m, s = _multiplier(norm_scale)
        fields |= {
            "norm_weights": CArray("int16_t", const_array(w, np.int16)),
            "norm_bias": CArray("int32_t", tuple(int(v) for v in bias)),
            "norm_multiplier": m,
            "norm_shift": s + 12,
            "variance_guard": max(1, int(s32(10000) * norm_scale)),
        }
    return _gate_struct(fields)


def _gate_struct(fields: dict) -> CStruct:
    order = ("input_weights", "input_bias", "input_multiplier", "input_shift",
             "recurrent_weights", "recurrent_bias", "recurrent_multiplier", "recurrent_shift",
             "peephole_weights", "peephole_multiplier", "peephole_shift", "norm_weights",
             "norm_bias", "norm_multiplier", "norm_shift", "variance_guard")  # fmt: skip
    return CStruct(tuple((name, fields[name]) for name in order))


def _clip(op: Operator, limit: float, scale: float, low: int, high: int) -> int:
    """A quantized clip, as TFLite computes it: float32 division, clamp, truncation."""
    if not f32(limit) > 0.0:
        return 0
    return int(min(max(np.float32(limit) / np.float32(scale), np.float32(low)), np.float32(high)))


@register(OP)
def lower_lstm(op: Operator, sg: Subgraph) -> KernelCall:
    lstm = _Lstm(op, sg)
    opts = op.options
    if opts.get("cell_clip", 0.0) < 0 or opts.get("proj_clip", 0.0) < 0:
        raise Unsupported(f"{OP} with a negative clip")
    in_scale, in_zp = per_tensor(lstm.x, "input")
    h_scale, h_zp = per_tensor(lstm.h, "output state")
    out_scale, _ = per_tensor(lstm.y, "output")
    cell_shift = _cell_shift(lstm.c)
    cell_scale, _ = per_tensor(lstm.c, "cell state")
    hidden_scale, hidden_zp = lstm.intermediate(HIDDEN_INTERMEDIATE, "hidden state intermediate")
    # pow(2, -15) / s * pow(2, -15) in double, stored as float
    hidden_m = _multiplier(2.0**-15 / f32(hidden_scale) * 2.0**-15)
    projection = [("projection_weights", NO_ARRAY["int8_t"]),
                  ("projection_bias", CArray("int32_t", ())),
                  ("projection_multiplier", 0), ("projection_shift", 0),
                  ("projection_clip", 0)]  # fmt: skip
    if lstm.projection is not None:
        w = _constant(op, lstm.projection, "INT8", (lstm.n_output, lstm.n_cell),
                      "projection weights")  # fmt: skip
        bias_t = lstm.tensor(PROJECTION_BIAS)
        bias = None
        if bias_t is not None:
            bias = const_array(_constant(op, bias_t, "INT32", (lstm.n_output,),
                                         "projection bias"), np.int32)  # fmt: skip
        values = const_array(w, np.int8)
        m, s = _multiplier(
            np.float32(_weight_scale(w, "projection weights")) * np.float32(hidden_scale)
            / np.float32(h_scale)
        )  # fmt: skip
        projection = [
            ("projection_weights", CArray("int8_t", values.reshape(-1))),
            ("projection_bias", _row_bias(values, hidden_zp, bias)),
            ("projection_multiplier", m),
            ("projection_shift", s),
            ("projection_clip", _clip(op, opts.get("proj_clip", 0.0), out_scale, -128, 127)),
        ]
    batches_per_step = lstm.batches if lstm.time_major else 1
    gates = tuple(_gate(lstm, g, in_scale, in_zp, h_scale, h_zp, cell_shift) for g in GATES)
    params = [
        ("batches", lstm.batches),
        ("steps", lstm.steps),
        ("input_size", lstm.n_input),
        ("cells", lstm.n_cell),
        ("output_size", lstm.n_output),
        ("time_major", int(lstm.time_major)),
        ("use_cifg", int(lstm.cifg)),
        ("gate", gates),
        ("peephole_length", lstm.n_output),
        ("cell_shift", cell_shift),
        ("cell_clip", _clip(op, opts.get("cell_clip", 0.0), cell_scale, -32768, 32767)),
        ("hidden_multiplier", hidden_m[0]),
        ("hidden_shift", hidden_m[1]),
        # LiteRT adds hidden_zp without a projection, and -hidden_zp ahead of one (whose bias
        # then has +hidden_zp * row sums): the two agree except where the int8 hidden clamps
        ("hidden_offset", -hidden_zp if lstm.projection is not None else hidden_zp),
        *projection,
        ("output_zero_point", h_zp),
    ]
    h_index, c_index = state_tensors(op)
    return KernelCall(
        "adrt_lstm_s8",
        "adrt_lstm_params_t",
        params,
        (op.inputs[0],),
        (op.outputs[0], h_index, c_index),
        scratch_bytes=batches_per_step * lstm.n_cell * (4 * 2 + 1),
    )
