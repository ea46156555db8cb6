"""reports/sweeps/<name>/: what was swept, every variant's row, and four grouped bar charts."""

from __future__ import annotations

from pathlib import Path

from . import formatting as fmt
from .html import render_page, write_files
from .sweep_charts import column, energy_metric, grouped_bars_svg, layout

SWEEP_PAGE_FILES = ("index.html", "latency.svg", "energy.svg", "arena.svg", "rom.svg", "npu.svg")

#: Table columns after the variant's identity: (header, row key, decimals).
FIGURES = (
    ("Inference ms", "Inference ms", 3),
    ("HP ms", "HP ms", 3),
    ("HP µJ", "HP uJ", 1),
    ("HP mW", "HP mW", 2),
    ("LP ms", "LP ms", 3),
    ("LP µJ", "LP uJ", 1),
    ("LP mW", "LP mW", 2),
    ("Model KB", "Model Size KB", 1),
    ("Arena KB", "Arena Size KB", 1),
    ("ROM KB", "ROM KB", 1),
    ("RAM KB", "RAM KB", 1),
    ("Est MACs", "Est MACs", 0),
    ("NPU ms (Vela estimate)", "NPU ms", 4),
    ("NPU cycles (Vela estimate)", "NPU Cycles", 0),
    ("NPU SRAM KB (Vela estimate)", "NPU SRAM KB", 1),
    ("NPU weights KB (Vela estimate)", "NPU Weights KB", 1),
    ("CPU ops beside the NPU", "NPU CPU Ops", 0),
)
IDENTITY = (
    "Model",
    "Platform",
    "Compiler",
    "Model Location",
    "Arena Location",
    "CPU Mode",
    "Accelerator",
    "Memory Mode",
    "Optimise",
)


def write_sweep_page(out_dir: Path, sweep: dict, rows: list[dict]) -> None:
    """Write SWEEP_PAGE_FILES into out_dir (rows: one result-log row per variant, see README)."""
    chart_layout = layout(rows)
    by_mode = "CPU Mode" in chart_layout.group_by + chart_layout.series_by
    charts = {}
    captions = {}
    for name, metric, unit in (
        ("latency.svg", column("Inference ms"), "inference time (ms)"),
        ("energy.svg", energy_metric(by_mode), "energy per inference (µJ)"),
        ("arena.svg", column("Arena Size KB"), "arena (KB)"),
        ("rom.svg", column("ROM KB"), "ROM (KB)"),
        ("npu.svg", column("NPU ms"), "NPU inference (ms, Vela estimate)"),
    ):
        charts[name], missing = grouped_bars_svg(rows, metric, unit)
        captions[name] = _missing_by_reason(missing)
    ok = [r for r in rows if r.get("Status") == "ok"]
    # Columns that say nothing in this sweep (same everywhere, or empty) are left out.
    identity = ["Model"] + [c for c in IDENTITY[1:] if len({r.get(c) for r in rows}) > 1]
    figures = [f for f in FIGURES if any(r.get(f[1]) is not None for r in ok)]
    constant = [(c, rows[0].get(c)) for c in IDENTITY[1:] if c not in identity and rows]
    page = render_page(
        "sweep.html.j2",
        sweep=sweep,
        axes=[(axis, ", ".join(str(v) for v in values)) for axis, values in sweep["axes"].items()],
        exclude=[_exclusion(e) for e in sweep.get("exclude") or []],
        identity=identity,
        constant=constant,
        figures=[header for header, _, _ in figures],
        rows=[_row(r, identity, figures) for r in rows],
        counts={"ok": len(ok), "other": len(rows) - len(ok), "all": len(rows)},
        timing=sorted({fmt.timing_label(r.get("Timing Source")) for r in ok}),
        power=sorted({fmt.power_label(r.get("Power Source")) for r in ok if r.get("Power Source")}),
        energy_note=(
            "Energy per inference in each variant's own CPU mode"
            if by_mode
            else "Energy per inference in both CPU modes (HP and LP bars)"
        ),
        captions=captions,
        npu=any(r.get("NPU ms") is not None for r in ok),
    )
    write_files(out_dir, {"index.html": page, **charts})


def _missing_by_reason(missing) -> list[tuple[str, str]]:
    """(reason, variants) pairs, one per distinct reason, so a long sweep stays readable."""
    reasons: dict[str, list[str]] = {}
    for m in missing:
        reasons.setdefault(m.why, []).append(m.variant)
    return [(why, ", ".join(variants)) for why, variants in reasons.items()]


def _exclusion(entry: dict) -> str:
    return ", ".join(f"{key} = {value}" for key, value in entry.items())


def _row(row: dict, identity: list[str], figures) -> dict:
    status = row.get("Status") or "unavailable"
    return {
        "status": status,
        "reason": row.get("Reason"),
        "href": row.get("href"),
        "variant": row.get("Variant") or fmt.MISSING,
        "identity": [fmt.MISSING if row.get(c) is None else str(row.get(c)) for c in identity],
        "figures": [fmt.number(row.get(key), digits) for _, key, digits in figures],
        "measured": fmt.timing_label(row.get("Timing Source")) == fmt.MEASURED,
        "timing_source": row.get("Timing Source"),
        "power": fmt.power_label(row.get("Power Source")) if row.get("Power Source") else None,
        "validation": row.get("Validation"),
    }
