"""A project folder for the declarative build: models.yaml, the platform files its models use and
an SConstruct that runs the tool's. The one-shot command builds in one (rewritten on every run,
only where something changed, so an unchanged command does no work); `autodeploy init` writes
one for the user to keep."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from .. import atomic
from ..errors import InputError
from .request import ModelRequest

SCONSTRUCT = """\
# An autodeploy project: models.yaml says what to build, platforms/ the boards; `scons -h` lists
# the targets. The build is the autodeploy tool's own SConstruct, found in the Python environment
# that runs scons (the one the tool is installed in).
try:
    from autodeploy.home import sconstruct
except ImportError:
    print(
        "error: the autodeploy tool is not installed in the Python that runs this scons; run the "
        "scons of the environment it is installed in (pip install <autodeploy checkout>)"
    )
    Exit(2)
SConscript(str(sconstruct()))
"""

ONE_SHOT_HEADER = """\
# Written by the `autodeploy` command from its options; it rewrites this file on every run.
# Build here yourself with `scons {model}-profile` (`scons -h` lists the targets), or start a
# project of your own with `autodeploy init`.
"""

INIT_HEADER = """\
# What to build (written by `autodeploy init`). Each model below becomes SCons targets such as
# `scons {model}-profile`; `scons -h` lists them. Settings per model: tflite, platform, toolchain,
# model_location and arena_location (auto | TCM | SRAM | MRAM | PSRAM), max_arena_size, runs,
# runs_power, seed, cpu_mode (LP | HP) and dataset (a .npy/.npz file or folder, or
# {{path, labels, samples}}). Paths are relative to this folder unless absolute.
"""

_TOP_KEY = re.compile(r"^\S")


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` unless the file already holds it (an unchanged project stays untouched)."""
    if path.is_file() and path.read_text() == text:
        return False
    atomic.write_text(path, text)
    return True


def _scalar(value) -> str:
    return json.dumps(value) if isinstance(value, str) else str(value)


def with_transport(text: str, overrides: dict, source: Path) -> str:
    """The platform YAML `text` with the keys of its `transport:` block set to `overrides`,
    keeping every comment."""
    if not overrides:
        return text
    lines = text.splitlines(keepends=True)
    try:
        start = next(i for i, line in enumerate(lines) if re.match(r"transport:\s*(#.*)?$", line))
    except StopIteration:
        raise InputError(
            f"{source}: no 'transport:' block (one key per line) to set the board's port in"
        ) from None
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if _TOP_KEY.match(lines[i]) and lines[i][0] != "#"
        ),
        len(lines),
    )
    for key, value in overrides.items():
        pattern = re.compile(rf"^(\s+{key}:\s*)([^#\n]*?)(\s*#.*)?$")
        for i in range(start + 1, end):
            match = pattern.match(lines[i].rstrip("\n"))
            if match:
                lines[i] = f"{match[1]}{_scalar(value)}{match[3] or ''}\n"
                break
        else:
            lines.insert(start + 1, f"  {key}: {_scalar(value)}\n")
            end += 1
    return "".join(lines)


def _entry(settings: dict, folder: Path) -> dict:
    """The models.yaml entry: paths inside the project relative to it, a dataset given by its
    path alone in the short form."""

    def shown(path: str) -> str:
        p = Path(path)
        return p.relative_to(folder).as_posix() if p.is_relative_to(folder) else path

    entry = dict(settings, tflite=shown(settings["tflite"]))
    dataset = settings.get("dataset")
    if dataset:
        kept = {k: shown(v) if k != "samples" else v for k, v in dataset.items() if v is not None}
        entry["dataset"] = kept["path"] if list(kept) == ["path"] else kept
    return entry


def models_yaml(models: list[ModelRequest], folder: Path, header: str) -> str:
    data = {"models": {m.name: _entry(m.settings, folder) for m in models}}
    body = yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=100)
    return header.format(model=models[0].name) + "\n" + body


def write_project(folder: Path, models: list[ModelRequest], header: str) -> list[Path]:
    """Write the project's files; returns those that changed."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {folder / "SConstruct": SCONSTRUCT}
    for model in models:
        text = model.platform_file.read_text()
        name = model.settings["platform"]
        files[folder / "platforms" / f"{name}.yaml"] = with_transport(
            text, model.transport, model.platform_file
        )
    files[folder / "models.yaml"] = models_yaml(models, folder, header)
    return [path for path, text in files.items() if write_if_changed(path, text)]
