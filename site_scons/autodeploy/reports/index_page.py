"""reports/index.html: every model with its default variant's headline figures, and every sweep."""

from __future__ import annotations

from pathlib import Path

from . import formatting as fmt
from .html import render_page, write_files


def write_index_page(out_path: Path, models: list[dict], sweeps: list[dict]) -> None:
    """models/sweeps: see the README's report section for the keys."""
    out_path = Path(out_path)
    page = render_page(
        "index.html.j2",
        models=[_model(m) for m in models],
        sweeps=[_sweep(s) for s in sweeps],
    )
    write_files(out_path.parent, {out_path.name: page})


def _model(m: dict) -> dict:
    ms = m.get("inference_ms")
    return {
        "name": m["name"],
        "tflite": m.get("tflite"),
        "macs": fmt.number(m.get("macs")),
        "weights": fmt.kib(m.get("weights_bytes")),
        "arena": fmt.kib(m.get("arena_bytes")),
        "variant": m.get("variant"),
        "href": m.get("href"),
        "analysis_href": m.get("analysis_href"),
        "ms": None if ms is None else fmt.number(ms, 3),
        "timing": fmt.timing_label(m.get("timing_source")) if ms is not None else None,
        "timing_source": m.get("timing_source"),
        "validation": m.get("validation"),
    }


def _sweep(s: dict) -> dict:
    return {
        "name": s["name"],
        "href": s.get("href"),
        "variants": fmt.number(s.get("variants")),
        "infeasible": fmt.number(s.get("infeasible")),
        "models": ", ".join(s.get("models") or []),
        "axes": "; ".join(
            f"{axis}: {', '.join(str(v) for v in values)}"
            for axis, values in (s.get("axes") or {}).items()
        ),
    }
