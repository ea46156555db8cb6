"""Execution order and tensor lifetimes of the main subgraph.

A tensor lives from the step of the operator that writes it (step 0 for graph inputs) to the step
of its last reader (the final step for graph outputs and variables). Both ends are inclusive: an
operator's inputs and outputs occupy memory at the same time.
"""

from __future__ import annotations

from dataclasses import dataclass

from autodeploy.errors import TfliteFormatError
from autodeploy.tflite.model import Subgraph


@dataclass(frozen=True)
class Lifetime:
    tensor: int
    nbytes: int
    first: int
    last: int

    def overlaps(self, other: Lifetime) -> bool:
        return self.first <= other.last and other.first <= self.last


def execution_order(subgraph: Subgraph, path: str = "") -> list[int]:
    """Positions in `subgraph.operators` in a dependency-respecting order, keeping file order
    where it is valid.

    TFLite files normally store operators already in execution order; this checks it and repairs
    any other valid order, and rejects cycles (which a valid model cannot have). Operators that
    touch the same variable (state an op updates in place, a resource variable) keep their file
    order: they depend on each other through the state, not through a produced tensor.
    """
    producers: dict[int, int] = {}
    for pos, op in enumerate(subgraph.operators):
        for t in op.outputs:
            producers[t] = pos
    pending = {
        pos: {producers[t] for t in op.inputs if t in producers}
        for pos, op in enumerate(subgraph.operators)
    }
    last_access: dict[int, int] = {}
    for pos, op in enumerate(subgraph.operators):
        for t in (*op.inputs, *op.outputs):
            if t >= 0 and subgraph.tensors[t].is_variable:
                if t in last_access and last_access[t] != pos:
                    pending[pos].add(last_access[t])
                last_access[t] = pos
    order: list[int] = []
    done: set[int] = set()
    while pending:
        ready = [pos for pos in sorted(pending) if pending[pos] <= done]
        if not ready:
            stuck = ", ".join(str(subgraph.operators[p].index) for p in sorted(pending)[:5])
            raise TfliteFormatError(
                f"{path}: operators {stuck} depend on each other in a cycle; "
                "a TFLite graph must be acyclic. Re-export the model."
            )
        for pos in ready:
            order.append(pos)
            done.add(pos)
            del pending[pos]
    return order


def tensor_lifetimes(subgraph: Subgraph, order: list[int], planned: set[int]) -> list[Lifetime]:
    """Lifetimes of the `planned` tensors (the non-constant ones that need arena space)."""
    last_step = max(len(order) - 1, 0)
    first: dict[int, int] = {t: 0 for t in subgraph.inputs if t in planned}
    last: dict[int, int] = {}
    for step, pos in enumerate(order):
        op = subgraph.operators[pos]
        for t in op.inputs:
            if t in planned:
                first.setdefault(t, step)
                last[t] = step
        for t in op.outputs:
            if t in planned:
                first.setdefault(t, step)
                last[t] = max(last.get(t, step), step)
    for t in subgraph.outputs:
        if t in planned:
            first.setdefault(t, 0)
            last[t] = last_step
    for t in planned:
        if subgraph.tensors[t].is_variable:
            first[t], last[t] = 0, last_step
    return [
        Lifetime(t, subgraph.tensors[t].nbytes, first[t], last.get(t, first[t]))
        for t in sorted(first)
    ]
