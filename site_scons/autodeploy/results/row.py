"""One result row from a variant's reports: the profile (latency at its CPU mode, validation)
and the power report (HP and LP figures), either of which may be missing, plus the image sizes.

A report counts only if it measured the row's inputs (model SHA-256 and seed), so a stale report
left from an older model never mixes into a new row. Sizes are KB (1024 bytes), 2 decimals.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..firmware.size_report import linked_model_bytes
from ..variants import Variant
from .columns import NPU_COLUMNS, region_columns


@dataclass(frozen=True)
class RowContext:
    """What a row needs besides the reports: the build's identity and versions."""

    tflite_sha256: str
    seed: int
    toolchain_version: str
    runtime_version: str
    sdk_version: str
    sizes_of: str  # which image the ROM/RAM columns describe ("power image", "validator image")
    dataset_sha256: str | None = None  # the model's dataset, whose samples a profile runs


def _kb(nbytes: int) -> float:
    return round(nbytes / 1024, 2)


def _matches(report: dict | None, context: RowContext) -> bool:
    run = (report or {}).get("run") or {}
    return run.get("tflite_sha256") == context.tflite_sha256 and run.get("seed") == context.seed


def _profile_matches(profile: dict | None, context: RowContext) -> bool:
    """A profile also ran on the dataset (or, without one, on seeded inputs); power runs always
    use seeded inputs, so only the model and seed must match for them."""
    run = (profile or {}).get("run") or {}
    return _matches(profile, context) and run.get("dataset_sha256") == context.dataset_sha256


def variant_row(
    variant: Variant,
    context: RowContext,
    *,
    placement: dict,
    analysis: dict,
    sizes: dict,
    profile: dict | None,
    power: dict | None,
    vela: dict | None = None,
) -> dict:
    """vela: the variant's vela.json on a board with an NPU."""
    profile = profile if _profile_matches(profile, context) else None
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
        **_npu_columns(vela),
        "Dataset SHA-256": context.dataset_sha256,
        **_classification_columns(profile),
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


def _npu_columns(vela: dict | None) -> dict:
    if vela is None:
        return dict.fromkeys(NPU_COLUMNS)
    setup = vela["setup"]
    return {
        "Accelerator": setup["accelerator"],
        "Memory Mode": setup["memory_mode"],
        "Optimise": setup["optimise"],
        "NPU ms": round(vela["inference_ms"], 4),
        "NPU Cycles": vela["total_cycles"],
        "NPU SRAM KB": _kb(vela["sram_bytes"]),
        "NPU Weights KB": _kb(vela["weights_bytes"]),
        "NPU CPU Ops": len(vela["cpu_layers"]),
        "NPU Source": vela["label"],
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


def _classification_columns(profile: dict | None) -> dict:
    """Which data the profile ran, and its first classifier output's top-1 figures (fractions
    of the runs)."""
    validation = (profile or {}).get("validation") or {}
    inputs = validation.get("inputs") or {}
    dataset = None
    if inputs.get("kind") == "dataset":
        dataset = f"{inputs['path']} ({inputs['samples']} samples)"
    first = (validation.get("classification") or [None])[0]

    def share(count):
        return None if first is None or count is None else round(count / first["runs"], 4)

    return {
        "Dataset": dataset,
        "Top-1 Agreement": share(first and first["top1_agree"]),
        "Accuracy Host": share(first and first["host_correct"]),
        "Accuracy Board": share(first and first["board_correct"]),
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
        **(
            {}
            if variant == variant.cpu_variant
            else {
                "Accelerator": variant.accelerator,
                "Memory Mode": variant.memory_mode,
                "Optimise": variant.optimise,
            }
        ),
    }
