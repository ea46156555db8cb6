"""The `autodeploy` command: the reference tool's one-shot characterization over our declarative
build, and `autodeploy init` to start a project. See options.py for the options.

Exit status: 0 success; 1 the board's outputs differ from the PC reference's; 2 a usage or input
error (options, model file, dataset, configuration, a model that does not fit); 3 the build, a
tool or the board failed otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import __version__
from ..analysis.model_analysis import io_entry
from ..config import load_config
from ..dataset import load_dataset
from ..errors import AutodeployError, InputError
from ..home import tool_root
from ..targets import model_target
from ..tflite.reader import read_model
from ..variants import declared_variant
from .build import run_scons
from .options import add_link_options, add_model_options, one_shot_parser, parse_options
from .outputs import add_to_result_log, copy_profile_csv, current_row
from .project import INIT_HEADER, ONE_SHOT_HEADER, write_project
from .report import characterization_report
from .request import build_request, model_request

EXIT_OK, EXIT_MISMATCH, EXIT_INPUT, EXIT_FAILED = 0, 1, 2, 3


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def preflight(spec) -> None:
    """Read the model and check its dataset now, so their errors come before any build."""
    model = read_model(spec.tflite).main
    if spec.dataset:
        inputs = [io_entry(model.tensors[i]) for i in model.inputs]
        outputs = [io_entry(model.tensors[i]) for i in model.outputs]
        load_dataset(spec.dataset, inputs, outputs)


def exit_code(result) -> int:
    if result.returncode == 0:
        return EXIT_OK
    kinds = {f["category"] for f in result.failures}
    if "input" in kinds:
        return EXIT_INPUT
    if kinds == {"validation"}:
        return EXIT_MISMATCH
    return EXIT_FAILED


def one_shot(argv: list[str]) -> int:
    options, explicit = parse_options(one_shot_parser(), argv)
    if options.get("version"):
        print(f"autodeploy {__version__} (tool files: {tool_root()})")
        return EXIT_OK
    request = build_request(options, explicit)
    for note in request.notes:
        _say(note)
    write_project(request.project, [request.model], ONE_SHOT_HEADER)
    spec = load_config(request.project).model(request.model.name)
    preflight(spec)
    variant = declared_variant(spec)
    if request.verbosity >= 1:
        _say(f"[autodeploy] {spec.name}: {', '.join(request.steps)} in {request.project}")
    targets = [model_target(spec.name, step) for step in request.steps]
    result = run_scons(request.project, targets, request.verbosity)
    code = exit_code(result)
    if code in (EXIT_OK, EXIT_MISMATCH):
        print(characterization_report(request.project, variant, request.steps, request.verbosity))
    if code == EXIT_OK:
        if request.profile_results and "profile" in request.steps:
            copy_profile_csv(request.project, variant, request.profile_results)
        row = current_row(request.project, spec, variant)  # a profile or a power run made one
        if request.resultlog and row:
            add_to_result_log(request.resultlog, row)
    return code


def init(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="autodeploy init",
        description="Write a project folder for the declarative build: models.yaml with the "
        "given models and settings (the one-shot command's options), the platform files they "
        "use and an SConstruct. Then build it with scons, e.g. `scons <model>-profile`.",
    )
    parser.add_argument("directory", help="the project folder to create")
    add_model_options(parser, several=True)
    add_link_options(parser)
    options, explicit = parse_options(parser, argv)
    folder = Path(options["directory"]).expanduser().resolve()
    if (folder / "models.yaml").exists():
        raise InputError(f"{folder}/models.yaml exists: that is a project already; edit it")
    files = options["tflite_filename"] or []
    if len(files) > 1 and ("model_name" in explicit or "dataset" in explicit):
        raise InputError("--model-name and --dataset name one model: give one --tflite-filename")
    models, notes = [], []
    for tflite in files or [None]:
        model, model_notes = model_request(options | {"tflite_filename": tflite}, explicit)
        models.append(model)
        notes += model_notes
    for note in dict.fromkeys(notes):
        _say(note)
    write_project(folder, models, INIT_HEADER)
    load_config(folder)  # what scons will read: its errors now, not at the first build
    names = ", ".join(m.name for m in models)
    print(f"wrote {folder}: models.yaml ({names}), platforms/, SConstruct")
    print(f"next: cd {folder} && scons -h   (e.g. scons {models[0].name}-profile)")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["init"]:
            return init(argv[1:])
        return one_shot(argv)
    except SystemExit as exit_:  # argparse: --help (0) or a usage error (2)
        return exit_.code if isinstance(exit_.code, int) else EXIT_INPUT
    except InputError as err:
        _say(f"error: {err}")
        return EXIT_INPUT
    except AutodeployError as err:
        _say(f"error: {err}")
        return EXIT_FAILED
    except KeyboardInterrupt:
        _say("interrupted")
        return 130


def run() -> None:
    """Console entry point."""
    sys.exit(main())
