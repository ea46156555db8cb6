"""SCons tool `autodeploy_tool`: loads the project config and declares every model's targets.

(Named apart from the engine package `autodeploy`, which a tool of the same name would shadow.)

Usage in SConstruct: `env = Environment(tools=["autodeploy_tool"])`, then `env.DeclareAll()`.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The tool's own folder (SConstruct, builders/, firmware/): a checkout, or the copy an installed
# engine carries. The project (models.yaml, platforms/, build/, reports/) is SCons' top folder,
# which is the same folder in a checkout.
TOOL_DIR = Path(__file__).resolve().parents[2]


#: Steps only a model on a board with an NPU has (its `<model>-<step>` fails with the reason).
NPU_STEPS = ("vela", "mlek")
#: Steps whose image has no PC link: a model placed where the host uploads its weights (PSRAM)
#: cannot run there (its `<model>-<step>` fails with the reason; `<step>-all` leaves it out).
NO_LINK_STEPS = ("power", "lib")


# Targets that need the sweeps declared (which analyses their models while SCons reads the build).
def _wants_sweeps(targets) -> bool:
    return any(t.startswith("sweep-") or t == "reports" for t in targets)


def _declare_all(env):
    from SCons.Script import COMMAND_LINE_TARGETS, Progress

    from autodeploy.targets import MODEL_STEPS, model_target
    from autodeploy.variants import declared_variant
    from builders.convert import convert_model
    from builders.graph import VariantGraph
    from builders.help import help_text
    from builders.library import library
    from builders.reports import index_page
    from builders.sweeps import SweepProgress, declare_sweep, sweep_analyses
    from builders.tflm import tflm_sources

    config = env["AUTODEPLOY_CONFIG"]
    groups = {step: [] for step in MODEL_STEPS}
    graph = VariantGraph(env)
    for spec in config.models.values():
        variant = declared_variant(spec)
        image = graph.firmware(variant)
        nodes = {
            "convert": convert_model(env, spec) if spec.source else _nothing_to_convert(env, spec),
            "analyze": graph.analysis_report(spec.name),
            "sources": graph.sources(variant),
            "firmware": [image["elf"], image["sizes_json"], image["sizes_md"]],
            "profile": graph.profile(variant),
            "power": graph.power(variant),
            "report": graph.page(variant),
            "lib": library(
                env,
                variant,
                graph.sources(variant),
                graph.analysis(variant),
                graph.placement(variant),
                spec,
                graph.target(variant),
            ),
            "tflm": tflm_sources(env, spec),
            "vela": [*graph.vela(variant), *graph.vela_report(variant)],
            "mlek": graph.mlek(variant),
        }
        npu = graph.has_npu(variant)
        uploaded = graph.weights_uploaded(variant)
        for step, node in nodes.items():
            env.Alias(model_target(spec.name, step), node)
            if (
                (npu or step not in NPU_STEPS)
                and (spec.source or step != "convert")
                and not (uploaded and step in NO_LINK_STEPS)
            ):
                groups[step].append(node)  # `vela-all`: models on NPU boards; `convert-all`...
    for step, members in groups.items():
        env.Alias(f"{step}-all", members)
    if _wants_sweeps(COMMAND_LINE_TARGETS):
        everything = {"sweep-all", "reports"} & set(COMMAND_LINE_TARGETS)
        progress = SweepProgress(
            {s for s in config.sweeps if everything or f"sweep-{s}" in COMMAND_LINE_TARGETS}
        )
        Progress(progress)
        analyses = sweep_analyses(graph, config.sweeps.values())
        sweeps = {
            s.name: declare_sweep(env, graph, s, analyses, progress) for s in config.sweeps.values()
        }
        env.Alias("sweep-all", list(sweeps.values()))
        env.Alias("reports", index_page(env, graph, sweeps))
    env.Default("analyze-all", "sources-all")
    env.Help(help_text(config), append=False)


def _nothing_to_convert(env, spec):
    """`<model>-convert` of a model that names its own .tflite: a clear failure."""

    def fail(target, source, env):
        sys.stderr.write(
            f"error: model '{spec.name}' names its .tflite ({spec.tflite.name}): nothing to "
            "convert (give it 'source:' and 'calibration:' instead of 'tflite:' to convert one)\n"
        )
        return 1

    return env.AlwaysBuild(env.Alias(f"{spec.name}-convert-nothing", [], fail))


def _checked(declare):
    """Errors found while declaring targets (e.g. DEVICE= for a platform without board support)
    end scons with the message, not a traceback."""

    def run(env):
        from autodeploy import failures
        from autodeploy.errors import AutodeployError

        try:
            declare(env)
        except AutodeployError as err:
            sys.stderr.write(f"error: {err}\n")
            failures.record("declare", "", err)
            sys.exit(2)

    return run


def generate(env):
    if str(TOOL_DIR) not in sys.path:
        sys.path.insert(0, str(TOOL_DIR))  # makes the top-level builders/ package importable
    from autodeploy import children, failures
    from autodeploy.config import load_config
    from autodeploy.errors import AutodeployError

    children.interrupt_on_signals()  # Ctrl-C ends the running steps' children at once

    try:
        env["AUTODEPLOY_CONFIG"] = load_config(Path(env.Dir("#").abspath))
    except AutodeployError as err:
        sys.stderr.write(f"error: {err}\n")
        failures.record("config", "", err)
        sys.exit(2)
    env.AddMethod(_checked(_declare_all), "DeclareAll")


def exists(env):
    return True
