"""The code generator: the arena it emits is the plan, data goes to the placement's sections,
shape-only ops are folded, unsupported layers are listed, and the API works from C."""

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from support.generated_program import CC, CFLAGS, GeneratedProgram, runtime_library
from support.tflite_builder import ModelBuilder

from autodeploy.analysis.model_analysis import analyze
from autodeploy.codegen.generator import generate
from autodeploy.codegen.pipeline import compile_bytes
from autodeploy.errors import UnsupportedModelError
from autodeploy.target import PORTABLE

MODELS = Path(__file__).resolve().parent.parent / "models"
KWS = MODELS / "mlperf_tiny_kws_dscnn_int8.tflite"
MNV3 = MODELS / "mobilenet_v3_small_a075_224_int8.tflite"


def gen(path_or_bytes, name="net"):
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    program = compile_bytes(data, "x.tflite", PORTABLE)
    return analyze(program), generate(program, name)


@pytest.mark.parametrize("path", sorted(MODELS.glob("*.tflite")), ids=lambda p: p.stem)
def test_arena_and_offsets_are_the_plan(path):
    analysis, result = gen(path)
    code = result.files["net_model.c"]
    plan = analysis["memory_plan"]
    assert f"static uint8_t s_arena[{plan['arena_bytes'] or 1}]" in code
    used_offsets = {int(x) for x in re.findall(r"s_arena \+ (\d+)", code)}
    assert used_offsets <= {t["offset"] for t in plan["tensors"]}
    assert max(used_offsets) < plan["arena_bytes"]


def test_all_model_data_and_the_arena_are_in_their_sections():
    _, result = gen(KWS, "kws")
    data = result.files["kws_model_data.c"]
    arrays = [line for line in data.splitlines() if line.startswith("const ")]
    assert len(arrays) == 19  # every constant tensor a KWS layer reads (FC bias is folded)
    assert all('aligned(16), section(".rodata.adrt_model")' in line for line in arrays)
    code = result.files["kws_model.c"]
    assert 'section(".bss.adrt_arena")' in code
    # per-layer parameters are model data too: every static const definition is in the section
    per_layer = re.findall(r"^static const \w+ l\d+_.*$", code, re.M)
    assert len(per_layer) >= 13  # at least one parameter struct per layer
    assert all('section(".rodata.adrt_model")' in line for line in per_layer)
    header = result.files["kws_model.h"]
    assert "#define KWS_ARENA_BYTES 16000u" in header and "#define KWS_NUM_LAYERS 13u" in header


def test_shape_prologue_is_folded():
    analysis, result = gen(MNV3)
    assert analysis["totals"]["folded_layers"] == [107, 108, 109]
    tags = re.findall(r'^    "(\d+_\w+)",$', result.files["net_model.c"], re.M)
    assert len(tags) == result.num_layers == 109
    assert not any(t.endswith(("_SHAPE", "_STRIDED_SLICE", "_PACK")) for t in tags)


def test_unsupported_layers_are_all_listed():
    b = ModelBuilder()
    x = b.tensor([1, 8], "INT8", 0.1, 0)
    y = b.tensor([1, 8], "INT8", 0.5, 3)
    z = b.tensor([1, 8], "INT8", 0.1, 0)
    b.op("SOFTMAX", [x], [y], "SoftmaxOptions", {"beta": 1.0})  # output quantization unsupported
    b.op("EXP", [y], [z])
    data = b.build([x], [z])
    with pytest.raises(UnsupportedModelError) as err:
        generate(compile_bytes(data, "two_bad.tflite", PORTABLE), "n")
    text = str(err.value)
    assert "cannot run 2 layer(s)" in text
    assert "layer 0 SOFTMAX:" in text and "layer 1 EXP: no kernel for EXP" in text
    assert "Supported ops: " in text and "CONV_2D" in text


HOOK_MAIN = r"""
#include <stdio.h>
#include <string.h>
#include "kws_model.h"
static int calls[64][2];
static void hook(void *user, int32_t layer, int32_t after) { (void)user; calls[layer][after]++; }
int main(void) {
    const adrt_model_t *m = &kws_model;
    m->init();
    m->set_layer_hook(hook, NULL);
    memset(m->input(0), 0, m->inputs[0].bytes);
    m->invoke();
    for (uint32_t i = 0; i < m->num_layers; i++)
        if (calls[i][0] != 1 || calls[i][1] != 1) return 10;
    printf("%s %s %u %u %u %s %d %d %u\n", m->name, m->layer_tags[12], m->num_layers,
           m->arena_bytes, m->inputs[0].bytes, m->inputs[0].name, m->inputs[0].zero_point,
           m->outputs[0].zero_point, m->layer_macs[0]);
    return m->input(1) == NULL && m->output(1) == NULL ? 0 : 11;
}
"""


def test_api_descriptor_and_layer_hook_from_c(tmp_path):
    _, result = gen(KWS, "kws")
    for name, text in result.files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "main.c").write_text(HOOK_MAIN)
    exe = tmp_path / "hook_test"
    c_files = [str(p) for p in tmp_path.glob("*.c")]
    subprocess.run([CC, *CFLAGS, f"-I{tmp_path}", *c_files, str(runtime_library()), "-lm",
                    "-o", str(exe)], check=True)  # fmt: skip
    out = subprocess.run([str(exe)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "kws", "12_SOFTMAX", "13", "16000", "490", "input_1", "83", "-128", "320000"
    ]  # fmt: skip


def test_constant_graph_output_is_served_from_model_data():
    b = ModelBuilder()
    x = b.tensor([1, 4], "INT8", 0.1, 0)
    y = b.tensor([1, 4], "INT8", 0.1, 0)
    c = b.const(np.arange(4, dtype=np.int32).reshape(1, 4))
    b.op("RELU", [x], [y])
    data = b.build([x], [y, c])
    gen(data)  # generates without a planned offset for the constant output
    program = GeneratedProgram([data], ["const_out"])
    outputs = program.run(0, [[np.array([[-3, -1, 2, 5]], np.int8)]])[0]
    assert outputs[0].tolist() == [[0, 0, 2, 5]]
    assert outputs[1].tolist() == [[0, 1, 2, 3]]
