"""Analysis builders.

Compile: .tflite -> build/<model>/<target>/model_analysis.json and program.pickle, one parse and
one lowering per model and target (autodeploy.codegen.pipeline); the pickled Program is what the
sources step renders, so it never parses or lowers again.
Placement: model analysis + platform/placement slice -> build/<model>/<firmware key>/placement.json
(one per variant: a sweep places the same model several ways).
AnalysisReport: model analysis + placement -> reports/<model>/analysis.{md,json} and layers.csv.
Placement changes re-run placement and what depends on it, never the parsing.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

from autodeploy import atomic
from autodeploy.variants import compiled_dir
from builders.common import config_value, engine_sources, read_value, step_action


def shown_path(tflite: Path, root: Path) -> str:
    """How messages name a .tflite: relative to the project `root` when inside it."""
    tflite = Path(tflite)
    inside = tflite.is_absolute() and tflite.is_relative_to(root)
    return str(tflite.relative_to(root) if inside else tflite)


def compile_file(tflite: Path, root: Path, target):
    """The Program of a .tflite for `target` (autodeploy.target.Target)."""
    from autodeploy.codegen.pipeline import compile_bytes

    return compile_bytes(Path(tflite).read_bytes(), shown_path(tflite, root), target)


def analyze_file(tflite: Path, root: Path, target) -> dict:
    """The analysis of a .tflite compiled for `target`."""
    from autodeploy.analysis.model_analysis import analyze

    return analyze(compile_file(tflite, root, target))


def _compile(target, source, env):
    from autodeploy.analysis.model_analysis import analyze
    from autodeploy.target import TARGETS

    compile_target = TARGETS[read_value(source[1])["target"]]
    program = compile_file(Path(str(source[0])), Path(env.Dir("#").abspath), compile_target)
    atomic.write_json(str(target[0]), analyze(program))
    atomic.write_bytes(str(target[1]), pickle.dumps(program, protocol=pickle.HIGHEST_PROTOCOL))


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


def model_compile(env, spec, target) -> dict:
    """Declare the compile step of one model for one target; returns its {analysis, program}
    nodes (build/<model>/<target>/model_analysis.json and program.pickle)."""
    out = f"#{compiled_dir(spec.name, target)}"
    analysis, program = env.Command(
        [f"{out}/model_analysis.json", f"{out}/program.pickle"],
        [env.File(str(spec.tflite)), config_value(env, {"target": target.name})],
        step_action("compile", _compile),
    )
    env.Depends(
        [analysis, program],
        engine_sources(env, "tflite", "analysis", "codegen", "memory", "target"),
    )
    return {"analysis": analysis, "program": program}


def placement(env, variant, spec, analysis_node, what: str):
    """Declare where `variant` puts model data and arena (build/<model>/<key>/placement.json);
    `what` names the variant in error messages."""
    platform = env["AUTODEPLOY_CONFIG"].platforms[variant.platform]
    request = {
        "what": what,
        "platform": platform.to_dict(without=("timing",)),
        "model_location": variant.model_location,
        "arena_location": variant.arena_location,
        "max_arena_size": spec.max_arena_size,
    }
    target = env.Command(
        f"#{variant.build_dir}/placement.json",
        [analysis_node, config_value(env, request)],
        step_action("place", _place),
    )
    env.Depends(target, engine_sources(env, "memory/placement", "memory/boot"))
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
