"""Resource variables (VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE, CALL_ONCE) and state that
persists between invocations: bit-exact with LiteRT over sequences of invokes, init values from
the CALL_ONCE subgraph, `<model>_init()` resetting every variable, the arena's persistent part."""

from __future__ import annotations

import numpy as np
import pytest

from autodeploy.codegen.pipeline import compile_bytes
from autodeploy.codegen.variables import resolve_variables
from autodeploy.errors import TfliteFormatError
from autodeploy.target import PORTABLE
from autodeploy.tflite.reader import parse_model
from tests.support.generated_program import GeneratedProgram
from tests.support.native_harness import assert_bit_exact_many, compare, litert_reference
from tests.support.tflite_builder import ModelBuilder

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


def test_variable_models_are_bit_exact_over_invocations():
    cases = [
        ("accumulator", accumulator_model()),
        ("accumulator from zero point", accumulator_model(initial=Q[1])),
        ("ring buffer, two handles, two variables", ring_buffer_model()),
        ("assign then read", assign_then_read_model()),
    ]
    assert_bit_exact_many(cases, n_inputs=8)


def test_init_resets_the_state():
    """Two jobs of one model in one run: the runner calls init() before each, so the second
    sequence starts from the initial values again and repeats the first's outputs."""
    model = accumulator_model()
    sets = [[np.full((1, 6), k, np.int8)] for k in range(5)]
    first, second = GeneratedProgram([model], unity=True).run_many([(0, sets), (0, sets)])
    assert compare("accumulator", litert_reference(model, sets), first) == []
    assert compare("second run", first, second) == []
    assert [o[0][0, 0] for o in first] != [first[0][0][0, 0]] * 5  # the state did change


def test_variables_live_in_the_persistent_part_of_the_arena():
    program = compile_bytes(ring_buffer_model(), "<ring>", PORTABLE)
    by_name = {slot.name: slot for slot in program.state}
    assert set(by_name) == {"frames_read", "count"}  # one tensor per variable
    assert by_name["frames_read"].initial == bytes([Q[1]]) * 32
    persistent = program.plan.persistent_bytes
    assert persistent == 32 + 16  # each aligned to 16 bytes
    for slot in program.state:
        assert program.plan.offsets[slot.tensor] < persistent
    others = [t for t in program.plan.offsets if t not in {s.tensor for s in program.state}]
    assert all(program.plan.offsets[t] >= persistent for t in others)
    ops = {layer.op.opcode for layer in program.layers}
    assert "VAR_HANDLE" not in ops and "CALL_ONCE" not in ops
    assert sorted(program.folded) == [0, 1, 2, 6]  # CALL_ONCE and the three handles


def test_a_variable_without_initializer_starts_at_zero():
    program = compile_bytes(accumulator_model(initial=None), "<acc>", PORTABLE)
    (slot,) = program.state
    assert slot.initial is None and slot.fill == Q[1]  # int8: its zero point, as TFLite


def test_call_once_computing_more_than_constants_is_named():
    b = ModelBuilder()
    with b.subgraph("init") as init:
        handle = b.tensor([], "RESOURCE")
        b.op("VAR_HANDLE", [], [handle], "VarHandleOptions", {"shared_name": "v"})
        a = b.const(np.ones((1, 4), np.int8), *Q)
        s = b.tensor([1, 4], "INT8", *Q)
        b.op("ADD", [a, a], [s], "AddOptions")
        b.op("ASSIGN_VARIABLE", [handle, s], [])
    x = b.tensor([1, 4], "INT8", *Q)
    y = b.tensor([1, 4], "INT8", *Q)
    handle = b.tensor([], "RESOURCE")
    b.op("CALL_ONCE", [], [], "CallOnceOptions", {"init_subgraph_index": init})
    b.op("VAR_HANDLE", [], [handle], "VarHandleOptions", {"shared_name": "v"})
    b.op("READ_VARIABLE", [handle], [y])
    program = compile_bytes(b.build([x], [y]), "<v>", PORTABLE)
    (problem,) = program.problems
    assert problem.op.opcode == "CALL_ONCE"
    assert "init subgraph 1 computes more than assignments of constants" in problem.problem


def test_a_variable_used_with_two_types_is_a_clear_error():
    b = ModelBuilder()
    x = b.tensor([1, 4], "INT8", *Q)
    y = b.tensor([1, 4], "INT16", 0.01, 0)
    handle = b.tensor([], "RESOURCE")
    b.op("VAR_HANDLE", [], [handle], "VarHandleOptions", {"shared_name": "v"})
    b.op("ASSIGN_VARIABLE", [handle, x], [])
    b.op("READ_VARIABLE", [handle], [y])
    with pytest.raises(TfliteFormatError, match="resource variable v is used as INT8"):
        resolve_variables(parse_model(b.build([x], [y]), "m.tflite"))
