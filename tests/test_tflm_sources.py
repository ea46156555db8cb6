"""TFLM sources (`scons <model>-tflm`): arena size, op resolver, syntax of the emitted C++.

The arena size is checked against the host TFLM interpreter (pip tflite-micro) with a bisection
written here, apart from the engine's. TFLM and an ARM C++ library are not available offline, so
the .cc files are only syntax-checked with g++ against stub headers (below) that declare the
TFLM names the sources use; that proves the calls match these declarations, not that they link.
"""

from __future__ import annotations

import faulthandler
import os
import re
import subprocess
from pathlib import Path

import pytest

from autodeploy.analysis.model_analysis import analyze_bytes
from autodeploy.errors import AutodeployError
from autodeploy.target import PORTABLE
from autodeploy.tflite.reader import read_model
from autodeploy.tflm.measure import softmax_scale_fix
from autodeploy.tflm.ops import RESOLVER_METHODS, resolver_methods
from autodeploy.tflm.render import render_tflm

PROJECT = Path(__file__).resolve().parent.parent
MODELS = sorted((PROJECT / "models").glob("*.tflite"))

# Methods of tflite::MicroMutableOpResolver, copied by hand from
# tensorflow/lite/micro/micro_mutable_op_resolver.h (the subset this project may emit).
TFLM_RESOLVER_METHODS = [
    "AddAdd",
    "AddArgMax",
    "AddArgMin",
    "AddAssignVariable",
    "AddAveragePool2D",
    "AddBatchMatMul",
    "AddBatchToSpaceNd",
    "AddCallOnce",
    "AddConcatenation",
    "AddConv2D",
    "AddDepthToSpace",
    "AddDepthwiseConv2D",
    "AddDequantize",
    "AddFullyConnected",
    "AddGather",
    "AddHardSwish",
    "AddLeakyRelu",
    "AddLogistic",
    "AddMaxPool2D",
    "AddMaximum",
    "AddMean",
    "AddMinimum",
    "AddMul",
    "AddPack",
    "AddPad",
    "AddPrelu",
    "AddQuantize",
    "AddReadVariable",
    "AddReduceMax",
    "AddRelu",
    "AddRelu6",
    "AddReshape",
    "AddResizeBilinear",
    "AddRsqrt",
    "AddShape",
    "AddSoftmax",
    "AddSpaceToBatchNd",
    "AddSpaceToDepth",
    "AddSplit",
    "AddSplitV",
    "AddSquaredDifference",
    "AddStridedSlice",
    "AddSub",
    "AddSum",
    "AddSvdf",
    "AddTanh",
    "AddTranspose",
    "AddTransposeConv",
    "AddUnidirectionalSequenceLSTM",
    "AddUnpack",
    "AddVarHandle",
]

STUBS = {
    "tensorflow/lite/micro/micro_mutable_op_resolver.h": """
#pragma once
enum TfLiteStatus { kTfLiteOk = 0, kTfLiteError = 1 };
namespace tflite {
class MicroOpResolver {};
template <unsigned int tOpCount>
class MicroMutableOpResolver : public MicroOpResolver {
 public:
%s
};
}  // namespace tflite
""",
    "tensorflow/lite/micro/micro_interpreter.h": """
#pragma once
#include <cstddef>
#include <cstdint>
namespace tflite {
class Model;
class MicroAllocator;
class MicroResourceVariables;
class MicroProfilerInterface;
class MicroInterpreter {
 public:
  MicroInterpreter(const Model* model, const MicroOpResolver& op_resolver,
                   uint8_t* tensor_arena, size_t tensor_arena_size,
                   MicroResourceVariables* resource_variables = nullptr,
                   MicroProfilerInterface* profiler = nullptr,
                   bool preserve_all_tensors = false);
  MicroInterpreter(const Model* model, const MicroOpResolver& op_resolver,
                   MicroAllocator* allocator,
                   MicroResourceVariables* resource_variables = nullptr,
                   MicroProfilerInterface* profiler = nullptr);
  TfLiteStatus AllocateTensors();
};
}  // namespace tflite
""",
    "tensorflow/lite/micro/micro_allocator.h": """
#pragma once
#include <cstddef>
#include <cstdint>
namespace tflite {
class MicroAllocator {
 public:
  static MicroAllocator* Create(uint8_t* tensor_arena, size_t arena_size);
};
}  // namespace tflite
""",
    "tensorflow/lite/micro/micro_resource_variable.h": """
#pragma once
namespace tflite {
class MicroAllocator;
class MicroResourceVariables {
 public:
  static MicroResourceVariables* Create(MicroAllocator* allocator, int num_variables);
};
}  // namespace tflite
""",
    "tensorflow/lite/schema/schema_generated.h": """
#pragma once
#include <cstdint>
#define TFLITE_SCHEMA_VERSION (3)
namespace tflite {
class Model { public: uint32_t version() const; };
const Model* GetModel(const void* buf);
}  // namespace tflite
""",
}


def _name(stem: str) -> str:
    """A model name as models.yaml allows (identifier) for a file stem."""
    return "m_" + re.sub(r"\W", "_", stem)


def _allocates(data: bytes, arena: int) -> bool:
    """Host TFLM AllocateTensors in a forked child (failures may crash instead of raising)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            faulthandler.disable()  # pytest's handler would report the expected crash
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            from tflite_micro.python.tflite_micro import runtime

            runtime.Interpreter.from_bytes(data, arena_size=arena)
            code = 0
        finally:
            os._exit(code)
    return os.waitpid(pid, 0)[1] == 0


def _bisect(data: bytes, works: int) -> int:
    """Smallest size (to 8 bytes) at or below `works` with which the model allocates."""
    low, high = 0, works
    while high - low > 8:
        mid = (low + high) // 2
        low, high = (low, mid) if _allocates(data, mid) else (mid, high)
    return high


def _unfolded_op_set(data: bytes, path: str) -> set[str]:
    analysis = analyze_bytes(data, path, PORTABLE)
    folded = {layer["op"] for layer in analysis["layers"] if layer["folded"]}
    return set(analysis["totals"]["op_set"]) | folded


@pytest.fixture(scope="module")
def generated():
    out = {}
    for path in MODELS:
        data = path.read_bytes()
        ops = {op.opcode for sub in read_model(path).subgraphs for op in sub.operators}
        out[path.stem] = (data, render_tflm(_name(path.stem), data, ops, path.name))
    return out


@pytest.mark.parametrize("model", [p.stem for p in MODELS])
def test_arena_allocates_and_is_at_most_10_percent_above_the_smallest(generated, model):
    data, result = generated[model]
    measured, _ = softmax_scale_fix(data)
    arena = result.arena_bytes
    assert arena % 16 == 0
    assert f"TensorArenaSize = {arena};" in result.files[f"{_name(model)}_tflm.h"]
    assert _allocates(measured, arena)
    smallest = _bisect(measured, arena)
    assert not _allocates(measured, smallest - 8)
    assert arena <= 1.10 * smallest, (arena, smallest)


def test_models_that_tflm_softmax_rejects_abort_unpatched_and_say_so(generated):
    data, result = generated["mobilenet_v3_small_a075_224_int8"]
    measured, notes = softmax_scale_fix(data)
    assert len(notes) == 1 and measured != data
    assert not _allocates(data, 8 * result.arena_bytes)  # TFLM aborts, not a size problem
    header = result.files["m_mobilenet_v3_small_a075_224_int8_tflm.h"]
    assert "WARNING: SOFTMAX input" in header
    clean_data, clean = generated["mlperf_tiny_kws_dscnn_int8"]
    assert softmax_scale_fix(clean_data) == (clean_data, [])
    assert "WARNING" not in clean.files["m_mlperf_tiny_kws_dscnn_int8_tflm.h"]


@pytest.mark.parametrize("path", MODELS, ids=[p.stem for p in MODELS])
def test_resolver_registers_exactly_the_unfolded_op_set(generated, path):
    data, result = generated[path.stem]
    expected = sorted(RESOLVER_METHODS[op] for op in _unfolded_op_set(data, path.name))
    assert result.methods == expected
    source = result.files[f"{_name(path.stem)}_tflm.cc"]
    assert sorted(m for m in TFLM_RESOLVER_METHODS if f"resolver.{m}()" in source) == expected
    header = result.files[f"{_name(path.stem)}_tflm.h"]
    assert f"MicroMutableOpResolver<{len(expected)}>" in header


def test_method_table_names_real_resolver_methods_and_covers_shipped_models():
    assert set(RESOLVER_METHODS.values()) <= set(TFLM_RESOLVER_METHODS)
    shipped = {op.opcode for p in MODELS for sub in read_model(p).subgraphs for op in sub.operators}
    assert shipped <= set(RESOLVER_METHODS)
    with pytest.raises(AutodeployError, match="BIDIRECTIONAL_SEQUENCE_LSTM.*RESOLVER_METHODS"):
        resolver_methods({"CONV_2D", "BIDIRECTIONAL_SEQUENCE_LSTM"}, "models/x.tflite")


def test_model_array_is_aligned_in_the_model_section_and_holds_the_bytes(generated):
    data, result = generated["tflm_hello_world_int8"]
    source = result.files["m_tflm_hello_world_int8_model_data.cc"]
    decl = "alignas(16) const unsigned char m_tflm_hello_world_int8_model_data[] __attribute__("
    assert decl + '(section(".rodata.adrt_model"))) = {' in source
    body = source.split("= {", 1)[1].split("};", 1)[0]
    assert bytes(int(tok, 16) for tok in body.replace(",", " ").split()) == data
    assert f"_model_data_len = {len(data)};" in source


def test_emitted_cpp_passes_a_syntax_check_against_stub_tflm_headers(generated, tmp_path):
    methods = "\n".join(f"  TfLiteStatus {m}();" for m in TFLM_RESOLVER_METHODS)
    for rel, text in STUBS.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text % methods if "%s" in text else text)
    sources = []
    for model, (_, result) in generated.items():
        for name, text in result.files.items():
            (tmp_path / name).write_text(text)
            big = name.endswith("_model_data.cc") and "hello_world" not in model
            if name.endswith(".cc") and not big:  # the large arrays add time, not coverage
                sources.append(name)
    run = subprocess.run(
        ["g++", "-std=c++17", "-fsyntax-only", "-Wall", "-Werror", "-I.", *sources],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    # the stubs reject a method TFLM does not have
    bad = tmp_path / "bad.cc"
    bad.write_text(
        '#include "m_tflm_hello_world_int8_tflm.h"\n'
        "void f(MTflmHelloWorldInt8OpResolver& r) { r.AddConvolution(); }\n"
    )
    assert subprocess.run(["g++", "-fsyntax-only", "-I.", "bad.cc"], cwd=tmp_path).returncode != 0


def test_a_model_with_resource_variables_gets_their_table(generated):
    """TFLM needs a MicroResourceVariables table for VAR_HANDLE models (the reference tool's
    --resource-variable-count): sized by the distinct variables, built in the arena."""
    _, result = generated["kws_streaming_variables_int8"]
    source = result.files["m_kws_streaming_variables_int8_tflm.cc"]
    assert "tflite::MicroResourceVariables::Create(allocator, 2)" in source
    assert "interpreter(model, resolver, allocator, variables)" in source
    _, plain = generated["tflm_hello_world_int8"]
    assert "MicroResourceVariables" not in plain.files["m_tflm_hello_world_int8_tflm.cc"]
