"""Every shipped model, generated as C and run natively, gives output bytes identical to the
reference (LiteRT BUILTIN_REF; the TFLM host interpreter where LiteRT refuses the model) on 20
seeded random inputs."""

from pathlib import Path

import pytest
from support.generated_program import GeneratedProgram
from support.model_surgery import truncate_main_subgraph
from support.native_harness import compare, random_inputs
from support.reference import ReferenceFailed, reference_outputs, run_reference

from autodeploy.tflite.reader import parse_model

MODELS = sorted(Path(__file__).resolve().parent.parent.joinpath("models").glob("*.tflite"))
MNV3 = next(k for k, p in enumerate(MODELS) if p.stem.startswith("mobilenet_v3"))
N_INPUTS = 20


def _cut_before_final_softmax(data: bytes) -> bytes:
    sub = parse_model(data, "<cut>").main
    last = sub.operators[-1]
    assert last.opcode == "SOFTMAX"
    return truncate_main_subgraph(data, len(sub.operators) - 1, last.inputs[0])


@pytest.fixture(scope="module")
def program():
    models = [p.read_bytes() for p in MODELS]
    names = [f"m{k}" for k in range(len(MODELS))]
    models.append(_cut_before_final_softmax(models[MNV3]))
    names.append("mnv3_cut")
    return GeneratedProgram(models, names)


@pytest.mark.parametrize(
    "index", [k for k in range(len(MODELS)) if k != MNV3], ids=lambda k: MODELS[k].stem
)
def test_model_is_bit_exact(program, index):
    data = MODELS[index].read_bytes()
    sets = random_inputs(data, N_INPUTS, seed=index)
    engine, expected = reference_outputs(data, sets)
    problems = compare(f"{MODELS[index].name} vs {engine}", expected, program.run(index, sets))
    assert problems == []
    print(f"{MODELS[index].stem}: {N_INPUTS} inputs bit-exact vs {engine}")


def test_mobilenet_v3_is_bit_exact_up_to_its_softmax(program):
    """The generated MobileNetV3 has random weights: its logits scale is 7.8e-9, and both
    LiteRT's and TFLM's reference SOFTMAX abort the process in Prepare at that scale. So every
    layer up to the softmax is compared with BUILTIN_REF on a model cut before it, and the whole
    model with LiteRT's optimized kernels (the only engine that runs it)."""
    data = MODELS[MNV3].read_bytes()
    sets = random_inputs(data, N_INPUTS, seed=MNV3)
    with pytest.raises(ReferenceFailed):
        reference_outputs(data, sets)
    cut = _cut_before_final_softmax(data)
    expected = run_reference("litert", cut, sets)
    assert compare("mnv3 without softmax", expected, program.run(len(MODELS), sets)) == []
    expected = run_reference("litert-optimized", data, sets)
    assert compare("mnv3 vs optimized", expected, program.run(MNV3, sets)) == []
