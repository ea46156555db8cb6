"""The characterization report printed at the end of the one-shot command, like the reference
tool's, read from the reports the build wrote; every figure says where it came from."""

from __future__ import annotations

import json
from pathlib import Path

from ..profile.report import fraction, inputs_text

_WIDTH = 36


def _json(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.is_file() else None


def _line(section: str, label: str, value: str, source: str = "") -> str:
    text = f"{f'[{section}]':<12} {label + ':':<{_WIDTH}} {value}"
    return f"{text}   ({source})" if source else text


def _kb(nbytes: int) -> str:
    return f"{nbytes / 1024:,.1f} KB"


def _analysis_lines(analysis: dict) -> list[str]:
    totals = analysis["totals"]
    model = analysis["model"]
    placed = analysis["variant"]["placement"]
    return [
        _line("Analysis", "Model file", f"{model['path']} ({model['file_size']:,} bytes)"),
        _line(
            "Analysis",
            "Total estimated MACs",
            f"{totals['macs']:,}",
            "static estimate from the .tflite, the reference tool's formula",
        ),
        _line("Analysis", "Total model layers", str(totals["layers"]), "from the .tflite"),
        _line(
            "Analysis",
            "Placement",
            f"model in {placed['model_location']}, arena in {placed['arena_location']}",
        ),
        _line("Analysis", "Warnings", str(len(analysis["warnings"])), "see analysis.md"),
    ]


def _validation_lines(validation: dict) -> list[str]:
    outputs = validation["outputs"]
    runs = outputs[0]["runs"] if outputs else 0
    exact = min((o["exact_runs"] for o in outputs), default=0)
    verdict = "PASS" if validation["passed"] else "FAIL"
    lines = [
        _line(
            "Validation",
            "Outputs byte-exact",
            f"{verdict}: {exact}/{runs} runs",
            f"vs the PC's {validation['reference']} reference",
        ),
        _line("Validation", "Inputs", inputs_text(validation.get("inputs"))),
    ]
    for c in validation.get("classification") or []:
        lines.append(
            _line(
                "Validation",
                f"Top-1 agreement, output {c['output']}",
                fraction(c["top1_agree"], c["runs"]),
                f"{c['distinct_top1_reference']} distinct classes of {c['classes']} on the PC",
            )
        )
        if c["host_correct"] is not None:
            lines.append(
                _line(
                    "Validation",
                    "Accuracy (labels), PC | board",
                    f"{fraction(c['host_correct'], c['runs'])} | "
                    f"{fraction(c['board_correct'], c['runs'])}",
                )
            )
    if validation.get("mismatch"):
        lines.append(_line("Validation", "Mismatch", validation["mismatch"]["message"]))
    return lines


def _profile_lines(profile: dict, csv_path: Path) -> list[str]:
    where = "measured on the board" if profile["measured"] else "estimated on the emulator"
    counts = profile["counter"]["counts"]
    mode = profile["cpu_mode"]
    return [
        _line("Profile", "Per-layer statistics file", str(csv_path)),
        _line(
            "Profile",
            "Model size",
            f"{_kb(profile['model_size_bytes'])} in {profile['model_location']}",
            "as linked",
        ),
        _line(
            "Profile",
            "Arena size",
            f"{_kb(profile['arena_bytes'])} in {profile['arena_location']}",
            "reported by the firmware",
        ),
        _line(
            "Profile",
            f"{mode['name']} inference time (ms)",
            f"{profile['inference_us'] / 1000:.3f}",
            f"{where}, {mode['clock_hz'] / 1e6:g} MHz",
        ),
        _line(
            "Profile",
            f"Total {counts}",
            f"{profile[f'total_{counts}']:,}",
            "counted by the emulator" if not profile["measured"] else "measured on the board",
        ),
        *_validation_lines(profile["validation"]),
    ]


def _power_lines(power: dict) -> list[str]:
    source = power["source"].replace(" (", ": ").rstrip(")")  # "modelled: platform power model"
    lines = []
    for mode in sorted(power["modes"], key=lambda m: m != "HP"):  # HP first, as the reference
        s = power["summary"]
        for label, unit, key in (
            ("Inference Time", "ms", "ms"),
            ("Inference Energy", "uJ", "uJ"),
            ("Inference Avg Power", "mW", "mW"),
        ):
            value = f"{s[f'{mode} {key}']:.3f}"
            lines.append(_line("Power", f"{mode} {label} ({unit})", value, source))
    return lines


def _layer_lines(profile: dict) -> list[str]:
    counts = profile["counter"]["counts"].title()
    lines = ["", f"{'Event':>5}  {'Tag':<28} {'uSeconds':>10} {'Est MACs':>10} {counts:>12} Kernel"]
    for row in profile["layer_profile"]:
        lines.append(
            f"{row['event']:>5}  {row['tag']:<28} {row['us']:>10.3f} {row['macs']:>10,} "
            f"{row['count']:>12,} {row['kernel']}"
        )
    return lines


def characterization_report(project: Path, variant, steps, verbosity: int) -> str:
    """The report of `variant` (autodeploy.variants.Variant) built in `project`: its analysis,
    and the profile, power and library where `steps` built them."""
    reports = project / variant.report_dir
    lines = [f"Characterization report for {variant.model} ({variant.name}):"]
    analysis = _json(project / "reports" / variant.model / "analysis.json")
    if analysis:
        lines += _analysis_lines(analysis)
    profile = _json(reports / "profile.json") if "profile" in steps else None
    if profile:
        lines += _profile_lines(profile, reports / "profile.csv")
    power = _json(project / variant.power_dir / "power.json") if "power" in steps else None
    if power:
        lines += _power_lines(power)
    lines.append(_line("Files", "Reports", str(reports.parent if not profile else reports)))
    if "lib" in steps:
        lines.append(
            _line("Files", "Library and example", str(project / variant.build_dir / "package"))
        )
    lines.append(_line("Files", "Result log", str(project / "reports" / "results.csv")))
    notes = []
    if profile:
        notes.append(f"Timing: {profile['timing_source']}.")
    if power:
        notes.append(f"Power: {power['note']}")
    lines += ["", *notes] if notes else []
    if profile and verbosity >= 2:
        lines += _layer_lines(profile)
    return "\n".join(lines) + "\n"
