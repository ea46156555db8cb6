"""Energy on the emulator: time at the mode's clock -> energy from the platform's power model
(constant active power per CPU mode). Time is the cycle estimate (model) when the QEMU plugin
counted the window (autodeploy.timing), else instructions at one per cycle. Every figure is
"modelled"."""

from __future__ import annotations

from ..timing.estimate import LABEL, estimate
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


def with_cycle_estimate(mode: dict, window_counts, model, clock_hz: float) -> dict:
    """`mode` (modelled_mode's figures) with time and energy from the cycle estimate of its
    window (the plugin's counts of all its runs)."""
    cycles = estimate(window_counts, model, clock_hz).cycles / mode["runs"]
    time_ms = cycles / clock_hz * 1e3
    return mode | {
        "cycles_per_inference": round(cycles),
        "time_ms": time_ms,
        "energy_uj": mode["power_mw"] * time_ms,
        "time_source": LABEL,
    }
