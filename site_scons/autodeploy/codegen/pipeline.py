"""The compile pipeline: a .tflite becomes one Program per (model, target).

    parse -> resolve resource variables -> infer shapes and fold shape-only subgraphs -> lower
    each op (portable call, then the target's variant) -> order -> plan the arena (scratch
    included, state in its persistent part)

Analysis, warnings, generated sources and reports all read the Program: nothing parses the
.tflite or lowers an op a second time. A layer the runtime cannot run keeps its problem instead of
a call, so the analysis can still describe the model and say why; generating C refuses it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field

from autodeploy.codegen.fold import ShapeFix, fold_shape_ops
from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.lower.registry import Unsupported, lower_operator
from autodeploy.codegen.state import StateSlot, state_slots
from autodeploy.codegen.variables import resolve_variables
from autodeploy.codegen.variants.registry import LayerContext, choose_variant
from autodeploy.memory.arena import ArenaPlan, plan_arena
from autodeploy.memory.lifetimes import Lifetime, execution_order, tensor_lifetimes
from autodeploy.target import Target
from autodeploy.tflite.model import Model, Operator
from autodeploy.tflite.reader import parse_model


@dataclass
class CompiledLayer:
    op: Operator
    call: KernelCall | None  # None when the runtime cannot run the op
    problem: str | None = None  # why not (Unsupported's detail)
    scratch_id: int | None = None  # the scratch buffer's id in the arena plan


@dataclass
class Program:
    source: Model  # every layer as parsed, with the inferred shapes (what the analysis shows)
    model: Model  # what runs: shapes inferred, shape-only ops folded away
    target: Target
    sha256: str
    folded: list[int]  # indices of the ops evaluated at build time (shape ops, VAR_HANDLE, ...)
    shape_fixes: list[ShapeFix]  # stored shapes that disagreed with the inferred ones
    layers: list[CompiledLayer]  # one per op of model.main, in file order
    order: list[int]  # positions in `layers` in execution order
    plan: ArenaPlan  # tensors by index; scratch buffers by their scratch_id
    state: list[StateSlot] = field(default_factory=list)  # what persists between invokes

    @property
    def stateful(self) -> bool:
        """Outputs depend on earlier invocations (variables carry state forward)."""
        return bool(self.state)

    @property
    def problems(self) -> list[CompiledLayer]:
        return [layer for layer in self.layers if layer.call is None]

    def in_execution_order(self) -> list[CompiledLayer]:
        return [self.layers[pos] for pos in self.order]


def _compile_layer(op: Operator, model: Model, target: Target) -> CompiledLayer:
    try:
        portable = lower_operator(op, model.main)
    except Unsupported as err:
        return CompiledLayer(op, None, err.detail)
    return CompiledLayer(op, choose_variant(portable, LayerContext(op, model.main), target))


def planned_tensors(model: Model) -> set[int]:
    sub = model.main
    used = {i for op in sub.operators for i in (*op.inputs, *op.outputs) if i >= 0}
    used |= set(sub.inputs) | set(sub.outputs)
    return {i for i in used if not sub.tensors[i].is_constant}


def _scratch_lifetimes(layers: list[CompiledLayer], order: list[int], first_id: int):
    """A lifetime per kernel scratch buffer: alive during its own layer's step only."""
    lifetimes = []
    for step, pos in enumerate(order):
        layer = layers[pos]
        if layer.call is not None and layer.call.scratch_bytes:
            layer.scratch_id = first_id + pos
            lifetimes.append(Lifetime(layer.scratch_id, layer.call.scratch_bytes, step, step))
    return lifetimes


def _with_shapes(source: Model, fixes: list[ShapeFix]) -> Model:
    """The parsed model with the inferred shapes in place of the stale stored ones."""
    if not fixes:
        return source
    tensors = list(source.main.tensors)
    for fix in fixes:
        tensors[fix.tensor] = dataclasses.replace(tensors[fix.tensor], shape=fix.inferred)
    main = dataclasses.replace(source.main, tensors=tensors)
    return dataclasses.replace(source, subgraphs=[main, *source.subgraphs[1:]])


def compile_model(source: Model, sha256: str, target: Target) -> Program:
    resolved, resolved_ops, variables = resolve_variables(source)
    model, folded, fixes = fold_shape_ops(resolved)
    sub = model.main
    layers = [_compile_layer(op, model, target) for op in sub.operators]
    order = execution_order(sub, model.path)
    planned = planned_tensors(model)
    lifetimes = tensor_lifetimes(sub, order, planned)
    lifetimes += _scratch_lifetimes(layers, order, first_id=len(sub.tensors))
    state = state_slots(sub, planned, variables)
    plan = plan_arena(lifetimes, frozenset(slot.tensor for slot in state))
    return Program(
        _with_shapes(source, fixes),
        model,
        target,
        sha256,
        sorted(resolved_ops + folded),
        fixes,
        layers,
        order,
        plan,
        state,
    )


def compile_bytes(data: bytes, path: str, target: Target) -> Program:
    """Parse and compile a .tflite's bytes; `path` names it in error messages."""
    return compile_model(parse_model(data, path), hashlib.sha256(data).hexdigest(), target)
