"""Per-layer core counter events of a profile session (autodeploy.profile.pmu_events).

Before run 0 the board says what its core's counters offer (get_counter_info); none answer under
QEMU, and then nothing is counted and the reports show no counter columns. Otherwise the
requested events are split into groups of at most what one invoke counts, the first group is
selected for run 0's profiled invoke, and with `full_capture` the profiled invoke is repeated
once per further group (same inputs, after the same warm-up), each repeat checked to profile the
same layers with the same output CRCs as run 0 before its counts are merged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import AutodeployError
from ..progress import progress_line
from ..rpc.client import UNKNOWN_METHOD
from ..rpc.errors import BoardCallError
from .pmu_events import UNITS, CounterUnit, event_groups


class CounterCaptureError(AutodeployError):
    """The board cannot count the requested events, or a repeat profiled something else."""


@dataclass(frozen=True)
class PmuRequest:
    """What the profile counts per layer (already checked against the core by the config)."""

    core: str
    events: tuple[str, ...]
    full_capture: bool = False


@dataclass(frozen=True)
class PmuCapture:
    """Counts measured on the board: layers[layer][k] is events[k] in that layer."""

    label: str  # the counter unit, e.g. "Armv8.1-M PMU"
    events: tuple[str, ...]
    numbers: tuple[int, ...]  # what the firmware was given for each event
    bits: dict[str, int]  # events counted modulo 2**bits (narrower than 32 bits)
    invokes: int  # profiled invokes the events took (1 + repeats)
    layers: list[list[int]]


@dataclass(frozen=True)
class PmuUnavailable:
    """Nothing was counted, and why."""

    why: str


@dataclass(frozen=True)
class _Plan:
    unit: CounterUnit
    groups: list[tuple[str, ...]]


def select_first_group(client, request: PmuRequest, model: str, stateful: bool):
    """Asks the board what it counts and selects the first group; returns the plan for
    capture_counts, or PmuUnavailable when the core's counters do not answer."""
    unit = UNITS[request.core]
    try:
        info = client.counter_info()
    except BoardCallError as err:
        if err.status != UNKNOWN_METHOD:
            raise
        raise CounterCaptureError(
            f"{model}: the firmware on the board does not serve get_counter_info: it predates "
            "per-layer core counters; rebuild and reflash it with this version of the tool"
        ) from None
    if info.counters == 0:
        return PmuUnavailable(
            f"the board's {unit.label} reports no counters (the emulator, QEMU, does not model "
            "them and reads them as 0)"
        )
    if info.kind != unit.kind:
        raise CounterCaptureError(
            f"{model}: the firmware counts with its core's '{info.kind}' counters, but the "
            f"platform's core ({request.core}) has the {unit.label}: the firmware was built for "
            "another core; rebuild and reflash it"
        )
    if info.events == 0:
        raise CounterCaptureError(
            f"{model}: the firmware's per-layer counter table has no room for one event per "
            "layer of this model; rebuild it with a larger ADRPC_COUNTER_WORDS"
        )
    groups = event_groups(request.events, info.events)
    if len(groups) > 1 and not request.full_capture:
        raise CounterCaptureError(
            f"{model}: {len(request.events)} counter events requested, but the board counts "
            f"{info.events} at once for this model; list at most {info.events} in pmu_events, "
            "or set pmu_full_capture: true"
        )
    if len(groups) > 1 and stateful:
        raise CounterCaptureError(
            f"{model}: pmu_full_capture repeats the profiled invoke, which would advance this "
            f"stateful model's state; list at most {info.events} events and no full capture"
        )
    client.set_counters([unit.events[name] for name in groups[0]])
    return _Plan(unit, groups)


def capture_counts(
    client,
    plan,
    layers: list,
    invoke: Callable[[], int],
    model: str,
    progress: Callable[[str], None],
):
    """The counts of run 0's profiled invoke (just made, its stats `layers`), then one repeat
    per further group (`invoke` runs the profiled invoke again) merged in. A PmuUnavailable
    plan is returned as it is."""
    if isinstance(plan, PmuUnavailable):
        return plan
    counts = client.layer_counters()
    _check_count(counts, layers, 1, model)
    for k, group in enumerate(plan.groups[1:], start=2):
        client.set_counters([plan.unit.events[name] for name in group])
        invoke()
        _check_same_layers(client.layer_stats(), layers, k, model)
        more = client.layer_counters()
        _check_count(more, layers, k, model)
        counts = [a + b for a, b in zip(counts, more, strict=True)]
        progress(progress_line("profile", model, "counter group", k, len(plan.groups)))
    events = tuple(name for group in plan.groups for name in group)
    return PmuCapture(
        label=plan.unit.label,
        events=events,
        numbers=tuple(plan.unit.events[name] for name in events),
        bits={name: plan.unit.bits[name] for name in events if name in plan.unit.bits},
        invokes=len(plan.groups),
        layers=counts,
    )


def _check_count(counts: list, layers: list, invoke: int, model: str) -> None:
    if len(counts) != len(layers):
        raise CounterCaptureError(
            f"{model}: profiled invoke {invoke} counted events for {len(counts)} layers, but "
            f"profiled {len(layers)}; the firmware is inconsistent: rebuild and reflash it"
        )


def _check_same_layers(stats: list, first: list, invoke: int, model: str) -> None:
    """A repeat must run the very same layers on the same data, or its counts are not
    comparable with run 0's."""
    for k, (a, b) in enumerate(zip(stats, first, strict=False)):
        if (a.tag, a.output_crc32) != (b.tag, b.output_crc32):
            raise CounterCaptureError(
                f"{model}: the repeat for counter group {invoke} profiled layer {k} as {a.tag} "
                f"(output CRC-32 {a.output_crc32:#010x}), run 1 as {b.tag} "
                f"({b.output_crc32:#010x}): the repeats do not run the same model on the same "
                "inputs, so their counts cannot be merged"
            )
    if len(stats) != len(first):
        raise CounterCaptureError(
            f"{model}: the repeat for counter group {invoke} profiled {len(stats)} layers, run "
            f"1 {len(first)}; their counts cannot be merged"
        )
