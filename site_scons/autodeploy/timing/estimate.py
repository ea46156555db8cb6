"""Cycles from the QEMU plugin's counts of one window (a layer, or a whole inference) and the
timing model, at one CPU mode's clock:

    cycles = sum over scalar classes (executed x cycles) + taken branches x taken_branch
           + Helium beats / beats_per_cycle - overlapped Helium instructions x overlap_saving
             - chained Helium instructions x chain_saving
           + per memory: line fills and write-backs x its cost (through the data cache), or
             reads and writes x its cost (uncached)

Instruction fetches are taken to cost nothing beyond their class (code runs from TCM, or its
loops stay in the instruction cache). Accesses outside the platform's memories (peripherals)
cost nothing extra."""

from __future__ import annotations

from dataclasses import dataclass

from ..board.qemu_plugin import MVE_CLASSES
from ..errors import AutodeployError
from .model import TimingModel

LABEL = "cycle estimate (model)"


class TimingModelError(AutodeployError):
    """The plugin's counts do not fit the timing model (a class or memory it has no cost for)."""


@dataclass(frozen=True)
class CycleEstimate:
    core: float  # scalar instructions and taken branches
    helium: float  # Helium beats, less overlap
    memory: dict[str, float]  # per memory: what its line fills, write-backs or accesses add

    @property
    def cycles(self) -> float:
        return self.core + self.helium + sum(self.memory.values())

    def __add__(self, other: CycleEstimate) -> CycleEstimate:
        memory = dict(self.memory)
        for name, cycles in other.memory.items():
            memory[name] = memory.get(name, 0) + cycles
        return CycleEstimate(self.core + other.core, self.helium + other.helium, memory)

    def to_dict(self) -> dict:
        return {
            "cycles": round(self.cycles),
            "core": round(self.core),
            "helium": round(self.helium),
            "memory": {name: round(value) for name, value in self.memory.items()},
        }


def estimate(counts, model: TimingModel, clock_hz: float) -> CycleEstimate:
    """counts: autodeploy.board.qemu_plugin.Counts of one window."""
    core = model.core
    scalar = 0.0
    for name, executed in counts.classes.items():
        if name in MVE_CLASSES:  # costed by their beats below
            continue
        cost = core.classes.get(name)
        if cost is None:
            raise TimingModelError(
                f"the QEMU plugin counts instruction class '{name}', which {core.file} has no "
                "cost for: add it under classes"
            )
        scalar += executed * cost.value
    scalar += counts.taken_branches * core.taken_branch.value
    helium = 0.0
    if counts.mve_instructions:
        if core.helium is None:
            raise TimingModelError(
                f"the firmware ran {counts.mve_instructions} Helium instructions, but "
                f"{core.file} has no helium section"
            )
        h = core.helium
        helium = (
            counts.mve_beats / h.beats_per_cycle.value
            - counts.mve_overlapped * h.overlap_saving.value
            - counts.mve_chained * h.chain_saving.value
        )
    cached = set(model.data_cache.memories) if model.data_cache else set()
    memory = {}
    for name, cost in model.memories.items():
        traffic = counts.memory.get(name)
        if traffic is None:
            continue
        if name in cached:
            events = traffic["refills"] + traffic["writebacks"]
        else:
            events = traffic["reads"] + traffic["writes"]
        memory[name] = events * cost.at(clock_hz)
    return CycleEstimate(scalar, helium, memory)
