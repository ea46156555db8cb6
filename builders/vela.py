"""Vela builders: a variant's model compiled for its board's Ethos-U NPU, and its report.

Compile: .tflite + placement.json + the platform's Vela .ini -> build/<model>/<firmware key>/
vela-<accelerator>-<memory mode>-<optimise>/: <model>_vela.tflite, Vela's summary and per-layer
CSVs, its log and vela.json (shared by the variant's CPU modes; no emulator involved).
Report: vela.json -> reports/<model>/<variant>/vela.md and vela.json.
"""

from __future__ import annotations

import json
from pathlib import Path

from autodeploy import atomic
from builders.analysis import shown_path
from builders.common import config_value, engine_sources, read_value, step_action

VELA_JSON = "vela.json"


def _compile(target, source, env):
    from autodeploy.npu import system
    from autodeploy.npu.estimate import estimate

    request = read_value(source[2])
    config = env["AUTODEPLOY_CONFIG"]
    root = Path(env.Dir("#").abspath)
    platform = config.platforms[request["platform"]]
    placement = json.loads(Path(str(source[1])).read_text())
    setup = system.vela_setup(platform, placement, request["settings"])
    ini = root / setup.config_file
    system.check_config_file(setup, ini)
    tflite = Path(str(source[0]))
    out_dir = Path(str(target[0])).parent
    result = estimate(
        tflite, shown_path(tflite, root), setup, ini, out_dir, request["model"], platform
    )
    atomic.write_json(str(target[-1]), result)


def vela_compile(env, variant, spec, placement_node) -> list:
    """Declare the Vela compile of `variant` (its outputs; vela.json last)."""
    from autodeploy.npu.vela import output_names

    platform = env["AUTODEPLOY_CONFIG"].platforms[variant.platform]
    request = {
        "model": spec.name,
        "platform": platform.name,
        "npu": platform.to_dict()["npu"],
        "settings": {
            "accelerator": variant.accelerator,
            "memory_mode": variant.memory_mode,
            "optimise": variant.optimise,
            "vela_ignore_ops": list(spec.vela_ignore_ops),
        },
    }
    out = f"#{variant.vela_dir}"
    sources = [env.File(str(spec.tflite)), placement_node, config_value(env, request)]
    if platform.npu:
        sources.append(env.File(f"#{platform.npu.vela_config}"))
    nodes = env.Command(
        [f"{out}/{name}" for name in output_names(spec.name)] + [f"{out}/{VELA_JSON}"],
        sources,
        step_action("vela", _compile),
    )
    env.Depends(nodes, engine_sources(env, "npu", "tflite", "codegen/lower"))
    return nodes


def _report(target, source, env):
    from autodeploy.npu.report import render_markdown

    result = json.loads(Path(str(source[0])).read_text())
    request = read_value(source[1])
    atomic.write_json(str(target[1]), result)
    atomic.write_text(str(target[0]), render_markdown(request["model"], request["variant"], result))


def vela_report(env, variant, compile_nodes) -> list:
    """reports/<model>/<variant>/vela.md and vela.json."""
    vela_json = compile_nodes[-1]
    nodes = env.Command(
        [f"#{variant.report_dir}/vela.md", f"#{variant.report_dir}/{VELA_JSON}"],
        [vela_json, config_value(env, {"model": variant.model, "variant": variant.name})],
        step_action("vela-report", _report),
    )
    env.Depends(nodes, engine_sources(env, "npu/report"))
    return nodes
