"""SCons tool `autodeploy_tool`: loads the project config and declares every model's targets.

(Named apart from the engine package `autodeploy`, which a tool of the same name would shadow.)

Usage in SConstruct: `env = Environment(tools=["autodeploy_tool"])`, then `env.DeclareAll()`.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


# The validator app: the RPC server serving the model to the host (firmware/rpc, apps/validator).
VALIDATOR = {
    "app_sources": ["firmware/rpc/src", "firmware/apps/validator"],
    "include": ["firmware/rpc/include"],
}


def _declare_all(env):
    from autodeploy.variants import declared_variant
    from builders.analysis import analysis_report, model_analysis, placement
    from builders.firmware import firmware
    from builders.help import help_text
    from builders.library import library
    from builders.power import power
    from builders.profile import device_argument, profile
    from builders.sources import model_sources
    from builders.tflm import tflm_sources

    config = env["AUTODEPLOY_CONFIG"]
    groups = {"analyze": [], "sources": [], "firmware": [], "profile": [], "lib": [], "power": []}
    groups["tflm"] = []
    for spec in config.models.values():
        platform = config.platforms[spec.platform]
        target = "board" if device_argument() or platform.transport.device else "emulator"
        variant = declared_variant(spec)
        analysis = model_analysis(env, spec)
        placed = placement(env, spec, analysis)
        nodes = {
            "analyze": analysis_report(env, spec, analysis, placed),
            "sources": model_sources(env, spec, analysis),
        }
        image = firmware(env, variant, nodes["sources"], placed, target=target, **VALIDATOR)
        nodes["firmware"] = [image["elf"], image["sizes_json"], image["sizes_md"]]
        nodes["profile"] = profile(env, variant, image, analysis, placed, spec)
        nodes["tflm"] = tflm_sources(env, spec)
        nodes["power"] = power(env, variant, nodes["sources"], placed, spec, target)
        nodes["lib"] = library(env, variant, nodes["sources"], analysis, placed, spec, target)
        for step, node in nodes.items():
            env.Alias(f"{spec.name}-{step}", node)
            groups[step].append(node)
    for step, members in groups.items():
        env.Alias(f"{step}-all", members)
    env.Default("analyze-all", "sources-all")
    env.Help(help_text(config), append=False)


def _checked(declare):
    """Errors found while declaring targets (e.g. DEVICE= for a platform without board support)
    end scons with the message, not a traceback."""

    def run(env):
        from autodeploy.errors import AutodeployError

        try:
            declare(env)
        except AutodeployError as err:
            sys.stderr.write(f"error: {err}\n")
            sys.exit(2)

    return run


def generate(env):
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))  # makes the top-level builders/ package importable
    from autodeploy.config import load_config
    from autodeploy.errors import AutodeployError

    try:
        env["AUTODEPLOY_CONFIG"] = load_config(PROJECT_DIR)
    except AutodeployError as err:
        sys.stderr.write(f"error: {err}\n")
        sys.exit(2)
    env.AddMethod(_checked(_declare_all), "DeclareAll")


def exists(env):
    return True
