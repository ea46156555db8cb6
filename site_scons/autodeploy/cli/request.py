"""The reference tool's options turned into what our build needs: a models.yaml entry, the
platform file to copy (with the board link's settings), the SCons targets and where outputs go.
Each option's value is checked here, so a mistake names the option, not a generated file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..config.schema import suggest
from ..errors import InputError
from ..home import platforms_dir
from .options import ARENA_LOCATIONS, MODEL_LOCATIONS, TOOLCHAINS, choice, not_needed_notes

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class ModelRequest:
    name: str
    settings: dict  # the models.yaml entry: tflite, platform, toolchain, ... dataset
    platform_file: Path  # the platform YAML to copy into the project
    transport: dict  # overrides of the platform's transport: kind, device, baud


@dataclass(frozen=True)
class Request:
    model: ModelRequest
    steps: tuple[str, ...]  # model steps to build: analyze, firmware, profile, power, report, lib
    project: Path  # DESTINATION_ROOTDIR/<model>
    resultlog: Path | None
    profile_results: Path | None
    verbosity: int
    notes: tuple[str, ...]


def _existing(value: str, option: str) -> Path:
    path = Path(value).expanduser()
    if not path.exists():
        raise InputError(f"{option} {value}: no such file or folder")
    return path.resolve()


def _at_least(options: dict, name: str, low: int) -> int:
    value = options[name]
    if value < low:
        raise InputError(f"--{name.replace('_', '-')} {value}: must be {low} or more")
    return value


def model_name(options: dict, tflite: Path) -> tuple[str, list[str]]:
    """The model's name and, when it was derived from the file name, a note saying so."""
    if options["model_name"] != "auto":
        name = options["model_name"]
        if not _NAME.match(name):
            raise InputError(
                f"--model-name {name}: use letters, digits and '_', starting with a letter"
            )
        return name, []
    name = re.sub(r"\W", "_", tflite.stem, flags=re.ASCII)
    name = name if name[:1].isalpha() else f"m_{name}"
    return name, [f"note: model name set to {name} (from {tflite.name})"]


def platform_file(value: str) -> Path:
    """A platform of the tool by name, or the user's own platform YAML."""
    if value.endswith(".yaml"):
        return _existing(value, "--platform")
    path = platforms_dir() / f"{value}.yaml"
    if not path.is_file():
        names = tuple(sorted(p.stem for p in platforms_dir().glob("*.yaml")))
        close = suggest(value, names)
        raise InputError(
            f"--platform {value}: unknown board;{close or ''} (the tool has: {', '.join(names)}; "
            "or name your own platform .yaml file)"
        )
    return path


def _dataset(options: dict, explicit: dict) -> tuple[dict | None, list[str]]:
    if not options["dataset"]:
        if options["labels"]:
            raise InputError("--labels needs --dataset (labels are one class per dataset sample)")
        return None, []
    entry = {
        "path": str(_existing(options["dataset"], "--dataset")),
        "labels": str(_existing(options["labels"], "--labels")) if options["labels"] else None,
        "samples": None,
    }
    if "runs" in explicit:
        entry["samples"] = _at_least(options, "runs", 1)
        return entry, [f"note: --runs {entry['samples']} with --dataset: its first samples run"]
    return entry, ["note: with --dataset every sample runs once (--runs N runs the first N)"]


def _transport(options: dict) -> tuple[dict, list[str]]:
    overrides, notes = {}, []
    if options["tty"] != "auto":
        overrides["device"] = options["tty"]
    if options["baud"] != "auto":
        if not str(options["baud"]).isdigit() or int(options["baud"]) < 300:
            raise InputError(f"--baud {options['baud']}: a baud rate (300 or more) or auto")
        overrides["baud"] = int(options["baud"])
    if options["transport"] != "auto":
        overrides["kind"] = choice(options["transport"], ("USB", "UART"), "--transport").lower()
    if "device" not in overrides and {"baud", "kind"} & set(overrides):
        notes.append(
            "note: --transport and --baud set the board's port in the project's platform file; "
            "the emulated board (no --tty) talks over a local socket"
        )
    return overrides, notes


def model_request(options: dict, explicit: dict) -> tuple[ModelRequest, list[str]]:
    """The model entry and platform of the options (shared by the command and `init`)."""
    if not options["tflite_filename"]:
        raise InputError("--tflite-filename is required: the .tflite model to deploy")
    tflite = _existing(options["tflite_filename"], "--tflite-filename")
    if not tflite.is_file():
        raise InputError(f"--tflite-filename {options['tflite_filename']}: is not a file")
    name, notes = model_name(options, tflite)
    toolchain = options["toolchain"].lower()
    if toolchain not in TOOLCHAINS:
        raise InputError(f"--toolchain {options['toolchain']}: not one of {', '.join(TOOLCHAINS)}")
    arena_kb = _at_least(options, "max_arena_size", 0)
    settings = {
        "tflite": str(tflite),
        "platform": None,  # set below, from the platform file's name
        "toolchain": TOOLCHAINS[toolchain],
        "model_location": choice(options["model_location"], MODEL_LOCATIONS, "--model-location"),
        "arena_location": choice(options["arena_location"], ARENA_LOCATIONS, "--arena-location"),
        "max_arena_size": f"{arena_kb}KB" if arena_kb else None,
        "runs": _at_least(options, "runs", 1),
        "runs_power": _at_least(options, "runs_power", 1),
        "seed": _at_least(options, "seed", 0),
    }
    mode = choice(options["cpu_mode"], ("auto", "LP", "HP"), "--cpu-mode")
    if mode != "auto":
        settings["cpu_mode"] = mode
    dataset, dataset_notes = _dataset(options, explicit)
    if dataset:
        settings["dataset"] = dataset
    source = platform_file(options["platform"])
    settings["platform"] = source.stem
    transport, transport_notes = _transport(options)
    notes += dataset_notes + transport_notes + not_needed_notes(explicit)
    return ModelRequest(name, settings, source, transport), notes


def _steps(options: dict, on_board: bool) -> tuple[tuple[str, ...], list[str]]:
    steps, notes = ["analyze"], []
    profile = not options["no_create_profile"]
    if not options["no_create_binary"]:
        steps.append("firmware")
    elif profile:
        notes.append(
            "note: --no-create-binary: the profile runs the validator firmware, so it is built "
            "when out of date (add --no-create-profile to skip both)"
        )
    if profile:
        steps.append("profile")
    if options["joulescope"]:
        steps += ["power", "report"] if profile else ["power"]
        if not on_board:
            notes.append(
                "note: --joulescope without a board (--tty): time, energy and power per "
                "inference are modelled on the emulator from the platform's power model"
            )
    if options["create_library"] or options["create_ambiqsuite_example"]:
        steps.append("lib")
    if options["create_ambiqsuite_example"]:
        notes.append(
            "note: --create-ambiqsuite-example: the example is a stand-alone Makefile project "
            "using the library and the board support (package/example/), not AmbiqSuite's"
        )
    return tuple(steps), notes


def _optional_path(value: str) -> Path | None:
    return None if value == "none" else Path(value).expanduser().resolve()


def build_request(options: dict, explicit: dict) -> Request:
    model, notes = model_request(options, explicit)
    steps, step_notes = _steps(options, "device" in model.transport)
    verbosity = options["verbosity"]
    if not 0 <= verbosity <= 4:
        raise InputError(f"--verbosity {verbosity}: 0 to 4")
    root = options["destination_rootdir"]
    root = Path.cwd() / "projects" / "autodeploy" if root == "auto" else Path(root).expanduser()
    return Request(
        model=model,
        steps=steps,
        project=root.resolve() / model.name,
        resultlog=_optional_path(options["resultlog_file"]),
        profile_results=_optional_path(options["profile_results_path"]),
        verbosity=verbosity,
        notes=tuple(notes + step_notes),
    )
