"""One result row from a variant's reports: the profile (latency at its CPU mode, validation)
and the power report (HP and LP figures), either of which may be missing, plus the image sizes.

A report counts only if it measured the row's inputs (model SHA-256 and seed), so a stale report
left from an older model never mixes into a new row. Sizes are KB (1024 bytes), 2 decimals.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..firmware.size_report import linked_model_bytes
from ..variants import Variant
from .columns import region_columns


@dataclass(frozen=True)
class RowContext:
    """What a row needs besides the reports: the build's identity and versions."""

    tflite_sha256: str
    seed: int
    toolchain_version: str
    runtime_version: str
    sdk_version: str
    sizes_of: str  # which image the ROM/RAM columns describe ("power image", "validator image")


def _kb(nbytes: int) -> float:
    return round(nbytes / 1024, 2)


def _matches(report: dict | None, context: RowContext) -> bool:
    run = (report or {}).get("run") or {}
    return run.get("tflite_sha256") == context.tflite_sha256 and run.get("seed") == context.seed


def variant_row(
    variant: Variant,
    context: RowContext,
    *,
    placement: dict,
    analysis: dict,
    sizes: dict,
    profile: dict | None,
    power: dict | None,
) -> dict:
    profile = profile if _matches(profile, context) else None
    power = power if _matches(power, context) else None
    regions = sizes["regions"]
    placed = placement["placement"]
    runs = [r["run"] for r in (profile, power) if r]
    latest = max(runs, key=lambda run: run["date"]) if runs else {}
    row = {
        "Model": variant.model,
        "Platform": variant.platform,
        "Compiler": variant.toolchain,
        "Runtime Version": context.runtime_version,
        "Model Size KB": _kb(linked_model_bytes(sizes)),
        "Arena Size KB": _kb(sum(r["ram"]["arena"] for r in regions.values())),
        "Model Location": placed["model_location"],
        "Arena Location": placed["arena_location"],
        "Est MACs": analysis["totals"]["macs"],
        **_power_columns(power),
        "ROM KB": _kb(sum(r["rom_bytes"] for r in regions.values())),
        "RAM KB": _kb(sum(r["ram_bytes"] for r in regions.values())),
        "SDK Version": context.sdk_version,
        "Date": latest.get("date"),
        "Run ID": latest.get("id"),
        "Variant": variant.name,
        "CPU Mode": variant.cpu_mode,
        "Toolchain Version": context.toolchain_version,
        **_profile_columns(profile),
        "Power Source": power["source"] if power else None,
        "Seed": context.seed,
        "Model SHA-256": context.tflite_sha256,
        "Sizes Of": context.sizes_of,
    }
    for name, region in sorted(regions.items()):
        rom, ram = region_columns(name)
        row[rom] = _kb(region["rom_bytes"])
        row[ram] = _kb(region["ram_bytes"])
    return row


def _power_columns(power: dict | None) -> dict:
    summary = power["summary"] if power else {}
    return {
        f"{mode} {unit}": summary.get(f"{mode} {unit}")
        for mode in ("HP", "LP")
        for unit in ("ms", "uJ", "mW")
    }


def _profile_columns(profile: dict | None) -> dict:
    if profile is None:
        return dict.fromkeys(
            ("Inference ms", "Timing Source", "Instructions", "Cycles", "Validation", "Runs")
        )
    return {
        "Inference ms": round(profile["inference_us"] / 1000, 4),
        "Timing Source": profile["timing_source"],
        "Instructions": profile.get("total_instructions"),
        "Cycles": profile.get("total_cycles"),
        "Validation": "PASS" if profile["validation"]["passed"] else "FAIL",
        "Runs": profile["runs"],
    }


def infeasible_row(variant: Variant, status: str, reason: str) -> dict:
    """A sweep's row for a variant that could not run: what it asked for and why not."""
    return {
        "Status": status,
        "Reason": reason,
        "Model": variant.model,
        "Platform": variant.platform,
        "Compiler": variant.toolchain,
        "Model Location": variant.model_location,
        "Arena Location": variant.arena_location,
        "Variant": variant.name,
        "CPU Mode": variant.cpu_mode,
    }
