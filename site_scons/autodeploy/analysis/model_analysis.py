"""Everything the build knows about a model that depends only on the .tflite bytes.

The result is plain JSON-able data, cached per model in the build directory, so later steps
(placement, sources, reports) never parse the .tflite again.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import Counter

from autodeploy.analysis.layers import describe_layers
from autodeploy.analysis.warnings import find_warnings
from autodeploy.codegen.c_render import params_bytes
from autodeploy.codegen.fold import fold_shape_ops
from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.memory.arena import align, plan_arena
from autodeploy.memory.lifetimes import execution_order, tensor_lifetimes
from autodeploy.tflite.model import Model, Tensor
from autodeploy.tflite.reader import parse_model


def _io_entry(t: Tensor) -> dict:
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


def _constant_tensors(model: Model) -> list[Tensor]:
    """Constants in the model data: those a layer reads, and constant graph outputs."""
    used = {i for op in model.main.operators for i in op.inputs if i >= 0}
    used |= set(model.main.outputs)
    return [model.main.tensors[i] for i in sorted(used) if model.main.tensors[i].is_constant]


def _layer_params_bytes(program: Model, supported_ops: frozenset[str]) -> int:
    """Parameter bytes of the layers the runtime can lower (the others fail generation anyway)."""
    total = 0
    for op in program.main.operators:
        if op.opcode in supported_ops:
            # a layer that cannot be lowered is reported by the warnings and stops generation
            with contextlib.suppress(Unsupported):
                total += params_bytes(lower_operator(op, program.main))
    return total


def _planned_tensors(model: Model) -> set[int]:
    sub = model.main
    used = {i for op in sub.operators for i in (*op.inputs, *op.outputs) if i >= 0}
    used |= set(sub.inputs) | set(sub.outputs)
    return {i for i in used if not sub.tensors[i].is_constant}


def analyze(model: Model, sha256: str, supported_ops: frozenset[str]) -> dict:
    """Analysis of the model as the firmware will run it: shape-only ops folded at build time."""
    layers = describe_layers(model)
    program, folded = fold_shape_ops(model)
    for layer in layers:
        layer.folded = layer.index in folded
    sub = program.main
    order = execution_order(sub, model.path)
    lifetimes = tensor_lifetimes(sub, order, _planned_tensors(program))
    plan = plan_arena(lifetimes)
    constants = _constant_tensors(program)
    params = _layer_params_bytes(program, supported_ops)
    return {
        "model": {
            "path": model.path,
            "file_size": model.file_size,
            "sha256": sha256,
            "schema_version": model.version,
            "description": model.description,
            "subgraphs": len(model.subgraphs),
        },
        "inputs": [_io_entry(sub.tensors[i]) for i in sub.inputs],
        "outputs": [_io_entry(sub.tensors[i]) for i in sub.outputs],
        "totals": {
            "layers": len(layers),
            "folded_layers": folded,
            "macs": sum(layer.macs for layer in layers),
            "weight_bytes": sum(t.nbytes for t in constants),
            "layer_params_bytes": params,
            # what the model data occupies on the board: each constant aligned like the arena,
            # plus the per-layer parameters (requantization multipliers, tables, structs)
            "model_data_bytes": sum(align(t.nbytes) for t in constants) + params,
            "op_set": dict(sorted(Counter(op.opcode for op in sub.operators).items())),
            "var_handles": sum(op.opcode == "VAR_HANDLE" for op in sub.operators),
        },
        "layers": [layer.to_dict() for layer in layers],
        "memory_plan": {
            "arena_bytes": plan.size,
            "lower_bound_bytes": plan.lower_bound,
            "ratio": round(plan.ratio, 4),
            "alignment": 16,
            "execution_order": [sub.operators[pos].index for pos in order],
            "tensors": [
                {
                    "tensor": lt.tensor,
                    "name": sub.tensors[lt.tensor].name,
                    "bytes": lt.nbytes,
                    "offset": plan.offsets[lt.tensor],
                    "first_step": lt.first,
                    "last_step": lt.last,
                }
                for lt in lifetimes
            ],
        },
        "warnings": [w.to_dict() for w in find_warnings(program, supported_ops)],
    }


def analyze_bytes(data: bytes, path: str, supported_ops: frozenset[str]) -> dict:
    return analyze(parse_model(data, path), hashlib.sha256(data).hexdigest(), supported_ops)
