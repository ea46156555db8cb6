"""The `autodeploy` command's options: the reference tool's (ns_autodeploy) by the same names
and with the same defaults, plus `--labels`; its options our build does not need are accepted
and answered with a one-line note saying why.

Precedence: command line, then `--configfile` (YAML with the same keys, '-' or '_'), then the
defaults. Paths in a config file are relative to the file's folder.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from ..config.schema import suggest
from ..errors import InputError

#: The reference tool's defaults for the options that apply here.
DEFAULTS = {
    "tflite_filename": None,
    "model_name": "auto",
    "platform": "apollo510_evb",
    "toolchain": "gcc",
    "model_location": "auto",
    "arena_location": "auto",
    "max_arena_size": 0,
    "runs": 10,
    "runs_power": 200,
    "seed": 42,
    "cpu_mode": "auto",
    "joulescope": False,
    "no_create_binary": False,
    "no_create_profile": False,
    "create_library": False,
    "create_ambiqsuite_example": False,
    "dataset": None,
    "labels": None,
    "destination_rootdir": "auto",
    "resultlog_file": "none",
    "profile_results_path": "none",
    "verbosity": 1,
    "transport": "auto",
    "tty": "auto",
    "baud": "auto",
}
#: Options whose values are paths (relative to the config file's folder when read from one).
PATHS = (
    "tflite_filename",
    "dataset",
    "labels",
    "destination_rootdir",
    "resultlog_file",
    "profile_results_path",
)

#: Reference options this build does not need: why, printed as a note when one is given.
NOT_NEEDED = {
    "tensorflow_version": "the firmware runs generated C (an ahead-of-time runtime), not TFLM",
    "arena_size_scratch_buffer_padding": (
        "the arena is planned at build time with every kernel's scratch buffer in it"
    ),
    "ambiqsuite_version": (
        "no AmbiqSuite here: the emulated boards' support is built in, a real board's comes "
        "from its platform file (board_support)"
    ),
    "neuralspot_rootdir": "the tool finds its own files",
    "resource_variable_count": (
        "resource variables are counted and placed at build time (each in the arena's persistent "
        "part, initialized by the model's init); the -tflm sources size their table from the model"
    ),
    "profile_warmup": (
        "the first inference is profiled after one warm-up (none for a stateful model, whose "
        "state a warm-up would advance)"
    ),
    "no_random_data": "inputs are seeded random ones unless --dataset names real data",
    "nocompile_mode": "there is no GDB mode; the firmware is rebuilt only when out of date",
    "run_log_id": "every measurement gets its own run ID in the result log",
    "create_aot_profile": "the firmware already runs an ahead-of-time runtime (generated C)",
    "helios_aot_config": "the firmware already runs an ahead-of-time runtime (generated C)",
    "onboard_perf": "the profile already times every layer on the board (or the emulator)",
    "full_pmu_capture": (
        "set pmu_full_capture: true for the model in models.yaml (core counters are read on a "
        "real board only: the emulator has none)"
    ),
    "pmu_config_file": (
        "list the events in models.yaml (pmu_events) or the platform YAML (pmu.events)"
    ),
    "tflm_location": "there is no TFLM library; code goes where the platform's firmware.code says",
}
_NOT_NEEDED_FLAGS = ("no_random_data", "nocompile_mode", "create_aot_profile", "onboard_perf")
_NOT_NEEDED_FLAGS += ("full_pmu_capture",)

TOOLCHAINS = {"gcc": "gcc", "arm": "armclang", "armclang": "armclang", "clang": "clang"}
MODEL_LOCATIONS = ("auto", "TCM", "SRAM", "MRAM", "PSRAM")
ARENA_LOCATIONS = ("auto", "TCM", "SRAM", "PSRAM")


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


#: Help of each option that applies (the defaults are appended).
HELP = {
    "tflite_filename": "the .tflite model to deploy (required)",
    "model_name": "name of the model in generated code; 'auto': the file's base name",
    "platform": "board: a platform of the tool (apollo510_evb, ...) or a .yaml file",
    "toolchain": "compiler: gcc, arm (Arm Compiler 6), clang",
    "model_location": "where the weights live: auto, TCM, SRAM, MRAM, PSRAM",
    "arena_location": "where the tensor arena lives: auto, TCM, SRAM, PSRAM",
    "max_arena_size": "cap on the arena in KB, 0 = none",
    "runs": "inferences compared with the PC",
    "runs_power": "inferences per CPU mode in the power run",
    "seed": "seed of the random inputs",
    "cpu_mode": "clock mode whose time the profile reports: auto, LP, HP",
    "dataset": "real inputs: a .npy/.npz file or a folder of them, one array per model input, "
    "samples along the first axis; every sample runs on the PC and the board",
    "labels": "(ours) a .npy of class indices, one per dataset sample: adds accuracy on the PC "
    "and the board",
    "joulescope": "time, energy and power per inference in each CPU mode (modelled on the "
    "emulator, measured with a Joulescope on a board)",
    "no_create_binary": "do not build the firmware",
    "no_create_profile": "do not run, validate and profile on the board or emulator",
    "create_library": "static library, header and README of the model",
    "create_ambiqsuite_example": "the library's stand-alone example project (a Makefile "
    "project, no AmbiqSuite)",
    "destination_rootdir": "projects go to DIR/<model>; 'auto': ./projects/autodeploy",
    "resultlog_file": "also add the run's row to this CSV result log",
    "profile_results_path": "also copy the per-layer CSV there as <model>_stats.csv",
    "verbosity": "0: bars and report; 1: + build steps; 2: + per-layer table; 3-4: + all of "
    "SCons' output",
    "transport": "USB or UART",
    "tty": "the board's serial port or pyserial URL; 'auto': the emulator",
    "baud": "baud rate of the board's port",
}
_INTS = ("max_arena_size", "runs", "runs_power", "seed", "verbosity")
_METAVARS = {"tflite_filename": "FILE", "dataset": "PATH", "labels": "FILE"}
_METAVARS |= {"destination_rootdir": "DIR", "resultlog_file": "FILE"}
_METAVARS |= {"profile_results_path": "DIR", "max_arena_size": "KB"}


def _add(group, name: str, **kwargs) -> None:
    default = DEFAULTS[name]
    text = HELP[name] if default in (None, False) else f"{HELP[name]} (default: {default})"
    if default is False:
        kwargs |= {"action": "store_true", "default": None}
    else:
        kwargs.setdefault("metavar", _METAVARS.get(name))
        kwargs |= {"type": int} if name in _INTS else {}
    group.add_argument(_flag(name), help=text, **kwargs)


def add_model_options(parser: argparse.ArgumentParser, several: bool = False) -> None:
    """Options that say what to build: shared by the one-shot command and `autodeploy init`
    (`several`: --tflite-filename may be given more than once)."""
    g = parser.add_argument_group("model and board")
    _add(g, "tflite_filename", action="append" if several else "store")
    for name in ("model_name", "platform", "toolchain", "model_location", "arena_location"):
        _add(g, name)
    _add(g, "max_arena_size")
    g = parser.add_argument_group("characterization")
    for name in ("runs", "runs_power", "seed", "cpu_mode", "dataset", "labels"):
        _add(g, name)


def add_link_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("board link (default: the emulated board)")
    for name in ("transport", "tty", "baud"):
        _add(g, name)
    parser.add_argument("--configfile", metavar="FILE", help="YAML file with any of these options")


def _add_command_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("what to do")
    for name in ("joulescope", "no_create_binary", "no_create_profile", "create_library"):
        _add(g, name)
    _add(g, "create_ambiqsuite_example")
    g = parser.add_argument_group("outputs")
    for name in ("destination_rootdir", "resultlog_file", "profile_results_path", "verbosity"):
        _add(g, name)
    add_link_options(parser)
    g = parser.add_argument_group("reference options that are not needed here (accepted, noted)")
    for name in NOT_NEEDED:
        if name in _NOT_NEEDED_FLAGS:
            g.add_argument(_flag(name), action="store_true", default=None, help=NOT_NEEDED[name])
        else:
            g.add_argument(_flag(name), metavar="X", help=NOT_NEEDED[name])


def one_shot_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autodeploy",
        description="Analyse, build, validate against the PC, profile per layer and (with "
        "--joulescope) measure the energy of a .tflite model on a board or its emulator, with "
        "the reference tool's options. The work is the declarative SCons build of a project "
        "folder written to DESTINATION_ROOTDIR/<model>.",
        epilog="autodeploy init DIR --tflite-filename FILE ... writes a project folder to build "
        "with scons (see autodeploy init --help). Exit status: 0 success, 1 the board's outputs "
        "differ from the PC's, 2 usage or input error, 3 the build or the board failed.",
    )
    add_model_options(parser)
    _add_command_options(parser)
    parser.add_argument("--version", action="store_true", help="print the tool's version")
    return parser


# ---------------------------------------------------------------------------------------------


def read_configfile(path: Path, parser: argparse.ArgumentParser) -> dict:
    """Options from a YAML config file (keys as on the command line, '-' or '_')."""
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as err:
        raise InputError(f"--configfile {path}: cannot read it ({err.strerror})") from None
    except yaml.YAMLError as err:
        raise InputError(f"--configfile {path}: not valid YAML ({err})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"--configfile {path}: expected option: value lines")
    known = {a.dest: a for a in parser._actions if a.dest not in ("help", "configfile")}
    values = {}
    for key, value in data.items():
        name = str(key).replace("-", "_")
        if name not in known:
            close = suggest(name, tuple(known))
            raise InputError(
                f"--configfile {path}: unknown option '{key}';{close or ''} "
                "(keys are the command's options, e.g. tflite_filename)"
            )
        values[name] = _typed(known[name], value, f"--configfile {path}: {key}")
        if name in PATHS and isinstance(values[name], str) and values[name] not in ("auto", "none"):
            values[name] = str((path.parent / values[name]).resolve())
    return values


def _typed(action: argparse.Action, value, where: str):
    if isinstance(action, argparse._StoreTrueAction):
        if not isinstance(value, bool):
            raise InputError(f"{where}: expected true or false, got {value!r}")
        return value
    if action.type is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(f"{where}: expected an integer, got {value!r}")
        return value
    if value is None or isinstance(value, (dict, list)):
        raise InputError(f"{where}: expected a value, got {value!r}")
    return str(value)


def parse_options(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[dict, dict]:
    """(options with defaults and config file applied, the options given explicitly)."""
    given = {k: v for k, v in vars(parser.parse_args(argv)).items() if v is not None}
    from_file = {}
    if given.get("configfile"):
        from_file = read_configfile(Path(given["configfile"]), parser)
    explicit = from_file | given
    return DEFAULTS | explicit, explicit


def not_needed_notes(explicit: dict) -> list[str]:
    return [
        f"note: {_flag(name)} is not needed: {why}"
        for name, why in NOT_NEEDED.items()
        if explicit.get(name) not in (None, False)
    ]


def choice(value: str, choices: tuple[str, ...], option: str) -> str:
    """`value` as one of `choices`, any case ('Auto', 'sram'); InputError otherwise."""
    for c in choices:
        if c.lower() == str(value).lower():
            return c
    raise InputError(f"{option} {value}: not one of {', '.join(choices)}")
