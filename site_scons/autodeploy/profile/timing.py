"""Turns counter ticks into the figures a profile shows, and says where they come from.

On the emulator, under -icount shift=0 one nanosecond of virtual time is one executed
instruction, so ticks count instructions (1e9 / counter_hz per tick: that is the resolution);
time is then estimated as instructions / the CPU mode's clock. On a real board the counter is
measured time, and cycles follow from the clock."""

from __future__ import annotations

from dataclasses import dataclass

#: Why emulated counts are not cycles; reports repeat it wherever they show emulated time.
EMULATED_COUNT_NOTE = (
    "QEMU counts every instruction as one, while a real core takes more cycles for many: a "
    "Cortex-M55 two or more (beats) for most Helium instructions"
)


@dataclass(frozen=True)
class Timing:
    measured: bool  # a real board, not the emulator
    counter_hz: int
    clock_hz: int  # of the CPU mode
    cpu_mode: str
    where: str  # "QEMU mps3-an547, -icount shift=0" or the board's name and port

    @property
    def count_label(self) -> str:
        return "Cycles" if self.measured else "Instructions"

    @property
    def per_tick(self) -> float:
        """Counts (instructions or cycles) per counter tick: the resolution of every count."""
        return (self.clock_hz if self.measured else 1e9) / self.counter_hz

    def counts(self, ticks: int) -> float:
        return ticks * self.per_tick

    def microseconds(self, ticks: int) -> float:
        if self.measured:
            return ticks * 1e6 / self.counter_hz
        return self.counts(ticks) * 1e6 / self.clock_hz

    @property
    def source(self) -> str:
        if self.measured:
            return f"measured on board ({self.where}; counter at {self.counter_hz:,} Hz)"
        return (
            f"estimated on the emulator ({self.where}; time = instructions / "
            f"{self.clock_hz / 1e6:g} MHz {self.cpu_mode} clock; {EMULATED_COUNT_NOTE})"
        )
