"""vela.json and vela.md: what Vela estimates for one variant, every figure labelled as such."""

from __future__ import annotations

from . import ESTIMATE_LABEL

KIB = 1024
#: Vela summary columns of the memory that holds the weights.
_FLASH_COLUMNS = {
    "On-chip Flash": "on_chip_flash_memory_used",
    "Off-chip Flash": "off_chip_flash_memory_used",
    "DRAM": "dram_memory_used",
    "SRAM": "sram_memory_used",
}


def vela_report(
    setup: dict,
    summary: dict,
    per_layer: list[dict],
    cpu_layers: list[dict],
    npu_op_count: int,
    op_counts: dict,
    memories: dict,
    version: str,
) -> dict:
    """The content of vela.json. setup: VelaSetup.to_dict(); summary/per_layer: Vela's CSVs;
    memories: memory name -> usable bytes on the board (to say whether Vela's figures fit)."""
    clock = float(summary["core_clock"])
    weights_area = str(summary["weights_storage_area"])
    sram = round(float(summary["sram_memory_used"]) * KIB)
    weights = round(float(summary[_FLASH_COLUMNS.get(weights_area, "sram_memory_used")]) * KIB)
    fits = {
        "arena": _fit(sram, setup["arena_memory"], memories),
        "weights": _fit(weights, setup["weights_memory"], memories),
    }
    return {
        "label": ESTIMATE_LABEL,
        "note": (
            "Figures are Vela's estimates from its performance model of the NPU and the memory "
            "system in the .ini; nothing here ran on an NPU."
        ),
        "vela_version": version,
        "setup": setup,
        "npu_clock_hz": clock,
        "sram_bytes": sram,
        "weights_bytes": weights,
        "weights_area": weights_area,
        "macs": int(summary["nn_macs"]),
        "npu_cycles": int(summary["cycles_npu"]),
        "total_cycles": int(summary["cycles_total"]),
        "inference_ms": float(summary["inference_time"]) * 1000,
        "operators": {"npu": op_counts.get("npu"), "cpu": op_counts.get("cpu")},
        "npu_custom_ops": npu_op_count,
        "cpu_layers": cpu_layers,
        "fits": fits,
        "layers": [_layer(row) for row in per_layer],
    }


def _fit(nbytes: int, memory: str, memories: dict) -> dict:
    usable = memories.get(memory)
    return {
        "memory": memory,
        "bytes": nbytes,
        "usable": usable,
        "fits": usable is None or nbytes <= usable,
    }


def _layer(row: dict) -> dict:
    return {
        "original_op": row["Original Operator"],
        "op": row["NNG Operator"],
        "target": row["Target"],
        "cycles": row["Op Cycles"],
        "macs": row["MAC Count"],
        "name": row["Name"],
    }


def render_markdown(model: str, variant: str, report: dict) -> str:
    setup = report["setup"]
    clock_mhz = report["npu_clock_hz"] / 1e6
    lines = [
        f"# {model}: Ethos-U NPU ({ESTIMATE_LABEL})",
        "",
        f"Variant `{variant}`. {report['note']}",
        "",
        "| | |",
        "|---|---|",
        f"| Accelerator | {setup['accelerator']} "
        f"(the board's NPU: {setup['platform_accelerator']}) |",
        f"| System config | {setup['system_config']} ({setup['config_file']}) |",
        f"| Memory mode | {setup['memory_mode']} |",
        f"| Optimise | {setup['optimise']} |",
        f"| Arena in | {setup['arena_memory']} |",
        f"| Weights in | {setup['weights_memory']}{_area_note(setup, report)} |",
        f"| NPU clock | {clock_mhz:g} MHz |",
        f"| Vela | {report['vela_version']} |",
        "",
        f"## Figures ({ESTIMATE_LABEL})",
        "",
        "| | |",
        "|---|---|",
        f"| Inference time | {report['inference_ms']:.3f} ms "
        f"(Vela estimate: {report['total_cycles']:,} cycles at {clock_mhz:g} MHz) |",
        f"| NPU cycles | {report['npu_cycles']:,} (Vela estimate) |",
        f"| MACs | {report['macs']:,} |",
        f"| SRAM used (arena) | {report['sram_bytes'] / KIB:,.2f} KiB (Vela estimate) |",
        f"| Weights | {report['weights_bytes'] / KIB:,.2f} KiB (Vela estimate) |",
        f"| Operators | NPU {_count(report['operators']['npu'])}, CPU "
        f"{_count(report['operators']['cpu'])} |",
        "",
    ]
    if setup["accelerator"] != setup["platform_accelerator"]:
        lines += [
            f"Note: compiled for {setup['accelerator']}, but this board's NPU is "
            f"{setup['platform_accelerator']}: Vela's command stream is tied to one NPU "
            "configuration, so this model would not run on the board.",
            "",
        ]
    for what, fit in report["fits"].items():
        if not fit["fits"]:
            lines += [
                f"Warning: Vela's {what} ({fit['bytes']:,} bytes) is more than {fit['memory']} "
                f"offers ({fit['usable']:,} usable bytes); place it elsewhere.",
                "",
            ]
    lines += ["## Layers on the CPU", ""]
    if not report["cpu_layers"]:
        lines += ["None: the whole graph runs on the NPU.", ""]
    else:
        lines += [
            "| Layer | Op | Output | Vela's reason | Our runtime |",
            "|---:|---|---|---|---|",
        ]
        for layer in report["cpu_layers"]:
            ours = layer["our_kernel"] or f"no kernel: {layer['our_problem']}"
            lines.append(
                f"| {layer['index']} | {layer['op']} | `{layer['output']}` | {layer['reason']} "
                f"| {ours} |"
            )
        lines.append("")
    lines += [
        f"## Per layer ({ESTIMATE_LABEL})",
        "",
        "| Original op | Vela op | Target | Cycles | MACs |",
        "|---|---|---|---:|---:|",
    ]
    lines += [
        f"| {la['original_op']} | {la['op']} | {la['target']} | {la['cycles']:,} | {la['macs']:,} |"
        for la in report["layers"]
    ]
    return "\n".join(lines) + "\n"


def _area_note(setup: dict, report: dict) -> str:
    if setup["memory_mode"] == "Sram_Only":
        return f" (in RAM; Vela's summary files them under {report['weights_area']})"
    return f" (Vela: {report['weights_area']})"


def _count(value) -> str:
    return "–" if value is None else str(value)
