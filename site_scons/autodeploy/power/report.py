"""power.json and power.md of one variant: per CPU mode, time and energy per inference and the
average power, with where the figures came from on every line."""

from __future__ import annotations

from .. import atomic


def build_power(meta: dict, modes: dict[str, dict], source: str, note: str) -> dict:
    """meta: model, variant, platform, toolchain, runs_power, seed. modes: name -> figures."""
    summary = {}
    for name, m in modes.items():
        summary[f"{name} ms"] = round(m["time_ms"], 4)
        summary[f"{name} uJ"] = round(m["energy_uj"], 3)
        summary[f"{name} mW"] = round(m["power_mw"], 3)
    return {**meta, "source": source, "note": note, "modes": modes, "summary": summary}


def power_markdown(power: dict) -> str:
    source = power["source"]
    lines = [
        f"# Power: {power['model']} ({power['variant']})",
        "",
        f"Source: **{source}**. {power['note']}",
        "",
        f"{power['runs_power']} inferences per CPU mode, seeded inputs (seed {power['seed']}); "
        f"platform {power['platform']}, toolchain {power['toolchain']}.",
        "",
        "| CPU mode | time per inference (ms) | energy per inference (uJ) | average power (mW) "
        "| source |",
        "|---|---:|---:|---:|---|",
    ]
    for name, m in power["modes"].items():
        lines.append(
            f"| {name} | {m['time_ms']:.4f} | {m['energy_uj']:.3f} | {m['power_mw']:.3f} "
            f"| {source} |"
        )
    return "\n".join(lines) + "\n"


def write_power(power: dict, json_path, md_path) -> None:
    atomic.write_json(str(json_path), power)
    atomic.write_text(str(md_path), power_markdown(power))
