"""The state a model keeps between invocations, and the values `<model>_init()` gives it.

Two kinds of tensors persist: variable tensors that ops update in place (the output and cell
states of UNIDIRECTIONAL_SEQUENCE_LSTM, SVDF's activation memory) and resource variables
(codegen/variables.py). The arena plan keeps them in its persistent part; `<model>_init()` resets
them as TFLite and TFLM reset variables: int8 variable tensors to their zero point, other
variable tensors to zero, resource variables to the value their initialization subgraph assigns
(zero without one). Invocations then carry the state forward, as an interpreter does.
"""

from __future__ import annotations

from dataclasses import dataclass

from autodeploy.codegen.variables import Variable
from autodeploy.tflite.model import Subgraph


@dataclass(frozen=True)
class StateSlot:
    tensor: int
    name: str
    nbytes: int
    fill: int  # the byte every element starts as, when `initial` is None
    initial: bytes | None = None  # the starting contents


def state_slots(sub: Subgraph, planned: set[int], variables: list[Variable]) -> list[StateSlot]:
    """One slot per persistent tensor of `sub` that the arena holds, in tensor order."""
    initial = {v.tensor: v.initial for v in variables}
    slots = []
    for index in sorted(planned):
        t = sub.tensors[index]
        if not t.is_variable:
            continue
        fill = 0
        if t.dtype == "INT8" and t.quantization and t.quantization.zero_point:
            fill = int(t.quantization.zero_point[0]) & 0xFF
        slots.append(StateSlot(index, t.name, t.nbytes, fill, initial.get(index)))
    return slots
