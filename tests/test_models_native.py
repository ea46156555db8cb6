"""Every shipped model, generated as C, gives output bytes identical to the reference (LiteRT
BUILTIN_REF; the TFLM host interpreter where LiteRT refuses the model) on 20 seeded random
inputs: natively on the host (portable C) and on both emulated boards with both compilers (their
Helium or DSP kernels), every model and input of a board in one QEMU start."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support.generated_program import GeneratedProgram
from support.model_surgery import truncate_main_subgraph
from support.native_harness import BOARDS, compare, random_inputs
from support.reference import ReferenceFailed, reference_outputs, run_reference

from autodeploy.tflite.reader import parse_model

MODELS = sorted(Path(__file__).resolve().parent.parent.joinpath("models").glob("*.tflite"))
MNV3 = next(k for k, p in enumerate(MODELS) if p.stem.startswith("mobilenet_v3"))
MNV3_CUT = len(MODELS)  # the program's extra model: mnv3 cut before its softmax
N_INPUTS = 20


def _cut_before_final_softmax(data: bytes) -> bytes:
    sub = parse_model(data, "<cut>").main
    last = sub.operators[-1]
    assert last.opcode == "SOFTMAX"
    return truncate_main_subgraph(data, len(sub.operators) - 1, last.inputs[0])


@pytest.fixture(scope="module")
def inputs():
    return {k: random_inputs(p.read_bytes(), N_INPUTS, seed=k) for k, p in enumerate(MODELS)}


def _run_on(board: str, inputs: dict) -> dict:
    """Every model's outputs on one board: model index -> output sets (one run for all)."""
    models = [p.read_bytes() for p in MODELS] + [
        _cut_before_final_softmax(MODELS[MNV3].read_bytes())
    ]
    names = [f"m{k}" for k in range(len(MODELS))] + ["mnv3_cut"]
    program = GeneratedProgram(models, names, board=board)
    jobs = [*inputs.items(), (MNV3_CUT, inputs[MNV3])]
    return dict(zip([k for k, _ in jobs], program.run_many(jobs), strict=True))


@pytest.fixture(scope="module")
def all_outputs(inputs):
    """The boards run two at a time (one per core): QEMU is single-threaded."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {board: pool.submit(_run_on, board, inputs) for board in BOARDS}
        return {board: future.result() for board, future in futures.items()}


@pytest.fixture(params=BOARDS)
def outputs(request, all_outputs):
    return request.param, all_outputs[request.param]


_references: dict[int, tuple] = {}


def _reference(index: int, inputs: dict) -> tuple:
    """(engine, outputs) of model `index` on its inputs, computed once for every board."""
    if index not in _references:
        _references[index] = reference_outputs(MODELS[index].read_bytes(), inputs[index])
    return _references[index]


@pytest.mark.parametrize(
    "index", [k for k in range(len(MODELS)) if k != MNV3], ids=lambda k: MODELS[k].stem
)
def test_model_is_bit_exact(outputs, inputs, index):
    board, got = outputs
    engine, expected = _reference(index, inputs)
    problems = compare(f"[{board}] {MODELS[index].name} vs {engine}", expected, got[index])
    assert problems == []


def test_mobilenet_v3_is_bit_exact_up_to_its_softmax(outputs, inputs):
    """The generated MobileNetV3 has random weights: its logits scale is 7.8e-9, and both
    LiteRT's and TFLM's reference SOFTMAX abort the process in Prepare at that scale. So every
    layer up to the softmax is compared with BUILTIN_REF on a model cut before it, and the whole
    model with LiteRT's optimized kernels (the only engine that runs it)."""
    board, got = outputs
    data = MODELS[MNV3].read_bytes()
    sets = inputs[MNV3]
    with pytest.raises(ReferenceFailed):
        reference_outputs(data, sets)
    cut = _cut_before_final_softmax(data)
    expected = run_reference("litert", cut, sets)
    assert compare(f"[{board}] mnv3 without softmax", expected, got[MNV3_CUT]) == []
    expected = run_reference("litert-optimized", data, sets)
    assert compare(f"[{board}] mnv3 vs optimized", expected, got[MNV3]) == []
