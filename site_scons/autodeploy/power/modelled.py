"""Energy on the emulator: counts -> instructions -> time at the mode's clock -> energy from the
platform's power model (constant active power per CPU mode). Every figure is "modelled"."""

from __future__ import annotations

from .console import Window

SOURCE = "modelled (platform power model)"


def modelled_mode(window: Window, clock_hz: float, power_mw: float) -> dict:
    """Per-inference figures of one mode. Under -icount shift=0 a tick is 1e9/hz instructions,
    and one instruction is taken as one cycle at the mode's clock."""
    instructions = window.ticks * 1e9 / window.counter_hz / window.runs
    time_ms = instructions / clock_hz * 1e3
    return {
        "runs": window.runs,
        "instructions_per_inference": round(instructions),
        "clock_mhz": clock_hz / 1e6,
        "time_ms": time_ms,
        "energy_uj": power_mw * time_ms,  # mW x ms = uJ
        "power_mw": power_mw,
    }
