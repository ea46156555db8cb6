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
from tests.support.stateful_models import (
    Q,
    accumulator_model,
    assign_then_read_model,
    float_variable_model,
    ring_buffer_model,
)
from tests.support.tflite_builder import ModelBuilder


def test_variable_models_are_bit_exact_over_invocations():
    cases = [
        ("accumulator", accumulator_model()),
        ("accumulator from zero point", accumulator_model(initial=Q[1])),
        ("ring buffer, two handles, two variables", ring_buffer_model()),
        ("assign then read", assign_then_read_model()),
        ("float32 variable", float_variable_model()),
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
