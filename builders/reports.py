"""Report page builders: the HTML page of a variant and the index over models and sweeps.

Pages are static files (HTML and SVG plots) that open from disk. The rendering lives in
autodeploy.reports; these builders only name the files and read the reports they show.
"""

from __future__ import annotations

import json
from pathlib import Path

from autodeploy.variants import compiled_dir, declared_variant
from builders.common import config_value, engine_sources, read_value, step_action


def _load(node) -> dict:
    return json.loads(Path(str(node)).read_text())


def _variant_page(target, source, env):
    from autodeploy.memory.boot import no_link_reason
    from autodeploy.reports import write_variant_page

    profile, sizes, placement = (_load(s) for s in source[:3])
    optional = {Path(str(s)).name: _load(s) for s in source[3:]}
    power = optional.get("power.json")
    write_variant_page(
        Path(str(target[0])).parent,
        profile,
        power,
        sizes,
        placement,
        optional.get("vela.json"),
        no_power=None if power else no_link_reason("power app"),
    )


def variant_page(
    env, variant, profile_nodes, power_nodes, sizes_node, placement_node, vela_nodes=None
):
    """reports/<model>/<variant>/index.html and its plots (power_nodes: None for a variant whose
    weights are uploaded, which the power app cannot run; vela_nodes: the variant's Vela report
    on a board with an NPU)."""
    from autodeploy.reports import VARIANT_PAGE_FILES

    sources = [
        next(n for n in profile_nodes if str(n).endswith("profile.json")),
        sizes_node,
        placement_node,
    ]
    if power_nodes:
        sources.append(next(n for n in power_nodes if str(n).endswith("power.json")))
    if vela_nodes:
        sources.append(next(n for n in vela_nodes if str(n).endswith("vela.json")))
    nodes = env.Command(
        [f"#{variant.report_dir}/{name}" for name in VARIANT_PAGE_FILES],
        sources,
        step_action("page", _variant_page),
    )
    env.Depends(nodes, engine_sources(env, "reports"))
    return nodes


def _index(target, source, env):
    from autodeploy.reports import write_index_page
    from autodeploy.results import read_rows

    request = read_value(source[0])
    root = Path(env.Dir("#").abspath)
    models = []
    for entry in request["models"]:
        analysis = json.loads((root / entry["analysis"]).read_text())
        profile = json.loads((root / entry["profile_dir"] / "profile.json").read_text())
        models.append(
            {
                "name": entry["name"],
                "tflite": entry["tflite"],
                "macs": analysis["totals"]["macs"],
                "weights_bytes": analysis["totals"]["model_data_bytes"],
                "arena_bytes": analysis["memory_plan"]["arena_bytes"],
                "variant": entry["variant"],
                "href": f"{entry['report_dir'].removeprefix('reports/')}/index.html",
                "analysis_href": f"{entry['name']}/analysis.md",
                "inference_ms": profile["inference_us"] / 1000,
                "timing_source": profile["timing_source"],
                "validation": "PASS" if profile["validation"]["passed"] else "FAIL",
            }
        )
    sweeps = []
    for entry in request["sweeps"]:
        rows = read_rows(root / f"reports/sweeps/{entry['name']}/results.csv")
        sweeps.append(
            {
                **entry,
                "href": f"sweeps/{entry['name']}/index.html",
                "variants": len(rows),
                "infeasible": sum(r["Status"] != "ok" for r in rows),
            }
        )
    write_index_page(Path(str(target[0])), models, sweeps)


def index_page(env, graph, sweep_nodes: dict):
    """reports/index.html over every model's own variant and the given sweeps' results."""
    models, depends = [], list(sweep_nodes.values())
    for spec in graph.config.models.values():
        variant = declared_variant(spec)
        depends += [graph.analysis_report(spec.name), graph.page(variant), graph.profile(variant)]
        models.append(
            {
                "name": spec.name,
                "tflite": spec.tflite.name,
                "variant": variant.name,
                "report_dir": variant.report_dir,
                "profile_dir": variant.cpu_variant.report_dir,  # shared across Vela settings
                "analysis": f"{compiled_dir(spec.name, graph.compile_target(variant))}"
                "/model_analysis.json",
            }
        )
    sweeps = [
        {"name": s.name, "models": list(s.models), "axes": {k: list(v) for k, v in s.axes.items()}}
        for s in graph.config.sweeps.values()
        if s.name in sweep_nodes
    ]
    node = env.Command(
        "#reports/index.html",
        config_value(env, {"models": models, "sweeps": sweeps}),
        step_action("index", _index),
    )
    env.Depends(node, depends + engine_sources(env, "reports"))
    return node
