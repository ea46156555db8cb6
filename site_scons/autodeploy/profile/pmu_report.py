"""The per-layer core counter events of a profile (autodeploy.profile.pmu_capture) in its
reports: the "pmu" entry of profile.json, extra columns of profile.csv and a table in profile.md,
each labelled as measured on the board. Nothing is shown as counted when the board's counters did
not answer (the emulator): the entry says why, and the CSV and Markdown get no counter columns."""

from __future__ import annotations

from .pmu_capture import PmuCapture, PmuUnavailable


def pmu_json(capture) -> dict | None:
    """profile.json's "pmu": the counts, or why there are none (None: none were requested)."""
    if isinstance(capture, PmuUnavailable):
        return {"source": None, "unavailable": capture.why}
    if not isinstance(capture, PmuCapture):
        return None
    return {
        "source": f"measured on board ({capture.label})",
        "events": list(capture.events),
        "event_numbers": list(capture.numbers),
        "modulo_bits": dict(capture.bits),
        "invokes": capture.invokes,
        "layers": [list(values) for values in capture.layers],
    }


def _counted(profile: dict) -> dict | None:
    pmu = profile.get("pmu")
    return pmu if pmu and pmu.get("source") else None


def csv_header(profile: dict) -> list[str]:
    """Column names to append to profile.csv's header: one per counted event."""
    pmu = _counted(profile)
    return list(pmu["events"]) if pmu else []


def csv_cells(profile: dict, layer: int) -> list[int]:
    """Layer `layer`'s counts, in csv_header's order."""
    pmu = _counted(profile)
    return list(pmu["layers"][layer]) if pmu else []


def pmu_markdown(profile: dict) -> list[str]:
    """profile.md's section on the core counters: a per-layer table, or why there is none."""
    pmu = profile.get("pmu")
    if not pmu:
        return []
    if not pmu.get("source"):
        return ["", f"Core counters (PMU/DWT): not available: {pmu['unavailable']}."]
    events = pmu["events"]
    invokes = pmu["invokes"]
    how = (
        f"{invokes} profiled invokes of run 1's inputs, each after the same warm-up, one per "
        "group of events the core counts at once"
        if invokes > 1
        else "run 1's profiled invoke"
    )
    lines = ["", f"## Core counters per layer ({pmu['source']})", "", f"Counted in {how}."]
    if pmu["modulo_bits"]:
        narrow = ", ".join(f"{name} modulo 2^{bits}" for name, bits in pmu["modulo_bits"].items())
        lines.append(f"Counters narrower than 32 bits wrap: {narrow}.")
    lines += [
        "",
        "| Event | Tag | " + " | ".join(events) + " |",
        "|---:|---|" + "---:|" * len(events),
    ]
    for row, values in zip(profile["layer_profile"], pmu["layers"], strict=True):
        cells = " | ".join(f"{v:,}" for v in values)
        lines.append(f"| {row['event']} | {row['tag']} | {cells} |")
    return lines
