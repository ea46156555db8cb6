"""The profile's cycle estimate on the emulator: QEMU runs our plugin (autodeploy.board.
qemu_plugin), whose per-layer counts the platform's timing model (autodeploy.timing) turns into
cycles, and which also give PMU-style event counts (labelled emulated: QEMU counted them, no PMU
did).

    with PluginCapture(platform, elf, device, enabled) as capture:  # autodeploy.timing
        run_on_board(capture.platform, ...)
    estimate = profile_estimate(capture.counts(), platform, ...)
"""

from __future__ import annotations

from dataclasses import dataclass

from ..board.qemu_plugin import PluginError
from ..timing.estimate import LABEL, CycleEstimate, estimate


def emulated_events(counts, memories) -> dict[str, int]:
    """One window's PMU-style counts, named as the Arm PMU events they mirror, then reads and
    writes per memory (`memories`: names)."""
    events = {
        "INST_RETIRED": counts.instructions,
        "MVE_INST_RETIRED": counts.mve_instructions,
        "MVE_INT_MAC_RETIRED": counts.classes.get("mve_mac", 0),
        "LD_RETIRED": counts.loads,
        "ST_RETIRED": counts.stores,
        "L1D_CACHE_REFILL": sum(t["refills"] for t in counts.memory.values()),
    }
    for name in memories:
        traffic = counts.memory.get(name, {})
        events[f"{name}_READS"] = traffic.get("reads", 0)
        events[f"{name}_WRITES"] = traffic.get("writes", 0)
    return events


@dataclass(frozen=True)
class ProfileEstimate:
    source: str
    clock_hz: int
    layers: list[CycleEstimate]
    total: CycleEstimate  # the layers, and the invoke's other instructions at one cycle each
    layer_events: list[dict[str, int]]

    @property
    def cycles(self) -> float:
        return self.total.cycles

    @property
    def parts(self) -> dict:
        """The whole inference's cycles by part (core, helium, memory)."""
        return self.total.to_dict()

    def us(self, cycles: float) -> float:
        return cycles * 1e6 / self.clock_hz


def profile_estimate(
    plugin_counts, platform, layer_count: int, instructions: float, clock_hz: int
) -> ProfileEstimate:
    """The estimate by `platform`'s timing model for the first profiled invoke's `layer_count`
    layers (`instructions`: the invoke's total from the firmware's counter)."""
    windows = plugin_counts.layers
    if layer_count == 0 or len(windows) < layer_count or len(windows) % layer_count:
        raise PluginError(
            f"the QEMU plugin saw {len(windows)} layer windows, but the firmware profiled "
            f"{layer_count} layers per invoke: the plugin missed the layer hook (rebuild the "
            "plugin: scripts/build-qemu-plugin.sh)"
        )
    first = windows[:layer_count]
    per_layer = [estimate(w, platform.timing, clock_hz) for w in first]
    other = max(0.0, instructions - sum(w.instructions for w in first))
    total = sum(per_layer, CycleEstimate(other, 0.0, {}))
    memories = tuple(platform.memories)
    return ProfileEstimate(
        source=estimate_source(platform.timing, clock_hz),
        clock_hz=clock_hz,
        layers=per_layer,
        total=total,
        layer_events=[emulated_events(w, memories) for w in first],
    )


def estimate_source(model, clock_hz: int) -> str:
    cache = model.data_cache
    cached = (
        f"; a {cache.size_bytes // 1024} KB {cache.ways}-way data cache with {cache.line_bytes}-"
        f"byte lines for {', '.join(cache.memories)}"
        if cache
        else ""
    )
    return (
        f"{LABEL}: instructions and memory accesses counted by our QEMU plugin, costed by "
        f"{model.core.file} and the platform's timing section at {clock_hz / 1e6:g} MHz{cached}; "
        "not measured"
    )
