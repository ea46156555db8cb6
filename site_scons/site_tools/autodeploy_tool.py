"""SCons tool `autodeploy_tool`: loads the project config and declares every model's targets.

(Named apart from the engine package `autodeploy`, which a tool of the same name would shadow.)

Usage in SConstruct: `env = Environment(tools=["autodeploy_tool"])`, then `env.DeclareAll()`.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _declare_all(env):
    from builders.analysis import analysis_report, model_analysis, placement
    from builders.help import help_text
    from builders.sources import model_sources

    config = env["AUTODEPLOY_CONFIG"]
    all_reports, all_sources = [], []
    for spec in config.models.values():
        analysis = model_analysis(env, spec)
        placed = placement(env, spec, analysis)
        report = analysis_report(env, spec, analysis, placed)
        sources = model_sources(env, spec, analysis)
        env.Alias(f"{spec.name}-analyze", report)
        env.Alias(f"{spec.name}-sources", sources)
        all_reports.append(report)
        all_sources.append(sources)
    env.Alias("analyze-all", all_reports)
    env.Alias("sources-all", all_sources)
    env.Default("analyze-all", "sources-all")
    env.Help(help_text(config), append=False)


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
    env.AddMethod(_declare_all, "DeclareAll")


def exists(env):
    return True
