"""reports/<model>/<variant>/: the variant's page and its three charts."""

from __future__ import annotations

from pathlib import Path

from ..profile.report import fraction, inputs_text
from . import formatting as fmt
from .html import render_page, write_files
from .variant_charts import layer_time_svg, macs_time_svg, memory_map_svg, op_colours

VARIANT_PAGE_FILES = ("index.html", "layer_time.svg", "macs_time.svg", "memory_map.svg")


def write_variant_page(
    out_dir: Path,
    profile: dict,
    power: dict | None,
    sizes: dict,
    placement: dict,
    vela: dict | None = None,
    no_power: str | None = None,
) -> None:
    """Write VARIANT_PAGE_FILES into out_dir. Without `power` the page says how to get it, or
    why the variant has none (`no_power`); with `vela` (vela.json, on a board with an NPU) it
    sets Vela's estimate beside the CPU's."""
    source = fmt.MEASURED if profile["measured"] else fmt.ESTIMATED
    layers = profile["layer_profile"]
    colours = op_colours(layers)
    page = render_page(
        "variant.html.j2",
        p=profile,
        source=source,
        source_class="measured" if profile["measured"] else "estimated",
        facts=_facts(profile, sizes, placement, source),
        validation=_validation(profile["validation"]),
        power=_power(power),
        no_power=no_power,
        regions=_regions(sizes),
        layers=len(layers),
        ops=len(colours),
        npu=_npu(vela, profile, source),
    )
    write_files(
        out_dir,
        {
            "index.html": page,
            "layer_time.svg": layer_time_svg(layers, colours, source),
            "macs_time.svg": macs_time_svg(layers, colours, source),
            "memory_map.svg": memory_map_svg(sizes["regions"]),
        },
    )


def _facts(profile: dict, sizes: dict, placement: dict, source: str) -> list[tuple[str, str]]:
    """(label, value) rows of the summary table; every time carries its source."""
    mode = profile["cpu_mode"]
    requested = placement.get("requested", {})
    counts = "cycles" if profile["measured"] else "instructions"
    total_counts = profile.get(f"total_{counts}")
    rom = sum(r["rom_bytes"] for r in sizes["regions"].values())
    ram = sum(r["ram_bytes"] for r in sizes["regions"].values())
    rows = [
        ("Platform", profile["platform"]),
        ("Board", profile["board"]),
        ("Toolchain", f"{profile['toolchain']} ({profile['toolchain_version']})"),
        ("CPU mode", f"{mode['name']} at {mode['clock_hz'] / 1e6:g} MHz"),
        (
            "Model",
            f"{fmt.kib(profile['model_size_bytes'])} ({fmt.number(profile['model_size_bytes'])} B)"
            f" in {profile['model_location']}{_requested(requested.get('model_location'))}",
        ),
        (
            "Arena",
            f"{fmt.kib(profile['arena_bytes'])} ({fmt.number(profile['arena_bytes'])} B)"
            f" in {profile['arena_location']}{_requested(requested.get('arena_location'))}",
        ),
        ("Firmware ROM / RAM", f"{fmt.kib(rom)} / {fmt.kib(ram)} (validator image)"),
        *_boot_facts(profile),
        ("Layers", fmt.number(len(profile["layer_profile"]))),
        ("Estimated MACs", fmt.number(profile["total_macs"])),
        (f"Total {counts} ({source})", fmt.number(total_counts)),
        ("Inference time", f"{profile['inference_us'] / 1000:,.3f} ms ({source})"),
        ("Timing source", profile["timing_source"]),
        ("Runs compared", fmt.number(profile["runs"])),
    ]
    run = profile.get("run")
    if run:
        rows.append(("Run", f"{run.get('id', fmt.MISSING)} ({run.get('date', fmt.MISSING)})"))
    return rows


def _boot_facts(profile: dict) -> list[tuple[str, str]]:
    """What the start-up copies and what the host uploads (profiles from before boot images
    have neither)."""
    rows = []
    boot = profile.get("boot")
    if boot:
        rows.append(
            (
                "Boot copy",
                f"{fmt.kib(boot['copy_bytes'])} in {boot['copy_records']} records, "
                f"{fmt.number(boot['copy_instructions'])} instructions",
            )
        )
    upload = profile.get("upload")
    if upload and not upload["already_there"]:
        rows.append(
            (
                "Model data uploaded",
                f"{fmt.kib(upload['bytes'])} in {upload['seconds']:,.1f} s (host wall time)",
            )
        )
    return rows


def _requested(requested: str | None) -> str:
    return " (auto)" if requested == "auto" else ""


def _validation(validation: dict) -> dict:
    outputs = [
        {
            "output": c["output"],
            "exact_runs": f"{c['exact_runs']}/{c['runs']}",
            "exact_elements": f"{fmt.number(c['exact_elements'])}/{fmt.number(c['elements'])}",
            "max_abs_diff": f"{c['max_abs_diff']:g}",
            "mean_abs_diff": f"{c['mean_abs_diff']:.4g}",
            "rmse": f"{c['rmse']:.4g}",
            "cosine": f"{c['cosine']:.6f}",
            "passed": c["exact"],
        }
        for c in validation["outputs"]
    ]
    classes = [
        {
            "output": c["output"],
            "classes": c["classes"],
            "agree": fraction(c["top1_agree"], c["runs"]),
            "distinct": c["distinct_top1_reference"],
            "host": fraction(c["host_correct"], c["runs"]),
            "board": fraction(c["board_correct"], c["runs"]),
        }
        for c in validation.get("classification") or []
    ]
    mismatch = validation.get("mismatch")
    return {
        "passed": validation["passed"],
        "reference": validation["reference"],
        "refused": validation.get("reference_refused") or [],
        "inputs": inputs_text(validation.get("inputs")),
        "outputs": outputs,
        "classification": classes,
        "mismatch": mismatch.get("message") if isinstance(mismatch, dict) else mismatch,
    }


def _power(power: dict | None) -> dict | None:
    if power is None:
        return None
    label = fmt.power_label(power["source"])
    return {
        "label": label,
        # one power report per firmware image, beside its modes' pages: reports/<model>/<key>/
        "href": f"../{power['variant']}/power.md",
        "source": power["source"],
        "note": power.get("note", ""),
        "runs": power.get("runs_power"),
        "modes": [
            {
                "name": name,
                "runs": fmt.number(m.get("runs")),
                "ms": f"{m['time_ms']:,.3f}",
                "uj": f"{m['energy_uj']:,.1f}",
                "mw": f"{m['power_mw']:,.2f}",
            }
            for name, m in power["modes"].items()
        ],
    }


def _npu(vela: dict | None, profile: dict, cpu_source: str) -> dict | None:
    """The CPU-only time beside Vela's NPU estimate, and the layers left on the CPU."""
    if vela is None:
        return None
    cpu_ms = profile["inference_us"] / 1000
    npu_ms = vela["inference_ms"]
    setup = vela["setup"]
    return {
        "label": vela["label"],
        "note": vela["note"],
        "cpu_ms": f"{cpu_ms:,.3f}",
        "cpu_source": cpu_source,
        "npu_ms": f"{npu_ms:,.3f}",
        "ratio": f"{cpu_ms / npu_ms:,.1f}" if npu_ms > 0 else fmt.MISSING,
        "facts": [  # (label, value, is a Vela estimate)
            ("Accelerator", f"{setup['accelerator']} (board: {setup['platform_accelerator']})", 0),
            ("System config / memory mode", f"{setup['system_config']} / {setup['memory_mode']}", 0),
            ("Optimise", setup["optimise"], 0),
            ("NPU cycles", f"{vela['npu_cycles']:,} (total {vela['total_cycles']:,})", 1),
            ("NPU clock", f"{vela['npu_clock_hz'] / 1e6:g} MHz", 0),
            ("SRAM used (arena)", f"{fmt.kib(vela['sram_bytes'])} in {setup['arena_memory']}", 1),
            ("Weights", f"{fmt.kib(vela['weights_bytes'])} in {setup['weights_memory']}", 1),
            ("Operators", f"NPU {vela['operators']['npu']}, CPU {vela['operators']['cpu']}", 0),
        ],
        "cpu_layers": vela["cpu_layers"],
        "other_npu": setup["accelerator"] != setup["platform_accelerator"],
    }


def _regions(sizes: dict) -> list[dict]:
    return [
        {
            "name": name,
            "origin": f"0x{r['origin']:08x}",
            "length": fmt.kib(r["length"]),
            "rom": fmt.kib(r["rom_bytes"]),
            "ram": fmt.kib(r["ram_bytes"]),
            "used": fmt.kib(r["used"]),
            "free": fmt.kib(r["free"]),
            "full": f"{r['used'] / r['length']:.1%}" if r["length"] else fmt.MISSING,
        }
        for name, r in sizes["regions"].items()
    ]
