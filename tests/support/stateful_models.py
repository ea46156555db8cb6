"""Small stateful models built by hand: an integer LSTM, an SVDF and models with resource
variables, with every variant their kernels have. Shared by the kernel, analysis and session
tests and by scripts/make_stateful_models.py."""

from __future__ import annotations

import numpy as np

from tests.support.tflite_builder import ModelBuilder

GATES = ("input", "forget", "cell", "output")


def lstm_model(
    n_batch=1,
    n_time=5,
    n_input=3,
    n_cell=4,
    n_output=None,
    *,
    cifg=False,
    peephole=False,
    projection=False,
    projection_bias=True,
    layer_norm=False,
    time_major=False,
    cell_clip=0.0,
    proj_clip=0.0,
    cell_bits=-11,
    in_q=(0.05, 3),
    out_q=(0.02, -4),
    hidden_q=None,
    gate_scales=(2.0**-12,) * 4,
    weight_scale=0.01,
    seed=0,
    intermediates=True,
    input_dtype="INT8",
):
    """One LSTM with random int8 weights; the output state is the output's quantization."""
    rng = np.random.default_rng(seed)
    n_output = n_output if projection else n_cell
    b = ModelBuilder()

    def scale():
        return float(weight_scale * rng.uniform(0.5, 2.0))

    def weights(rows, cols):
        return b.const(rng.integers(-127, 128, (rows, cols)).astype(np.int8), scale=[scale()])

    def vector(n, dtype, limit, scale):
        return b.const(rng.integers(-limit, limit, n).astype(dtype), scale=[scale])

    shape = [n_time, n_batch, n_input] if time_major else [n_batch, n_time, n_input]
    x = b.tensor(shape, input_dtype, *in_q)
    present = {g: not (g == "input" and cifg) for g in GATES}
    w_in = {g: weights(n_cell, n_input) if present[g] else -1 for g in GATES}
    w_rec = {g: weights(n_cell, n_output) if present[g] else -1 for g in GATES}
    peep = {g: -1 for g in ("input", "forget", "output")}
    if peephole:
        for g in peep:
            peep[g] = vector(n_cell, np.int16, 3000, scale() / 10) if present[g] else -1
    bias = {g: vector(n_cell, np.int32, 4000, in_q[0] * 0.01) if present[g] else -1 for g in GATES}
    proj_w = proj_b = -1
    if projection:
        proj_w = weights(n_output, n_cell)
        proj_b = vector(n_output, np.int32, 4000, 1e-4) if projection_bias else -1
    h = b.tensor([n_batch, n_output], "INT8", *out_q, is_variable=True, name="output_state")
    c = b.tensor([n_batch, n_cell], "INT16", 2.0**cell_bits, 0, is_variable=True, name="cell")
    norm = {g: -1 for g in GATES}
    if layer_norm:
        norm = {
            g: vector(n_cell, np.int16, 30000, scale() / 30) if present[g] else -1 for g in GATES
        }
    y = b.tensor([*shape[:-1], n_output], "INT8", *out_q)
    inter = []
    if intermediates:
        for k in range(4):
            if layer_norm:
                inter.append(b.tensor([0], "INT16", gate_scales[k], 0, name=f"gate{k}"))
            else:  # what converters write without layer norm: empty, unquantized float32
                inter.append(b.tensor([0], "FLOAT32", name=f"gate{k}"))
        inter.append(b.tensor([0], "INT8", *(hidden_q or out_q), name="hidden"))
    inputs = [x, *w_in.values(), *w_rec.values(), *peep.values(), *bias.values(), proj_w]
    inputs += [proj_b, h, c, *norm.values()]
    options = {"fused_activation_function": "TANH", "cell_clip": cell_clip}
    options |= {"proj_clip": proj_clip, "time_major": time_major}
    b.op(
        "UNIDIRECTIONAL_SEQUENCE_LSTM",
        inputs,
        [y],
        "UnidirectionalSequenceLSTMOptions",
        options,
        intermediates=inter,
    )
    return b.build([x], [y])


def svdf_model(
    batches=1,
    n_input=8,
    filters=6,
    rank=1,
    memory=5,
    bias=True,
    activation="RELU",
    in_q=(0.05, 3),
    out_q=(0.02, -7),
    state_scale=0.01,
    gain=1.0,
    seed=0,
    state_dtype="INT16",
):
    rng = np.random.default_rng(seed)
    b = ModelBuilder()
    x = b.tensor([batches, n_input], "INT8", *in_q)
    features = rng.integers(-127, 128, (filters, n_input)).astype(np.int8)
    times = rng.integers(-30000, 30000, (filters, memory)).astype(np.int16)
    wf = b.const(features, scale=[0.01 * gain])
    wt = b.const(times, scale=[0.0002 * gain])
    bias_t = -1
    if bias:
        values = rng.integers(-50000, 50000, filters // rank).astype(np.int32)
        bias_t = b.const(values, scale=[state_scale * 0.0002 * gain])
    state = b.tensor(
        [batches, filters * memory], state_dtype, state_scale, 0, is_variable=True, name="memory"
    )
    y = b.tensor([batches, filters // rank], "INT8", *out_q)
    options = {"rank": rank, "fused_activation_function": activation}
    b.op("SVDF", [x, wf, wt, bias_t, state], [y], "SVDFOptions", options)
    return b.build([x], [y])


Q = (0.05, 3)


def _init_subgraph(b: ModelBuilder, values: dict[str, np.ndarray], q=Q) -> int:
    """A CALL_ONCE init subgraph assigning each named variable its constant."""
    with b.subgraph("init") as index:
        for name, value in values.items():
            handle = b.tensor([], "RESOURCE", name=f"{name}_init_handle")
            b.op("VAR_HANDLE", [], [handle], "VarHandleOptions", {"shared_name": name})
            const = b.const(value, scale=q[0], zero_point=q[1])
            b.op("ASSIGN_VARIABLE", [handle, const], [])
    return index


def accumulator_model(initial: int | None = 10, shape=(1, 6)) -> bytes:
    """acc += input each invoke (int8, saturating), output the new value."""
    b = ModelBuilder()
    values = {} if initial is None else {"acc": np.full(shape, initial, np.int8)}
    init = _init_subgraph(b, values)
    x = b.tensor(shape, "INT8", *Q)
    handle = b.tensor([], "RESOURCE", name="acc_handle")
    old = b.tensor(shape, "INT8", *Q)
    new = b.tensor(shape, "INT8", *Q)
    b.op("CALL_ONCE", [], [], "CallOnceOptions", {"init_subgraph_index": init})
    b.op("VAR_HANDLE", [], [handle], "VarHandleOptions", {"shared_name": "acc"})
    b.op("READ_VARIABLE", [handle], [old])
    b.op("ADD", [old, x], [new], "AddOptions", {"fused_activation_function": "NONE"})
    b.op("ASSIGN_VARIABLE", [handle, new], [])
    return b.build([x], [new])


def ring_buffer_model(frames=4, width=8) -> bytes:
    """The converter's streaming pattern: keep the last `frames` inputs, output them all. Two
    handles name the same variable (as when a graph reads it in one place and writes in another),
    and a second variable counts invocations through an int8 ADD."""
    b = ModelBuilder()
    zero = np.full((1, frames, width), Q[1], np.int8)
    init = _init_subgraph(b, {"frames": zero, "count": np.full((1, 1), Q[1], np.int8)})
    x = b.tensor([1, 1, width], "INT8", *Q)
    read_handle = b.tensor([], "RESOURCE", name="frames_read")
    write_handle = b.tensor([], "RESOURCE", name="frames_write")
    count_handle = b.tensor([], "RESOURCE", name="count")
    old = b.tensor([1, frames, width], "INT8", *Q)
    kept = b.tensor([1, frames - 1, width], "INT8", *Q)
    new = b.tensor([1, frames, width], "INT8", *Q)
    count, count2 = (b.tensor([1, 1], "INT8", *Q) for _ in range(2))
    b.op("CALL_ONCE", [], [], "CallOnceOptions", {"init_subgraph_index": init})
    b.op("VAR_HANDLE", [], [read_handle], "VarHandleOptions", {"shared_name": "frames"})
    b.op("VAR_HANDLE", [], [count_handle], "VarHandleOptions", {"shared_name": "count"})
    b.op("READ_VARIABLE", [read_handle], [old])
    begin = b.const(np.array([0, 1, 0], np.int32))
    end = b.const(np.array([1, frames, width], np.int32))
    strides = b.const(np.array([1, 1, 1], np.int32))
    b.op("STRIDED_SLICE", [old, begin, end, strides], [kept], "StridedSliceOptions", {})
    b.op("CONCATENATION", [kept, x], [new], "ConcatenationOptions", {"axis": 1})
    b.op("VAR_HANDLE", [], [write_handle], "VarHandleOptions", {"shared_name": "frames"})
    b.op("ASSIGN_VARIABLE", [write_handle, new], [])
    b.op("READ_VARIABLE", [count_handle], [count])
    b.op("ADD", [count, b.const(np.full((1, 1), Q[1] + 1, np.int8), *Q)], [count2], "AddOptions")
    b.op("ASSIGN_VARIABLE", [count_handle, count2], [])
    return b.build([x], [new, count2])


def assign_then_read_model() -> bytes:
    """The file assigns before it reads: the read must see this invocation's value, even though
    nothing but the variable orders the two ops."""
    b = ModelBuilder()
    init = _init_subgraph(b, {"v": np.zeros((1, 4), np.int8)})
    x = b.tensor([1, 4], "INT8", *Q)
    y = b.tensor([1, 4], "INT8", *Q)
    doubled = b.tensor([1, 4], "INT8", *Q)
    handle = b.tensor([], "RESOURCE", name="v")
    b.op("CALL_ONCE", [], [], "CallOnceOptions", {"init_subgraph_index": init})
    b.op("VAR_HANDLE", [], [handle], "VarHandleOptions", {"shared_name": "v"})
    b.op("ADD", [x, x], [doubled], "AddOptions")
    b.op("ASSIGN_VARIABLE", [handle, doubled], [])
    b.op("READ_VARIABLE", [handle], [y])
    return b.build([x], [y])


def float_variable_model() -> bytes:
    """A float32 variable, as the converter keeps variables unless told to quantize them:
    READ (float) -> QUANTIZE -> ADD the int8 input -> DEQUANTIZE -> ASSIGN."""
    b = ModelBuilder()
    with b.subgraph("init") as init:
        handle = b.tensor([], "RESOURCE", name="init_handle")
        b.op("VAR_HANDLE", [], [handle], "VarHandleOptions", {"shared_name": "level"})
        start = b.const(np.array([[0.5, -0.25, 1.0, 0.0]], np.float32))
        b.op("ASSIGN_VARIABLE", [handle, start], [])
    x = b.tensor([1, 4], "INT8", *Q)
    handle = b.tensor([], "RESOURCE", name="level")
    level = b.tensor([1, 4], "FLOAT32")
    level_q = b.tensor([1, 4], "INT8", *Q)
    total = b.tensor([1, 4], "INT8", *Q)
    total_f = b.tensor([1, 4], "FLOAT32")
    b.op("CALL_ONCE", [], [], "CallOnceOptions", {"init_subgraph_index": init})
    b.op("VAR_HANDLE", [], [handle], "VarHandleOptions", {"shared_name": "level"})
    b.op("READ_VARIABLE", [handle], [level])
    b.op("QUANTIZE", [level], [level_q])
    b.op("ADD", [level_q, x], [total], "AddOptions")
    b.op("DEQUANTIZE", [total], [total_f])
    b.op("ASSIGN_VARIABLE", [handle, total_f], [])
    return b.build([x], [total])
