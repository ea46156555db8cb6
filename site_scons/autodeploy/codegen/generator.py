"""Whole-model C generation for the AOT runtime.

Turns a parsed model plus its memory plan into four files:
  <name>_model.h       the API (init, invoke, I/O info and buffers, layer tags, layer hook)
  <name>_model.c       the arena, every layer's static parameters and the invoke sequence
  <name>_model_data.h  extern declarations of the constant tensors
  <name>_model_data.c  the constant tensors, aligned, in the model data's linker section
Constant tensors and per-layer parameters go to section `.rodata.adrt_model`, the arena to
`.bss.adrt_arena`. The sources do not depend on the placement: each firmware variant's linker
script maps these sections onto the memories the placement chose, so a placement change re-links
and never regenerates or recompiles (and a host build, whose default script gathers `.rodata.*`
and `.bss.*`, needs nothing special).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autodeploy.analysis.macs import estimate_macs
from autodeploy.codegen.c_render import DTYPE_CTYPE, format_values, render_call, render_params
from autodeploy.codegen.lower.registry import supported_opcodes
from autodeploy.codegen.pipeline import Program
from autodeploy.errors import UnsupportedModelError
from autodeploy.home import tool_root
from autodeploy.templating import template_environment
from autodeploy.tflite.model import Tensor

TEMPLATES = Path(__file__).resolve().parent / "templates"
RUNTIME_HEADERS = tool_root() / "firmware" / "runtime" / "include"
ADRT_DTYPE = {
    "INT8": "ADRT_DTYPE_INT8",
    "UINT8": "ADRT_DTYPE_UINT8",
    "INT16": "ADRT_DTYPE_INT16",
    "INT32": "ADRT_DTYPE_INT32",
    "FLOAT32": "ADRT_DTYPE_FLOAT32",
    "INT64": "ADRT_DTYPE_INT64",
}
MODEL_SECTION = ".rodata.adrt_model"
ARENA_SECTION = ".bss.adrt_arena"
ADRT_MAX_RANK = 6  # adrt_tensor_info_t.shape capacity (firmware/runtime/include/adrt/model_api.h)
# numpy element type of each schema dtype the generator and its tests move around.
NP_DTYPES = {
    "INT8": np.int8,
    "UINT8": np.uint8,
    "INT16": np.int16,
    "INT32": np.int32,
    "INT64": np.int64,
    "FLOAT32": np.float32,
    "BOOL": np.bool_,
}


@dataclass(frozen=True)
class GeneratedModel:
    files: dict[str, str]  # file name -> content
    arena_bytes: int
    num_layers: int


def _tensor_info(t: Tensor) -> dict:
    if t.dtype not in ADRT_DTYPE:
        raise UnsupportedModelError(
            f"graph input/output '{t.name}' has type {t.dtype}; the runtime's model API "
            f"supports {', '.join(ADRT_DTYPE)}."
        )
    q = t.quantization
    # The API describes at most ADRT_MAX_RANK dimensions: a higher-rank tensor is described with
    # its leading dimensions merged, which is the same row-major layout of the same bytes.
    shape = list(t.shape)
    if len(shape) > ADRT_MAX_RANK:
        merged = len(shape) - ADRT_MAX_RANK + 1
        shape = [int(np.prod(shape[:merged]))] + shape[merged:]
    return {
        "name": t.name.replace("\\", "/").replace('"', "'"),
        "dtype": ADRT_DTYPE[t.dtype],
        "rank": len(shape),
        "shape": shape or [1],
        "bytes": t.nbytes,
        "scale": repr(float(q.scale[0])) + "f" if q and q.scale else "0.0f",
        "zero_point": int(q.zero_point[0]) if q and q.zero_point else 0,
    }


def runtime_headers() -> list[Path]:
    """Every public runtime header (adrt/ and its variant folders): declarations only, no
    intrinsics, so any target's model C may include them all."""
    return sorted((RUNTIME_HEADERS / "adrt").rglob("*.h"))


def _require_runnable(program: Program) -> None:
    problems = [f"  layer {x.op.index} {x.op.opcode}: {x.problem}" for x in program.problems]
    if problems:
        raise UnsupportedModelError(
            f"{program.source.path}: the firmware runtime cannot run {len(problems)} layer(s):\n"
            + "\n".join(problems)
            + "\nSupported ops: "
            + ", ".join(sorted(supported_opcodes()))
            + ". Change these layers before conversion, or see the analysis warnings."
        )


def _constant_array(name: str, t: Tensor, section: str) -> str:
    ctype = DTYPE_CTYPE[t.dtype]
    values = np.frombuffer(t.data, dtype=NP_DTYPES[t.dtype]).tolist() or [0]
    return (
        f'const {ctype} {name}[{len(values)}] __attribute__((aligned(16), section("{section}")))'
        f" = {{\n{format_values(values)}\n}};\n"
    )


def _state_initializers(program: Program, name: str) -> tuple[list[dict], str]:
    """What `<name>_init()` writes into each state slot, and the constant arrays it copies."""
    offsets = program.plan.offsets
    slots, arrays = [], []
    for k, slot in enumerate(program.state):
        entry = {"offset": offsets[slot.tensor], "bytes": slot.nbytes, "tensor": slot.name}
        entry |= {"source": None, "fill": slot.fill}
        if slot.initial is not None:
            entry["source"] = f"{name}_state{k}"
            values = list(slot.initial) or [0]
            arrays.append(
                f"const uint8_t {entry['source']}[{len(values)}] __attribute__((aligned(16), "
                f'section("{MODEL_SECTION}"))) = {{\n{format_values(values)}\n}};\n'
            )
        slots.append(entry)
    return slots, "\n".join(arrays)


def generate(program: Program, name: str) -> GeneratedModel:
    """C sources of a compiled program (its calls and arena plan), named `name`."""
    _require_runnable(program)
    sub = program.model.main
    offsets = program.plan.offsets
    layers_run = program.in_execution_order()
    arena_bytes = program.plan.size

    # Constants read by a layer, and constant graph outputs (e.g. a folded SHAPE), which the API
    # returns as pointers into the model data.
    used_constants = sorted(
        {i for x in layers_run for i in x.call.inputs if i >= 0 and sub.tensors[i].is_constant}
        | {i for i in sub.outputs if sub.tensors[i].is_constant}
    )
    const_names = {i: f"{name}_t{i}" for i in used_constants}

    def tensor_expr(i: int) -> str:
        if i in const_names:
            return const_names[i]
        return f"s_arena + {offsets[i]}"

    def output_expr(i: int) -> str:
        # a constant output is read-only model data behind the API's `void *`
        return f"(void *){const_names[i]}" if i in const_names else tensor_expr(i)

    layers = []
    for layer_number, layer in enumerate(layers_run):
        op, call = layer.op, layer.call
        prefix = f"l{layer_number}"
        scratch = None if layer.scratch_id is None else f"s_arena + {offsets[layer.scratch_id]}"
        layers.append(
            {
                "tag": f"{op.index}_{op.opcode}",
                "macs": estimate_macs(op, program.source.main).macs,
                "params": render_params(
                    call, prefix, f'__attribute__((section("{MODEL_SECTION}")))'
                ),
                "output": {
                    "expr": tensor_expr(call.outputs[0]),
                    "bytes": sub.tensors[call.outputs[0]].nbytes,
                },
                "call": render_call(
                    call, prefix, tensor_expr, lambda i: sub.tensors[i].dtype, scratch
                ),
            }
        )
    state, state_arrays = _state_initializers(program, name)
    headers = sorted(p.relative_to(RUNTIME_HEADERS / "adrt").as_posix() for p in runtime_headers())
    env = template_environment(TEMPLATES)
    context = {
        "name": name,
        "guard": name.upper(),
        "path": program.source.path,
        "build_id": program.sha256[:16],
        "arena_bytes": arena_bytes,
        "state": state,
        "state_bytes": program.plan.persistent_bytes,
        "arena_section": ARENA_SECTION,
        "model_section": MODEL_SECTION,
        "inputs": [_tensor_info(sub.tensors[i]) | {"expr": tensor_expr(i)} for i in sub.inputs],
        "outputs": [_tensor_info(sub.tensors[i]) | {"expr": output_expr(i)} for i in sub.outputs],
        "layers": layers,
        "headers": headers,
        "constants": [
            {
                "name": const_names[i],
                "ctype": DTYPE_CTYPE[sub.tensors[i].dtype],
                "count": max(sub.tensors[i].num_elements, 1),
                "tensor": sub.tensors[i].name,
            }
            for i in used_constants
        ],  # fmt: skip
    }
    files = {
        f"{name}_model.h": env.get_template("model.h.j2").render(context),
        f"{name}_model.c": env.get_template("model.c.j2").render(context),
        f"{name}_model_data.h": env.get_template("model_data.h.j2").render(context),
        f"{name}_model_data.c": env.get_template("model_data.c.j2").render(
            context,
            arrays="\n".join(
                [
                    *(
                        _constant_array(const_names[i], sub.tensors[i], MODEL_SECTION)
                        for i in used_constants
                    ),
                    state_arrays,
                ]
            ),
        ),
    }
    return GeneratedModel(files, arena_bytes, len(layers))
