"""Writes a variant's profile: profile.csv (per layer), profile.json and profile.md.

CSV columns follow the reference tool (Event, Tag, uSeconds, Est MACs, then the board's counter):
on the emulator the counter column is Instructions and uSeconds is an estimate from them; on a
board it is Cycles and uSeconds is measured. Every figure states where it came from."""

from __future__ import annotations

import csv
import io

from .. import atomic
from ..firmware.size_report import linked_model_bytes
from . import pmu_report
from .timing import Timing


def layer_rows(layers, timing: Timing, kernels: dict[str, str], estimate=None) -> list[dict]:
    """One row per profiled layer; kernels: layer tag -> the variant that ran it (mve, dsp, c);
    estimate: the cycle estimate (autodeploy.profile.cycles), whose time then is the layer's."""
    rows = []
    for k, stat in enumerate(layers):
        row = {
            "event": k,
            "tag": stat.tag,
            "us": timing.microseconds(stat.ticks),
            "macs": stat.macs,
            "count": round(timing.counts(stat.ticks)),
            "kernel": kernels.get(stat.tag, "?"),
            "output_crc32": f"{stat.output_crc32:#010x}",
        }
        if estimate is not None:
            cycles = estimate.layers[k].cycles
            row |= {
                "us": estimate.us(cycles),
                "est_cycles": round(cycles),
                "emulated_events": estimate.layer_events[k],
            }
        rows.append(row)
    return rows


def _kernels(analysis: dict) -> dict[str, str]:
    return {layer["tag"]: layer["kernel"] for layer in analysis["layers"] if layer.get("kernel")}


def build_profile(
    *,
    model: str,
    variant: str,
    platform: str,
    analysis: dict,
    placement: dict,
    session,
    timing: Timing,
    comparisons: list,
    reference,
    estimate=None,
    mismatch: dict | None,
    toolchain: dict,
    run: dict,
    image_sizes: dict | None = None,
    classification: list | None = None,
    inputs: dict | None = None,
) -> dict:
    """The profile as plain data (what profile.json holds and the other two render).

    toolchain: {"name", "version"}; run: autodeploy.run_record's record; image_sizes: the
    firmware's sizes.json, whose model section is the exact model size (else the analysis's
    estimate is used); classification: autodeploy.validation.classification's entries; inputs:
    which inputs the runs used ({"kind": "seeded", "seed", "samples"} or a dataset's record).
    """
    label = timing.count_label.lower()
    total_count = timing.counts(session.profile_ticks)
    macs = analysis["totals"]["macs"]
    place = placement["placement"]
    later = session.run_ticks[1:]
    inference_us = timing.microseconds(session.profile_ticks)
    counted = f"counted exactly on the emulator ({timing.where})" if estimate else None
    # the estimate's cycles per instruction carry over to the runs the plugin did not window
    scale = estimate.us(estimate.cycles) / inference_us if estimate and inference_us else 1.0
    return {
        "model": model,
        "variant": variant,
        "platform": platform,
        "board": session.info.board,
        "build_id": session.info.build_id,
        "run": run,
        "toolchain": toolchain["name"],
        "toolchain_version": toolchain["version"],
        "timing_source": estimate.source if estimate else timing.source,
        "instruction_source": counted,
        "measured": timing.measured,
        "cpu_mode": {"name": timing.cpu_mode, "clock_hz": timing.clock_hz},
        "counter": {
            "hz": timing.counter_hz,
            "counts": label,
            f"{label}_per_tick": timing.per_tick,
        },
        "model_size_bytes": _model_bytes(analysis, image_sizes),
        "tflite_bytes": analysis["model"]["file_size"],
        "model_location": place["model_location"],
        "arena_bytes": session.info.arena_bytes,
        "arena_location": place["arena_location"],
        "total_macs": macs,
        "layers": len(session.layers),
        f"total_{label}": round(total_count),
        f"macs_per_{label[:-1]}": macs / total_count if total_count else None,
        "inference_us": inference_us * scale,
        "inference_us_unprofiled_mean": (
            scale * sum(timing.microseconds(t) for t in later) / len(later) if later else None
        ),
        "cycle_estimate": _estimate_record(estimate),
        "runs": len(session.run_ticks),
        "run_ticks": session.run_ticks,
        "link_retries": session.retries,
        "boot": _boot(image_sizes, timing),
        "upload": _upload(session.upload),
        "validation": {
            "passed": mismatch is None,
            "reference": reference.kind,
            "reference_refused": reference.refused,
            "inputs": inputs,
            "outputs": [c.to_dict() for c in comparisons],
            "classification": classification or [],
            "mismatch": mismatch,
        },
        "layer_profile": layer_rows(session.layers, timing, _kernels(analysis), estimate),
        "pmu": pmu_report.pmu_json(session.pmu),
    }


def _estimate_record(estimate) -> dict | None:
    if estimate is None:
        return None
    return {
        "source": estimate.source,
        "clock_hz": estimate.clock_hz,
        "cycles": round(estimate.cycles),
        "parts": estimate.parts,
        "events": {
            name: sum(layer[name] for layer in estimate.layer_events)
            for name in (estimate.layer_events[0] if estimate.layer_events else {})
        },
    }


def _model_bytes(analysis: dict, image_sizes: dict | None) -> int:
    """Weights and layer parameters as linked, or the analysis's estimate without an image."""
    if image_sizes is None:
        return analysis["totals"]["model_data_bytes"]
    return linked_model_bytes(image_sizes)


def _boot(image_sizes: dict | None, timing: Timing) -> dict | None:
    """What the start-up copies before main() and what that costs (from the image's copy table;
    the instructions are the copy loop's, exact on the emulator)."""
    if image_sizes is None or "boot" not in image_sizes:
        return None
    boot = image_sizes["boot"]
    instructions = boot["copy_instructions"]
    return {
        "copy_bytes": boot["copy_bytes"],
        "copy_records": len(boot["copies"]),
        "copy_instructions": instructions,
        "copy_us_at_one_instruction_per_cycle": instructions / timing.clock_hz * 1e6,
        "copies": [
            f"{c['section']}: {c['from']} -> {c['to']}" for c in boot["copies"] if c["bytes"]
        ],
    }


def _upload(upload) -> dict | None:
    """The upload of the model's data (a model in PSRAM): bytes and host wall time."""
    if upload is None:
        return None
    return {
        "bytes": upload.bytes,
        "seconds": upload.seconds,
        "bytes_per_s": upload.bytes_per_s,
        "chunks": upload.chunks,
        "retries": upload.retries,
        "resumes": upload.resumes,
        "already_there": upload.already_there,
    }


def profile_csv(profile: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    counts = profile["counter"]["counts"].title()
    rows = profile["layer_profile"]
    events = list(rows[0].get("emulated_events", {})) if rows else []
    estimated = ["Est cycles (model)", *(f"{e} (emulated)" for e in events)] if events else []
    header = ["Event", "Tag", "uSeconds", "Est MACs", counts, "Kernel", *estimated]
    writer.writerow(header + pmu_report.csv_header(profile))
    for row in rows:
        us = f"{row['us']:.3f}"
        cells = [row["event"], row["tag"], us, row["macs"], row["count"], row["kernel"]]
        if events:
            cells += [row["est_cycles"], *row["emulated_events"].values()]
        writer.writerow(cells + pmu_report.csv_cells(profile, row["event"]))
    return out.getvalue()


def inputs_text(inputs: dict | None) -> str:
    """One line saying which inputs the runs used."""
    if not inputs:
        return "seeded random inputs"
    sequence = (
        "; a stateful model: the runs form one sequence, each starting from the state the one "
        "before left, on the board and in the reference"
        if inputs.get("sequence")
        else ""
    )
    if inputs["kind"] == "seeded":
        return f"seeded random inputs (seed {inputs['seed']}, {inputs['samples']} runs{sequence})"
    of = "" if inputs["samples"] == inputs["total_samples"] else f" of {inputs['total_samples']}"
    labels = f", labels from {inputs['labels']}" if inputs["labels"] else ""
    return (
        f"dataset {inputs['path']} ({inputs['samples']}{of} samples, one run each; SHA-256 "
        f"{inputs['sha256']}{labels}{sequence})"
    )


def fraction(part: int | None, whole: int) -> str:
    return "-" if part is None else f"{part}/{whole} ({100 * part / whole:.1f} %)"


def _classification_lines(entries: list[dict]) -> list[str]:
    if not entries:
        return []
    lines = [
        "",
        "Classifier outputs (top-1 = the index of the largest score):",
        "",
        "| Output | Classes | Top-1 agreement, board vs reference | Distinct top-1 classes "
        "(reference) | Accuracy, host reference | Accuracy, board |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for c in entries:
        lines.append(
            f"| {c['output']} | {c['classes']} | {fraction(c['top1_agree'], c['runs'])} | "
            f"{c['distinct_top1_reference']} | {fraction(c['host_correct'], c['runs'])} | "
            f"{fraction(c['board_correct'], c['runs'])} |"
        )
    return lines


def _validation_lines(validation: dict) -> list[str]:
    lines = [
        f"Reference: **{validation['reference']}**"
        + (
            " (used because: " + "; ".join(validation["reference_refused"]) + ")"
            if validation["reference_refused"]
            else ""
        ),
        "",
        f"Inputs: {inputs_text(validation.get('inputs'))}.",
        "",
        "| Output | Exact runs | Exact elements | Max abs diff | Mean abs diff | RMSE | Cosine |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in validation["outputs"]:
        lines.append(
            f"| {c['output']} | {c['exact_runs']}/{c['runs']} | "
            f"{c['exact_elements']:,}/{c['elements']:,} | {c['max_abs_diff']:g} | "
            f"{c['mean_abs_diff']:.4g} | {c['rmse']:.4g} | {c['cosine']:.6f} |"
        )
    lines += _classification_lines(validation.get("classification") or [])
    mismatch = validation["mismatch"]
    lines += ["", f"**{'FAILED' if mismatch else 'PASSED'}**" + (": " if mismatch else "")]
    if mismatch:
        lines[-1] += mismatch["message"]
    return lines


def profile_markdown(profile: dict) -> str:
    label = profile["counter"]["counts"]
    per_tick = profile["counter"][f"{label}_per_tick"]
    estimate = "" if profile["measured"] else " (estimate)"
    unprofiled = profile["inference_us_unprofiled_mean"]
    # a stateful model's runs form one sequence: no warm-up, every run profiled
    sequence = (profile["validation"].get("inputs") or {}).get("sequence")
    lines = [
        f"# Profile of `{profile['model']}` on `{profile['variant']}`",
        "",
        f"Timing: {profile['timing_source']}. Counts have a resolution of {per_tick:g} "
        f"{label} per counter tick.",
        "",
        "## Summary",
        "",
        "| | |",
        "|---|---|",
        f"| Board | {profile['board']} (build {profile['build_id']}) |",
        f"| Toolchain | {profile['toolchain']} ({profile['toolchain_version']}) |",
        f"| Model size | {profile['model_size_bytes']:,} bytes in {profile['model_location']} |",
        f"| Arena | {profile['arena_bytes']:,} bytes in {profile['arena_location']} |",
        f"| Layers | {profile['layers']} |",
        f"| Estimated MACs | {profile['total_macs']:,} |",
        f"| Total {label} | {profile[f'total_{label}']:,} |",
        f"| MACs per {label[:-1]} | {_maybe(profile[f'macs_per_{label[:-1]}'], '.3f')} |",
        f"| Inference time{estimate} | {profile['inference_us'] / 1000:.3f} ms "
        f"({profile['cpu_mode']['name']}, {profile['cpu_mode']['clock_hz'] / 1e6:g} MHz) |",
    ]
    if unprofiled is not None:
        which = "profiled too, hooks excluded" if sequence else "without profiling"
        lines.append(
            f"| Mean of runs 2-{profile['runs']} ({which}){estimate} | {unprofiled / 1000:.3f} ms |"
        )
    lines += _estimate_rows(profile.get("cycle_estimate"), profile)
    lines += [
        *_boot_rows(profile.get("boot"), profile.get("upload"), profile["model_location"]),
        f"| Runs | {profile['runs']} |",
        f"| Link retries | {profile['link_retries']} |",
        "",
        "## Validation",
        "",
        *_validation_lines(profile["validation"]),
        "",
        "## Layers (run 1, "
        + ("no warm-up: it would advance the state)" if sequence else "after one warm-up)"),
        "",
        *_layer_table(profile["layer_profile"], estimate, label),
    ]
    lines += pmu_report.pmu_markdown(profile)
    return "\n".join(lines) + "\n"


#: The emulated events the Markdown layer table shows (the CSV has them all).
_MD_EVENTS = ("MVE_INST_RETIRED", "MVE_INT_MAC_RETIRED", "L1D_CACHE_REFILL")


def _layer_table(rows: list[dict], estimate: str, label: str) -> list[str]:
    estimated = bool(rows) and "est_cycles" in rows[0]
    head = f"| Event | Tag | uSeconds{estimate} | Est MACs | {label.title()} | Kernel |"
    rule = "|---:|---|---:|---:|---:|---|"
    if estimated:
        head += " Cycles (model) | " + " | ".join(f"{e} (emulated)" for e in _MD_EVENTS) + " |"
        rule += "---:|" * (1 + len(_MD_EVENTS))
    lines = [head, rule]
    for row in rows:
        line = (
            f"| {row['event']} | {row['tag']} | {row['us']:.3f} | {row['macs']:,} | "
            f"{row['count']:,} | {row['kernel']} |"
        )
        if estimated:
            events = row["emulated_events"]
            line += (
                f" {row['est_cycles']:,} | "
                + " | ".join(f"{events[e]:,}" for e in _MD_EVENTS)
                + " |"
            )
        lines.append(line)
    return lines


def _estimate_rows(record: dict | None, profile: dict) -> list[str]:
    """The cycle estimate's parts and the instruction count it started from."""
    if not record:
        return []
    parts = record["parts"]
    memory = ", ".join(f"{name} {cycles:,}" for name, cycles in parts["memory"].items() if cycles)
    events = record["events"]
    return [
        f"| Cycles (model) | {record['cycles']:,}: core {parts['core']:,}, Helium "
        f"{parts['helium']:,}, memory {memory or 'none'} |",
        f"| Emulated events (QEMU plugin, all layers) | {events['INST_RETIRED']:,} instructions, "
        f"{events['MVE_INST_RETIRED']:,} Helium ({events['MVE_INT_MAC_RETIRED']:,} MACs), "
        f"{events['LD_RETIRED']:,} loads, {events['ST_RETIRED']:,} stores, "
        f"{events['L1D_CACHE_REFILL']:,} data-cache line fills |",
        f"| Instructions | {profile['instruction_source']} |",
    ]


def _boot_rows(boot: dict | None, upload: dict | None, model_location: str) -> list[str]:
    rows = []
    if boot:
        copies = "; ".join(boot["copies"]) or "nothing"
        rows.append(
            f"| Boot copy | {boot['copy_bytes']:,} bytes in {boot['copy_records']} records "
            f"({copies}): {boot['copy_instructions']:,} instructions, "
            f"{boot['copy_us_at_one_instruction_per_cycle']:.1f} us at one instruction per "
            "cycle |"
        )
    if upload:
        if upload["already_there"]:
            done = "already on the board (verified): nothing sent"
        else:
            done = (
                f"{upload['seconds']:.1f} s host wall time ({upload['bytes_per_s'] / 1024:.1f} "
                f"KB/s), {upload['chunks']} chunks, {upload['retries']} retries, "
                f"{upload['resumes']} resumes"
            )
        uploaded = f"{upload['bytes']:,} bytes to {model_location}"
        rows.append(f"| Model data uploaded | {uploaded}: {done} |")
    return rows


def _maybe(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def write_profile(paths, profile: dict) -> None:
    """paths: (csv, md, json) output paths."""
    csv_path, md_path, json_path = paths
    atomic.write_text(csv_path, profile_csv(profile))
    atomic.write_text(md_path, profile_markdown(profile))
    atomic.write_json(json_path, profile)
