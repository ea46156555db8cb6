"""Analysis builders.

ModelAnalysis: .tflite -> build/<model>/model_analysis.json (depends only on the file's bytes).
Placement: model analysis + platform/placement slice -> build/<model>/<firmware key>/placement.json
(one per variant: a sweep places the same model several ways).
AnalysisReport: model analysis + placement -> reports/<model>/analysis.{md,json} and layers.csv.
Placement changes re-run placement and what depends on it, never the parsing.
"""

from __future__ import annotations

import json
from pathlib import Path

from autodeploy import atomic
from builders.common import config_value, engine_sources, read_value, step_action


def analyze_file(tflite: Path, root: Path) -> dict:
    """The analysis of a .tflite; errors name it relative to the project `root` when inside it."""
    from autodeploy.analysis.model_analysis import analyze_bytes
    from autodeploy.codegen.lower.registry import supported_opcodes

    tflite = Path(tflite)
    shown = (
        tflite.relative_to(root) if tflite.is_absolute() and tflite.is_relative_to(root) else tflite
    )
    return analyze_bytes(tflite.read_bytes(), str(shown), supported_opcodes())


def _parse_and_analyze(target, source, env):
    analysis = analyze_file(Path(str(source[0])), Path(env.Dir("#").abspath))
    atomic.write_json(str(target[0]), analysis)


def _place(target, source, env):
    from autodeploy.memory.placement import place_model

    analysis = json.loads(Path(str(source[0])).read_text())
    request = read_value(source[1])
    platform = env["AUTODEPLOY_CONFIG"].platforms[request["platform"]["name"]]
    placement = place_model(
        platform,
        analysis,
        request["model_location"],
        request["arena_location"],
        request["max_arena_size"],
        what=request["what"],
    )
    variant = {
        "platform": platform.name,
        "requested": {k: request[k] for k in ("model_location", "arena_location")},
        "placement": placement.to_dict(),
    }
    atomic.write_json(str(target[0]), variant)


def _write_report(target, source, env):
    from autodeploy.analysis.report import write_analysis_report

    analysis = json.loads(Path(str(source[0])).read_text())
    variant = json.loads(Path(str(source[1])).read_text())
    name = Path(str(target[0])).parent.name
    write_analysis_report([str(t) for t in target], name, analysis, variant)


def model_analysis(env, spec):
    """Declare the parse/analysis step of one model; returns its JSON node."""
    target = env.Command(
        f"#build/{spec.name}/model_analysis.json",
        env.File(str(spec.tflite)),
        step_action("analyze", _parse_and_analyze),
    )
    env.Depends(target, engine_sources(env, "tflite", "analysis", "memory", "codegen"))
    return target


def placement(env, variant, spec, analysis_node, what: str):
    """Declare where `variant` puts model data and arena (build/<model>/<key>/placement.json);
    `what` names the variant in error messages."""
    platform = env["AUTODEPLOY_CONFIG"].platforms[variant.platform]
    request = {
        "what": what,
        "platform": platform.to_dict(),
        "model_location": variant.model_location,
        "arena_location": variant.arena_location,
        "max_arena_size": spec.max_arena_size,
    }
    target = env.Command(
        f"#{variant.build_dir}/placement.json",
        [analysis_node, config_value(env, request)],
        step_action("place", _place),
    )
    env.Depends(target, engine_sources(env, "memory/placement"))
    return target


def analysis_report(env, spec, analysis_node, placement_node):
    outdir = f"#reports/{spec.name}"
    targets = env.Command(
        [f"{outdir}/analysis.md", f"{outdir}/analysis.json", f"{outdir}/layers.csv"],
        [analysis_node, placement_node],
        step_action("report", _write_report),
    )
    env.Depends(targets, engine_sources(env, "analysis/report"))
    return targets
