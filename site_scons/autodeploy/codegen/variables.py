"""Resource variables resolved at build time: VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE, CALL_ONCE.

Streaming models keep state in resource variables. A VAR_HANDLE names its variable by
(container, shared_name), the same name denoting the same variable in every subgraph; a CALL_ONCE
runs an initialization subgraph on the first invoke, which assigns each variable its initial
value. All of that is static, so it is resolved here instead of at run time:

- each variable becomes one tensor of the main subgraph (the output of its first VAR_HANDLE,
  given the variable's type and shape and marked as a variable), which READ_VARIABLE copies from
  and ASSIGN_VARIABLE copies into; the arena plan keeps it in its persistent part;
- an initialization subgraph made of VAR_HANDLE and ASSIGN_VARIABLE of constants is evaluated:
  its values become the variables' initial contents, written by `<model>_init()`;
- the VAR_HANDLE and evaluated CALL_ONCE operators leave the program (the analysis lists them as
  evaluated at build time). A CALL_ONCE whose subgraph computes anything else stays, and its
  layer reports that it cannot run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from autodeploy.errors import TfliteFormatError
from autodeploy.tflite.model import Model, Operator, Subgraph, Tensor

Key = tuple[str, str]


@dataclass(frozen=True)
class Variable:
    tensor: int  # the main subgraph's tensor that holds the variable
    name: str  # "container/shared_name", for messages and reports
    initial: bytes | None  # the value the initialization subgraph assigns (None: zeros)


def _key(op: Operator) -> Key:
    return op.options.get("container") or "", op.options.get("shared_name") or ""


def _name(key: Key) -> str:
    return "/".join(part for part in key if part) or "(unnamed)"


def _initial_values(model: Model, index: int) -> dict[Key, Tensor] | None:
    """The constants an initialization subgraph assigns, by variable; None when it does
    anything else (then it cannot be evaluated at build time)."""
    if not 0 < index < len(model.subgraphs):
        raise TfliteFormatError(
            f"{model.path}: CALL_ONCE names init subgraph {index}, but the model has "
            f"{len(model.subgraphs)} subgraphs. Re-export the model."
        )
    sub = model.subgraphs[index]
    handles: dict[int, Key] = {}
    values: dict[Key, Tensor] = {}
    for op in sub.operators:
        if op.opcode == "VAR_HANDLE" and len(op.outputs) == 1:
            handles[op.outputs[0]] = _key(op)
        elif op.opcode == "ASSIGN_VARIABLE" and len(op.inputs) == 2 and op.inputs[0] in handles:
            value = sub.tensors[op.inputs[1]]
            if not value.is_constant:
                return None
            values[handles[op.inputs[0]]] = value
        else:
            return None
    return values


def _value_tensors(sub: Subgraph, handles: dict[int, Key]) -> dict[Key, list[Tensor]]:
    """The tensors each variable's value passes through in the main subgraph."""
    found: dict[Key, list[Tensor]] = {}
    for op in sub.operators:
        if op.opcode == "READ_VARIABLE" and op.inputs and op.inputs[0] in handles:
            found.setdefault(handles[op.inputs[0]], []).append(sub.tensors[op.outputs[0]])
        if op.opcode == "ASSIGN_VARIABLE" and len(op.inputs) == 2 and op.inputs[0] in handles:
            found.setdefault(handles[op.inputs[0]], []).append(sub.tensors[op.inputs[1]])
    return found


def _check_same(model: Model, key: Key, tensors: list[Tensor]) -> Tensor:
    first = tensors[0]
    for t in tensors[1:]:
        if t.dtype != first.dtype or t.num_elements != first.num_elements:
            raise TfliteFormatError(
                f"{model.path}: resource variable {_name(key)} is used as {first.dtype} "
                f"{list(first.shape)} and as {t.dtype} {list(t.shape)}. Re-export the model."
            )
    return first


def resolve_variables(model: Model) -> tuple[Model, list[int], list[Variable]]:
    """(model with one tensor per variable and no VAR_HANDLE or evaluated CALL_ONCE, indices of
    the removed operators, the variables)."""
    sub = model.main
    if not any(op.opcode in ("VAR_HANDLE", "CALL_ONCE") for op in sub.operators):
        return model, [], []
    handles = {op.outputs[0]: _key(op) for op in sub.operators if op.opcode == "VAR_HANDLE"}
    canonical: dict[Key, int] = {}
    for tensor, key in handles.items():
        canonical.setdefault(key, tensor)
    removed, initial = [], {}
    for op in sub.operators:
        if op.opcode == "VAR_HANDLE":
            removed.append(op.index)
        elif op.opcode == "CALL_ONCE":
            values = _initial_values(model, int(op.options.get("init_subgraph_index", 0)))
            if values is not None:
                initial |= values
                removed.append(op.index)
    tensors = list(sub.tensors)
    variables = []
    for key, users in _value_tensors(sub, handles).items():
        spec = _check_same(model, key, users + ([initial[key]] if key in initial else []))
        index = canonical[key]
        tensors[index] = dataclasses.replace(
            tensors[index],
            dtype=spec.dtype,
            shape=tuple(spec.shape),
            quantization=spec.quantization,
            is_variable=True,
        )
        value = initial.get(key)
        variables.append(Variable(index, _name(key), value.data if value is not None else None))
    to_canonical = {tensor: canonical[key] for tensor, key in handles.items()}
    operators = [
        dataclasses.replace(op, inputs=tuple(to_canonical.get(t, t) for t in op.inputs))
        for op in sub.operators
        if op.index not in removed
    ]
    main = dataclasses.replace(sub, tensors=tensors, operators=operators)
    return dataclasses.replace(model, subgraphs=[main, *model.subgraphs[1:]]), removed, variables
