"""Pieces every builder uses: engine-error reporting, build-log lines, config-slice Value nodes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from SCons.Action import Action

from autodeploy import children, failures
from autodeploy.errors import AutodeployError
from autodeploy.home import ENGINE_DIR, tool_root


def step_action(step: str, function):
    """An SCons action running `function(target, source, env)`.

    It logs one `[step] target` line per run (tests and users read which steps ran) and turns
    AutodeployError into a plain message naming the step and target, and a failed target, instead
    of a Python traceback. A step running when the build is interrupted fails whatever it returned:
    the interrupt killed its children, so its outputs cannot be trusted and must not be up to date.
    """

    def run(target, source, env):
        failure = None
        try:
            function(target, source, env)
        except Exception as err:
            if not (isinstance(err, AutodeployError) or children.interrupted()):
                raise
            failure = err
        if children.interrupted():
            failure = children.Interrupted()
        if failure is None:
            return 0
        # The target path names the model and variant (reports/<model>/<variant>/...).
        sys.stderr.write(f"error: [{step}] {target[0]}: {failure}\n")
        failures.record(step, str(target[0]), failure)
        return 1

    run.__name__ = function.__name__
    return Action(run, strfunction=lambda target, source, env: f"[{step}] {target[0]}")


def config_value(env, data: dict):
    """A Value node holding exactly the config slice a step reads, so only changes to it rebuild."""
    return env.Value(json.dumps(data, sort_keys=True))


def read_value(node) -> dict:
    return json.loads(node.read())


def tool_path(env, rel: str) -> str:
    """The SCons path of one of the tool's own files or folders (`firmware/...`).

    `#rel` when the project is the tool's checkout, so that build signatures (and a CacheDir
    shared between checkouts) do not name where the checkout lives; otherwise the absolute path
    of the installed tool's copy.
    """
    root = tool_root()
    return f"#{rel}" if Path(env.Dir("#").abspath) == root else str(root / rel)


def engine_sources(env, *modules: str):
    """Engine files a step's output depends on: editing them re-runs the step.

    A package counts with its templates/ folder, and then with the shared template environment.
    """
    files = []
    for module in modules:
        path = ENGINE_DIR / module
        if not path.is_dir():
            files.append(path.with_suffix(".py"))
            continue
        files += sorted(path.rglob("*.py"))
        templates = sorted(p for p in (path / "templates").glob("*") if p.is_file())
        if templates:
            files += [*templates, ENGINE_DIR / "templating.py"]
    return [env.File(str(f)) for f in dict.fromkeys(files)]
