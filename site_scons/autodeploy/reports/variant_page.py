"""reports/<model>/<variant>/: the variant's page and its three charts."""

from __future__ import annotations

from pathlib import Path

from . import formatting as fmt
from .html import render_page, write_files
from .variant_charts import layer_time_svg, macs_time_svg, memory_map_svg, op_colours

VARIANT_PAGE_FILES = ("index.html", "layer_time.svg", "macs_time.svg", "memory_map.svg")


def write_variant_page(
    out_dir: Path, profile: dict, power: dict | None, sizes: dict, placement: dict
) -> None:
    """Write VARIANT_PAGE_FILES into out_dir. Without `power` the page says how to get it."""
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
        regions=_regions(sizes),
        layers=len(layers),
        ops=len(colours),
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
    mismatch = validation.get("mismatch")
    return {
        "passed": validation["passed"],
        "reference": validation["reference"],
        "refused": validation.get("reference_refused") or [],
        "outputs": outputs,
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
