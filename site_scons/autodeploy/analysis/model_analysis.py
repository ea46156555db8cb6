"""Everything the build knows about a model compiled for a target, as plain JSON-able data.

It is read from the compiled Program (codegen/pipeline.py), written once per model and target in
the build directory, so later steps (placement, reports, profiles) never parse the .tflite again.
"""

from __future__ import annotations

from collections import Counter

from autodeploy.analysis.layers import describe_layers
from autodeploy.analysis.warnings import find_warnings
from autodeploy.codegen.c_render import params_bytes
from autodeploy.codegen.pipeline import Program, compile_bytes
from autodeploy.memory.arena import align
from autodeploy.target import Target
from autodeploy.tflite.model import Model, Tensor


def io_entry(t: Tensor) -> dict:
    """A graph input or output as analyses describe it (the dataset checks read these too)."""
    q = t.quantization
    return {
        "index": t.index,
        "name": t.name,
        "shape": list(t.shape),
        "dtype": t.dtype,
        "bytes": t.nbytes,
        "scale": list(q.scale) if q else [],
        "zero_point": list(q.zero_point) if q else [],
    }


def _weights(program: Program) -> list[Tensor]:
    """The model's constants as the file has them: those a layer reads, and constant outputs."""
    sub = program.model.main
    used = {i for op in sub.operators for i in op.inputs if i >= 0} | set(sub.outputs)
    return [sub.tensors[i] for i in sorted(used) if sub.tensors[i].is_constant]


def _emitted_constants(program: Program) -> list[Tensor]:
    """Constants the generated model data holds as tensors: those a layer's call reads, and
    constant graph outputs (a variant that packs weights into its parameters reads none)."""
    sub = program.model.main
    used = {i for layer in program.layers if layer.call for i in layer.call.inputs if i >= 0}
    used |= set(sub.outputs)
    return [sub.tensors[i] for i in sorted(used) if sub.tensors[i].is_constant]


def _memory_plan(program: Program) -> dict:
    plan, sub = program.plan, program.model.main
    scratch_of = {layer.scratch_id: layer for layer in program.layers if layer.scratch_id}
    tensors, scratch = [], []
    for lt in plan.lifetimes:
        entry = {"bytes": lt.nbytes, "offset": plan.offsets[lt.tensor], "first_step": lt.first}
        if lt.tensor in scratch_of:
            layer = scratch_of[lt.tensor]
            scratch.append({"layer": layer.op.index, "kernel": layer.call.kernel, **entry})
        else:
            tensors.append(
                {"tensor": lt.tensor, "name": sub.tensors[lt.tensor].name, **entry}
                | {"last_step": lt.last}
            )
    return {
        "arena_bytes": plan.size,
        # state kept between invocations at the start of the arena, reset by <model>_init()
        "persistent_bytes": plan.persistent_bytes,
        "state": [
            {
                "tensor": slot.tensor,
                "name": slot.name,
                "bytes": slot.nbytes,
                "offset": plan.offsets[slot.tensor],
                "initial": "assigned by CALL_ONCE"
                if slot.initial is not None
                else f"every byte {slot.fill}",
            }
            for slot in program.state
        ],
        "lower_bound_bytes": plan.lower_bound,
        "ratio": round(plan.ratio, 4),
        "alignment": 16,
        "execution_order": [program.layers[pos].op.index for pos in program.order],
        "tensors": tensors,
        "scratch": scratch,
        "scratch_bytes": sum(s["bytes"] for s in scratch),
    }


def analyze(program: Program) -> dict:
    """Analysis of the model as the firmware will run it: shape-only ops folded at build time,
    each layer with the kernel variant the target chose."""
    source: Model = program.source
    layers = describe_layers(source)
    compiled = {layer.op.index: layer for layer in program.layers}
    for layer in layers:
        layer.folded = layer.index in program.folded
        if layer.index in compiled and compiled[layer.index].call is not None:
            call = compiled[layer.index].call
            layer.kernel, layer.scratch_bytes = call.kernel, call.scratch_bytes
    sub = program.model.main
    calls = [layer for layer in program.layers if layer.call]
    emitted = _emitted_constants(program)
    params = sum(params_bytes(layer.call) for layer in program.layers if layer.call)
    return {
        "model": {
            "path": source.path,
            "file_size": source.file_size,
            "sha256": program.sha256,
            "schema_version": source.version,
            "description": source.description,
            "subgraphs": len(source.subgraphs),
        },
        "target": program.target.name,
        # outputs depend on earlier invocations: validation compares whole sequences
        "stateful": program.stateful,
        "inputs": [io_entry(sub.tensors[i]) for i in sub.inputs],
        "outputs": [io_entry(sub.tensors[i]) for i in sub.outputs],
        "totals": {
            "layers": len(layers),
            "folded_layers": program.folded,
            "macs": sum(layer.macs for layer in layers),
            "weight_bytes": sum(t.nbytes for t in _weights(program)),
            "layer_params_bytes": params,
            # what the model data occupies on the board: each constant aligned like the arena,
            # plus the per-layer parameters (packed weights, multipliers, tables, structs)
            "model_data_bytes": sum(align(t.nbytes) for t in emitted) + params,
            "op_set": dict(sorted(Counter(op.opcode for op in sub.operators).items())),
            "kernels": dict(sorted(Counter(x.call.kernel for x in calls).items())),
            "var_handles": sum(op.opcode == "VAR_HANDLE" for op in sub.operators),
        },
        "layers": [layer.to_dict() for layer in layers],
        "shape_fixes": [
            {
                "tensor": fix.tensor,
                "name": fix.name,
                "layer": fix.layer,
                "stored": list(fix.stored),
                "inferred": list(fix.inferred),
            }
            for fix in program.shape_fixes
        ],
        "memory_plan": _memory_plan(program),
        "warnings": [w.to_dict() for w in find_warnings(program)],
    }


def analyze_bytes(data: bytes, path: str, target: Target) -> dict:
    """Compile and analyze a .tflite's bytes for `target`."""
    return analyze(compile_bytes(data, path, target))
