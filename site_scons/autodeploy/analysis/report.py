"""Writes the analysis report of one model: analysis.md (for people), analysis.json, layers.csv."""

from __future__ import annotations

import csv
import io

from autodeploy import atomic

LAYER_COLUMNS = (
    "Index", "Tag", "Op", "Input Shapes", "Output Shapes", "Filter Shape", "Stride H", "Stride W",
    "Dilation H", "Dilation W", "Padding", "Activation", "Est MACs", "MAC_EQ", "Weight Bytes",
    "Activation Bytes Read", "Activation Bytes Written", "Kernel", "Scratch Bytes",
)  # fmt: skip


def _shapes(shapes) -> str:
    return " ".join("x".join(str(d) for d in s) for s in shapes)


def _pair(values, i):
    return values[i] if values else ""


def layers_csv(analysis: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LAYER_COLUMNS)
    for layer in analysis["layers"]:
        writer.writerow(
            [
                layer["index"],
                layer["tag"],
                layer["op"],
                _shapes(layer["input_shapes"]),
                _shapes(layer["output_shapes"]),
                "x".join(str(d) for d in layer["filter_shape"] or []),
                _pair(layer["stride"], 0),
                _pair(layer["stride"], 1),
                _pair(layer["dilation"], 0),
                _pair(layer["dilation"], 1),
                layer["padding"] or "",
                layer["fused_activation"] or "",
                layer["macs"],
                layer["mac_eq"],
                layer["weight_bytes"],
                layer["activation_bytes_read"],
                layer["activation_bytes_written"],
                layer["kernel"] or "",
                layer["scratch_bytes"],
            ]
        )
    return out.getvalue()


def _io_rows(entries) -> list[str]:
    return [
        f"| {e['name']} | {'x'.join(map(str, e['shape']))} | {e['dtype']} | "
        f"{', '.join(f'{s:.6g}' for s in e['scale'][:4])} | "
        f"{', '.join(str(z) for z in e['zero_point'][:4])} |"
        for e in entries
    ]


def analysis_markdown(name: str, analysis: dict, variant: dict) -> str:
    model, totals, plan = analysis["model"], analysis["totals"], analysis["memory_plan"]
    placement = variant["placement"]
    lines = [
        f"# Analysis of `{name}`",
        "",
        f"File `{model['path']}`: {model['file_size']:,} bytes, sha256 `{model['sha256'][:16]}...`",
        "",
        "All figures on this page are static estimates computed from the .tflite file "
        "(modelled), not measurements on a board.",
        "",
        "## Summary",
        "",
        "| | |",
        "|---|---|",
        f"| Layers | {totals['layers']} |",
        f"| Estimated MACs | {totals['macs']:,} |",
        f"| Weights | {totals['weight_bytes']:,} bytes ({totals['model_data_bytes']:,} aligned) |",
        f"| Target | {analysis['target']} (kernels: "
        f"{', '.join(f'{k} x{n}' for k, n in totals['kernels'].items()) or 'none'}) |",
        f"| Arena (static plan) | {plan['arena_bytes']:,} bytes, of which kernel scratch "
        f"{plan['scratch_bytes']:,} at most |",
        f"| Arena lower bound | {plan['lower_bound_bytes']:,} bytes (plan / bound = "
        f"{plan['ratio']:.3f}) |",
        *_state_rows(plan),
        f"| Ops | {', '.join(f'{op} x{n}' for op, n in totals['op_set'].items())} |",
        "",
        "## Inputs and outputs",
        "",
        "| Tensor | Shape | Type | Scale | Zero point |",
        "|---|---|---|---|---|",
        *_io_rows(analysis["inputs"]),
        *_io_rows(analysis["outputs"]),
        "",
        f"## Placement on `{variant['platform']}`",
        "",
        f"Model data in **{placement['model_location']}**, arena in "
        f"**{placement['arena_location']}** (requested: model "
        f"`{variant['requested']['model_location']}`, arena "
        f"`{variant['requested']['arena_location']}`). {_model_image(placement)}",
        "",
        "| Memory | Usable bytes | Model | Arena | Model's load image | Used |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for mem, use in placement["usage"].items():
        image = use.get("load_image", 0)
        used = use["model"] + use["arena"] + image
        share = f"{100 * used / use['usable']:.1f} %" if use["usable"] else "-"
        lines.append(
            f"| {mem} | {use['usable']:,} | {use['model']:,} | {use['arena']:,} | {image:,} | "
            f"{share} |"
        )
    if analysis["shape_fixes"]:
        lines += [
            "",
            "## Shapes computed from the graph",
            "",
            "These tensors' shapes stored in the file disagree with what their layer computes "
            "from the graph inputs (as TFLite does when it prepares each op); the build uses the "
            "computed ones.",
            "",
            "| Tensor | Layer | Stored | Computed |",
            "|---|---:|---|---|",
        ]
        lines += [
            f"| {fix['name']} | {fix['layer']} | {_shapes([fix['stored']])} | "
            f"{_shapes([fix['inferred']])} |"
            for fix in analysis["shape_fixes"]
        ]
    lines += ["", "## Warnings", ""]
    if not analysis["warnings"]:
        lines.append("None.")
    for w in analysis["warnings"]:
        lines.append(f"- **{w['code']}**: {w['message']} *Try:* {w['advice']}")
    lines += [
        "",
        "## Layers",
        "",
        "| # | Op | Input | Output | Filter | Stride | Dilation | Padding | Act | Est MACs | "
        "Weights B | Kernel |",
        "|---:|---|---|---|---|---|---|---|---|---:|---:|---|",
    ]
    for layer in analysis["layers"]:
        lines.append(
            f"| {layer['index']} | {layer['op']} | {_shapes(layer['input_shapes'])} | "
            f"{_shapes(layer['output_shapes'])} | "
            f"{'x'.join(map(str, layer['filter_shape'] or [])) or '-'} | "
            f"{'x'.join(map(str, layer['stride'] or [])) or '-'} | "
            f"{'x'.join(map(str, layer['dilation'] or [])) or '-'} | {layer['padding'] or '-'} | "
            f"{layer['fused_activation'] or '-'} | {layer['macs']:,} | {layer['weight_bytes']:,} | "
            f"{_kernel(layer)} |"
        )
    return "\n".join(lines) + "\n"


def _model_image(placement: dict) -> str:
    """How the model data reach their memory at power-up (autodeploy.memory.boot)."""
    image = placement.get("model_image")
    if image == "copied":
        return f"At start-up the firmware copies them from {placement['boot_memory']}."
    if image == "uploaded":
        return (
            "The image carries no weights: the host uploads them over the link before the "
            "first inference (images without a link, such as the power app, cannot run it)."
        )
    return ""


def _state_rows(plan: dict) -> list[str]:
    if not plan["state"]:
        return []
    names = ", ".join(f"`{s['name']}` {s['bytes']:,} B" for s in plan["state"])
    return [
        f"| State (persistent) | {plan['persistent_bytes']:,} bytes at the start of the arena, "
        f"kept between invokes and reset by init(): {names} |"
    ]


def _kernel(layer: dict) -> str:
    if layer["folded"]:
        return "folded"
    if layer["kernel"] is None:
        return "none"
    scratch = layer["scratch_bytes"]
    return f"{layer['kernel']} (+{scratch:,} B scratch)" if scratch else layer["kernel"]


def write_analysis_report(paths, name: str, analysis: dict, variant: dict) -> None:
    """paths: (markdown, json, csv) output paths."""
    md_path, json_path, csv_path = paths
    atomic.write_json(json_path, {"name": name, **analysis, "variant": variant})
    atomic.write_text(csv_path, layers_csv(analysis))
    atomic.write_text(md_path, analysis_markdown(name, analysis, variant))
