"""Pieces every builder uses: engine-error reporting, build-log lines, config-slice Value nodes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from SCons.Action import Action

from autodeploy.errors import AutodeployError

ENGINE_DIR = Path(__file__).resolve().parent.parent / "site_scons" / "autodeploy"


def step_action(step: str, function):
    """An SCons action running `function(target, source, env)`.

    It logs one `[step] target` line per run (tests and users read which steps ran) and turns
    AutodeployError into a plain message and a failed target instead of a Python traceback.
    """

    def run(target, source, env):
        try:
            function(target, source, env)
        except AutodeployError as err:
            sys.stderr.write(f"error: {err}\n")
            return 1
        return 0

    run.__name__ = function.__name__
    return Action(run, strfunction=lambda target, source, env: f"[{step}] {target[0]}")


def config_value(env, data: dict):
    """A Value node holding exactly the config slice a step reads, so only changes to it rebuild."""
    return env.Value(json.dumps(data, sort_keys=True))


def read_value(node) -> dict:
    return json.loads(node.read())


def engine_sources(env, *modules: str):
    """Engine source files a step's output depends on: editing them re-runs the step."""
    files = []
    for module in modules:
        path = ENGINE_DIR / module
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]
    return [env.File(str(f)) for f in files]
