"""Load and validate models.yaml and platforms/*.yaml into one immutable Config.

Every problem raises ConfigError with `file:line: key.path: what is wrong` and, where one exists,
a suggestion ("did you mean 'SRAM'?") and the allowed values.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..targets import target_owners
from ..timing.model import TimingModel, read_timing
from . import schema as S
from .yaml_source import MapNode, Node, SeqNode, Source, load_yaml

KIB = 1024


# ---------------------------------------------------------------------------------------------
# The data model


@dataclass(frozen=True)
class Memory:
    """One memory of a board. Sizes in bytes; `usable_bytes` is after the reserves.

    usable = (floor(size_kb * (1 - reserve_percent/100)) - reserve_kb) * 1024 (reference rule).
    `limits` caps what one purpose may use (e.g. Apollo510 PSRAM: arena 12000 KB, model 20000 KB);
    use `usable_for(purpose)` rather than `usable_bytes` when placing something.
    """

    name: str
    size_bytes: int
    reserve_percent: float
    reserve_kb: int
    usable_bytes: int
    holds: tuple[str, ...]
    volatile: bool = True
    limits: dict[str, int] = field(default_factory=dict)
    emulator_base: int | None = None
    emulator_size: int | None = None
    emulator_region: str | None = None
    emulator_read_only: bool = False

    def can_hold(self, purpose: str) -> bool:
        return purpose in self.holds

    def usable_for(self, purpose: str) -> int:
        """Bytes available for `purpose` ("model", "arena", "code"); 0 if it may not hold it."""
        if purpose not in self.holds:
            return 0
        return min(self.usable_bytes, self.limits.get(purpose, self.usable_bytes))

    def __hash__(self) -> int:
        return hash((self.name, self.size_bytes, self.usable_bytes, self.holds))


@dataclass(frozen=True)
class CpuMode:
    """A CPU clock mode; `power_mw` is the modelled average active power in this mode."""

    name: str
    clock_hz: int
    power_mw: float


@dataclass(frozen=True)
class Transport:
    """How the host talks to the board. `device` None means: find it (or the emulator's socket)."""

    kind: str
    baud: int
    device: str | None = None
    supported: tuple[str, ...] = ()


@dataclass(frozen=True)
class Emulator:
    """The QEMU machine that stands in for the board (memory mapping lives on each Memory)."""

    machine: str
    cpu: str
    executable: str = "qemu-system-arm"
    extra_args: tuple[str, ...] = ()


@dataclass(frozen=True)
class PowerModel:
    """How energy is estimated without a Joulescope: energy = cpu_mode.power_mw x time."""

    kind: str
    calibrated: bool
    source: str


@dataclass(frozen=True)
class PowerGpio:
    """Joulescope handshake pins (IN0, IN1 read by the host; trigger driven by the host)."""

    in0: int
    in1: int
    trigger: int
    io_voltage: float


@dataclass(frozen=True)
class FirmwareLayout:
    """Where the firmware's own parts go: code (vectors, text, constants, .data's load image)
    and RAM (stack, .data, .bss). Model data and arena follow the placement instead."""

    code_memory: str
    stack_memory: str
    stack_bytes: int


@dataclass(frozen=True)
class MappedMemory:
    """A memory's address range on a real board (`board_support.memory_map`)."""

    base: int
    size: int
    read_only: bool = False
    region: str = ""


@dataclass(frozen=True)
class BoardSupport:
    """A real board's firmware support: C folders implementing bsp.h and the startup code
    (project-relative, as written), the flash command template and the board's memory map."""

    sources: tuple[str, ...]
    include: tuple[str, ...]
    flash: str | None
    memory_map: dict[str, MappedMemory]

    def __hash__(self) -> int:
        return hash((self.sources, self.include, self.flash))


@dataclass(frozen=True)
class MlekTarget:
    """The ML Embedded Evaluation Kit's CMake values for a board."""

    target_platform: str
    target_subsystem: str
    linker_script: str


@dataclass(frozen=True)
class Npu:
    """The board's Arm Ethos-U NPU and how Vela describes its system (`npu:` in the YAML).

    `system_config` is a Vela system config name in `vela_config` (project-relative .ini) with
    `{arena}` and `{weights}` standing for the memories that hold them (e.g. SRAM, MRAM)."""

    kind: str  # ethos-u55 | ethos-u65 | ethos-u85
    macs: int  # MACs per cycle
    clock_hz: int
    vela_config: str
    system_config: str
    #: The ML Embedded Evaluation Kit's CMake names for this board (`npu.mlek`), or None.
    mlek: MlekTarget | None = None

    @property
    def accelerator(self) -> str:
        """Vela's --accelerator-config for this NPU, e.g. ethos-u55-256."""
        return f"{self.kind}-{self.macs}"


@dataclass(frozen=True)
class Platform:
    name: str
    file: Path
    description: str
    core: str
    fpu: str
    float_abi: str
    mve: str  # "none" | "int" | "float"
    kernels: str  # "auto": the core's vector kernels where they exist | "portable": plain C only
    arch_flags: tuple[str, ...]  # -mcpu/-mthumb/-mfloat-abi/-mfpu, shared by gcc and clang
    memories: dict[str, Memory]
    cpu_modes: dict[str, CpuMode]
    default_cpu_mode: str
    transport: Transport
    toolchains: tuple[str, ...]
    emulator: Emulator | None
    power_model: PowerModel
    power_gpio: PowerGpio
    firmware: FirmwareLayout
    # The non-volatile memory the board boots from: the vector table, the start-up code and the
    # load image of everything that runs from volatile memory (see autodeploy.memory.boot).
    boot_memory: str
    board_support: BoardSupport | None = None
    npu: Npu | None = None
    timing: TimingModel | None = None  # the emulator's cycle estimate (autodeploy.timing)
    #: Core counter events a profile on a board reads per layer (`pmu.events`, else the core's
    #: defaults: autodeploy.profile.pmu_events); models may override them.
    pmu_events: tuple[str, ...] = ()

    @property
    def has_mve(self) -> bool:
        return self.mve != "none"

    def __hash__(self) -> int:
        return hash((self.name, self.core, self.arch_flags))

    def to_dict(self, without: tuple[str, ...] = ()) -> dict[str, Any]:
        """Plain JSON-able dict of everything but the file path, the counter events and
        `without` (for build fingerprints: only the profile step reads the events, and it has
        them itself; firmware leaves out the timing model, which only profiles and power read)."""
        skip = ("file", "pmu_events", *without)
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self) if f.name not in skip}


@dataclass(frozen=True)
class DatasetSpec:
    """A model's real inputs (`dataset:`): .npy/.npz arrays, one per model input with samples
    along the first axis, and optional labels (autodeploy.dataset reads and checks them)."""

    path: Path  # a .npy or .npz file, or a folder of them
    shown: str  # the path as models.yaml wrote it, for messages and reports
    labels: Path | None = None  # a .npy of class indices (else an array named 'labels')
    samples: int | None = None  # only the first N samples (None: all)


@dataclass(frozen=True)
class ModelSpec:
    """One entry of models.yaml with the `defaults:` filled in. Sizes in bytes."""

    name: str
    tflite: Path
    platform: str
    toolchain: str
    model_location: str
    arena_location: str
    max_arena_size: int | None
    runs: int
    runs_power: int
    seed: int
    cpu_mode: str
    source_line: int
    accelerator: str = "auto"  # Vela's accelerator; "auto": the platform's npu
    memory_mode: str = "auto"  # Vela memory mode; "auto": follows the placement
    optimise: str = "Performance"
    vela_ignore_ops: tuple[str, ...] = ()
    #: A float model converted into `tflite` by `<model>-convert` (None: `tflite` is the user's).
    source: Path | None = None
    calibration: Path | None = None
    quantize: str = "int8"
    dataset: DatasetSpec | None = None  # real inputs for validation (None: seeded random ones)
    pmu_events: tuple[str, ...] | None = None  # the model's own (None: the platform's)
    pmu_full_capture: bool = False  # repeat the profiled invoke per group of events

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict of the settings (without source_line, which is only position)."""
        return {
            f.name: _plain(getattr(self, f.name)) for f in fields(self) if f.name != "source_line"
        }


@dataclass(frozen=True)
class Sweep:
    name: str
    models: tuple[str, ...]
    axes: dict[str, tuple[str, ...]]
    exclude: tuple[dict[str, str], ...]
    source_line: int
    description: str | None = None

    def __hash__(self) -> int:
        return hash((self.name, self.models, tuple(self.axes.items()), self.source_line))


@dataclass(frozen=True)
class Config:
    models: dict[str, ModelSpec]
    platforms: dict[str, Platform]
    sweeps: dict[str, Sweep]
    project_dir: Path
    #: Every YAML file the config was read from (for the build to depend on).
    files: tuple[Path, ...] = ()

    def model(self, name: str) -> ModelSpec:
        """The model called `name`; ConfigError with a suggestion if there is none."""
        try:
            return self.models[name]
        except KeyError:
            names = tuple(self.models)
            raise ConfigError(f"unknown model '{name}'{S.fix(name, names)}") from None

    def platform_of(self, model: ModelSpec | str) -> Platform:
        spec = self.model(model) if isinstance(model, str) else model
        return self.platforms[spec.platform]


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value


# ---------------------------------------------------------------------------------------------
# Loading


def load_config(project_dir: Path, models_file: str = "models.yaml") -> Config:
    """Read `models_file` and every `platforms/*.yaml` under `project_dir`, fully validated."""
    project_dir = Path(project_dir).resolve()
    models_path = project_dir / models_file
    display = _display(models_path, project_dir)
    if not models_path.is_file():
        if models_path.is_dir():
            raise ConfigError(f"{display}: is a directory, expected the models YAML file")
        raise ConfigError(
            f"{display}: file not found (looked in {project_dir}); create it with "
            "'defaults:' and 'models:' sections, or pass the right file name"
        )
    platforms, platform_files = _load_platforms(project_dir)
    src, root = load_yaml(models_path, display)
    top = S.read_section(
        root, S.MODELS_FILE, "", src, "a mapping with 'defaults:', 'models:' and 'sweeps:'"
    )
    defaults = _read_defaults(top, src, platforms)
    models = _read_models(top["models"][1], defaults, src, platforms, project_dir)
    sweeps: dict[str, Sweep] = {}
    if top.get("sweeps", (None,))[0] is not None:
        sweeps = _read_sweeps(top["sweeps"][1], src, models, platforms)
    _check_target_names(models, sweeps, src)
    return Config(
        models=models,
        platforms=platforms,
        sweeps=sweeps,
        project_dir=project_dir,
        files=(models_path, *platform_files),
    )


def _display(path: Path, project_dir: Path) -> str:
    try:
        return path.relative_to(project_dir).as_posix()
    except ValueError:
        return str(path)


# --- models.yaml --------------------------------------------------------------------------------


class _Setting:
    """An effective setting of a model and where it was written (for error messages)."""

    __slots__ = ("value", "path", "line")

    def __init__(self, value: Any, path: str, line: int) -> None:
        self.value = value
        self.path = path
        self.line = line


def _read_defaults(
    top: dict[str, tuple[Any, Node]], src: Source, platforms: dict[str, Platform]
) -> dict[str, _Setting]:
    settings = {k: _Setting(v, "", 0) for k, v in S.BUILTIN_DEFAULTS.items()}
    if top.get("defaults", (None,))[0] is None:
        return settings
    for key, (value, node) in S.read_section(
        top["defaults"][1], S.DEFAULTS, "defaults", src
    ).items():
        settings[key] = _Setting(value, f"defaults.{key}", node.line)
    plat = settings["platform"]
    if plat.value is not None and plat.value not in platforms:
        raise _unknown_platform(src, plat, platforms)
    return settings


def _unknown_platform(
    src: Source, setting: _Setting, platforms: dict[str, Platform]
) -> ConfigError:
    names = tuple(sorted(platforms))
    close = S.suggest(setting.value, names)
    return src.error(
        setting.line,
        setting.path,
        f"unknown platform '{setting.value}'{';' + close if close else ''} "
        f"(platforms/ has: {', '.join(names) or 'no platform files'})",
    )


def _read_models(
    node: MapNode,
    defaults: dict[str, _Setting],
    src: Source,
    platforms: dict[str, Platform],
    project_dir: Path,
) -> dict[str, ModelSpec]:
    if not node.value:
        raise src.error(
            node.line, "models", "no models defined; add at least one 'name: {tflite: path}'"
        )
    models: dict[str, ModelSpec] = {}
    for name, entry in node.value.items():
        path = f"models.{name}"
        line = node.key_lines[name]
        S.check_name(entry, name, line, path, src, "model")
        values = S.read_section(entry, S.MODEL, path, src, "a mapping with at least 'tflite:'")
        if "tflite" not in values and "source" not in values:
            raise src.error(
                entry.line,
                path,
                "missing required key 'tflite' (an int8 .tflite) or 'source' (a .keras, .h5, "
                "SavedModel or .onnx float model to convert, with 'calibration:')",
            )
        eff = {k: _Setting(d.value, d.path, d.line) for k, d in defaults.items()}
        for key, (value, vnode) in values.items():
            eff[key] = _Setting(value, f"{path}.{key}", vnode.line)
        for setting in eff.values():  # built-in defaults point at the model's own line
            if not setting.path:
                setting.path, setting.line = path, line
        models[name] = _model_spec(name, line, eff, values, src, platforms, project_dir)
    return models


def _check_target_names(models: dict[str, ModelSpec], sweeps: dict[str, Sweep], src: Source):
    """Two declarations whose SCons targets share a name would merge into one target."""
    lines = {f"model '{m.name}'": m.source_line for m in models.values()}
    lines |= {f"sweep '{s.name}'": s.source_line for s in sweeps.values()}
    for target, owners in target_owners(models, sweeps).items():
        if len(owners) < 2:
            continue
        declared = [o for o in owners if o in lines]
        where = " and ".join(f"{o} (line {lines[o]})" for o in declared)
        others = [o for o in owners if o not in lines]
        also = f" and {others[0]}" if others else ""
        raise src.error(
            lines[declared[-1]],
            "models" if declared[-1].startswith("model") else "sweeps",
            f"{where}{also} would all be `scons {target}`; rename one of them",
        )


def _model_spec(
    name: str,
    line: int,
    eff: dict[str, _Setting],
    values: dict[str, tuple[Any, Node]],
    src: Source,
    platforms: dict[str, Platform],
    project_dir: Path,
) -> ModelSpec:
    path = f"models.{name}"
    conversion = _read_conversion(name, line, values, src, project_dir)
    if conversion:
        tflite = project_dir / "build" / name / "convert" / f"{name}.tflite"
    else:
        tflite = _existing_tflite(path, values["tflite"], src, project_dir)
    plat_setting = eff["platform"]
    if plat_setting.value is None:
        names = ", ".join(sorted(platforms))
        raise src.error(
            line,
            f"{path}.platform",
            f"no platform set; add 'platform:' here or under defaults: "
            f"(platforms/ has: {names or 'no platform files'})",
        )
    if plat_setting.value not in platforms:
        raise _unknown_platform(src, plat_setting, platforms)
    platform = platforms[plat_setting.value]

    def fail(setting: _Setting, message: str) -> ConfigError:
        if setting.path.startswith("defaults."):
            message += f" (the default, used by model '{name}'; set it for this model to override)"
        return src.error(setting.line, setting.path, message)

    tc = eff["toolchain"]
    if tc.value is None:
        tc.value = platform.toolchains[0]
    elif tc.value not in platform.toolchains:
        raise fail(
            tc,
            f"toolchain '{tc.value}' is not supported by platform '{platform.name}' "
            f"({S.allowed(platform.toolchains)})",
        )
    for key, purpose in (("model_location", "model"), ("arena_location", "arena")):
        loc = eff[key]
        if loc.value == "auto":
            continue
        memory = platform.memories.get(loc.value)
        options = ["auto", *(m.name for m in platform.memories.values() if m.can_hold(purpose))]
        if memory is None:
            raise fail(
                loc,
                f"platform '{platform.name}' has no {loc.value} memory ({S.allowed(options)})",
            )
        if not memory.can_hold(purpose):
            why = " (non-volatile)" if not memory.volatile else ""
            raise fail(
                loc,
                f"{loc.value}{why} on '{platform.name}' cannot hold the {purpose}; it holds "
                f"only {', '.join(memory.holds)} ({S.allowed(options)})",
            )
    mode = eff["cpu_mode"]
    if mode.value is None:
        mode.value = platform.default_cpu_mode
    elif mode.value not in platform.cpu_modes:
        raise fail(
            mode,
            f"platform '{platform.name}' has no CPU mode '{mode.value}' "
            f"({S.allowed(tuple(platform.cpu_modes))})",
        )
    return ModelSpec(
        name=name,
        tflite=tflite,
        platform=platform.name,
        toolchain=tc.value,
        model_location=eff["model_location"].value,
        arena_location=eff["arena_location"].value,
        max_arena_size=eff["max_arena_size"].value,
        runs=eff["runs"].value,
        runs_power=eff["runs_power"].value,
        seed=eff["seed"].value,
        cpu_mode=mode.value,
        source_line=line,
        accelerator=eff["accelerator"].value,
        memory_mode=eff["memory_mode"].value,
        optimise=eff["optimise"].value,
        vela_ignore_ops=_ignore_ops(eff["vela_ignore_ops"], src),
        **conversion,
        dataset=_read_dataset(values.get("dataset"), f"{path}.dataset", src, project_dir),
        **_read_pmu_settings(eff, platform, src, fail),
    )


def _read_pmu_settings(eff: dict[str, _Setting], platform: Platform, src: Source, fail) -> dict:
    """pmu_events (None: the platform's) and pmu_full_capture, checked against the core."""
    events, full = eff["pmu_events"], eff["pmu_full_capture"]
    problem = counter_events_problem(platform, events.value, full.value)
    if problem:
        index, message = problem
        if events.value is None:
            raise fail(full, f"{message} (the events are pmu.events of platform '{platform.name}')")
        raise fail(events, message if index is None else f"[{index}]: {message}")
    owned = None if events.value is None else tuple(events.value)
    return {"pmu_events": owned, "pmu_full_capture": full.value}


def counter_events_problem(
    platform: Platform, events: tuple[str, ...] | None, full_capture: bool
) -> tuple[int | None, str] | None:
    """What is wrong with counting `events` (None: the platform's) per layer on `platform`'s
    core (autodeploy.profile.pmu_events.event_problem), or None."""
    from ..profile.pmu_events import UNITS, event_problem

    wanted = platform.pmu_events if events is None else tuple(events)
    return event_problem(wanted, UNITS[platform.core], platform.core, full_capture)


def _project_path(text: str, project_dir: Path) -> Path:
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = project_dir / path
    return Path(os.path.normpath(path))  # "models/../models/x" -> "models/x" (no I/O)


def _existing_tflite(path: str, value: tuple[Any, Node], src: Source, project_dir: Path) -> Path:
    tflite_text, tflite_node = value
    tflite = _project_path(tflite_text, project_dir)
    if not tflite.is_file():
        if tflite.is_dir():
            what = "is a directory, not a file" + _file_hint(tflite, project_dir)
        elif tflite.exists():
            what = "is not a regular file (a device, pipe or socket); name a .tflite file"
        else:
            what = "file does not exist" + _file_hint(tflite, project_dir)
        raise src.error(tflite_node.line, f"{path}.tflite", f"'{tflite_text}': {what}")
    return tflite


#: What `source:` may name, by suffix (a folder without one is a SavedModel).
SOURCE_SUFFIXES = (".keras", ".h5", ".onnx")


def _read_conversion(
    name: str, line: int, values: dict[str, tuple[Any, Node]], src: Source, project_dir: Path
) -> dict[str, Any]:
    """{source, calibration, quantize} of a model converted from a float model; {} for a model
    that names its .tflite. Exactly one of `tflite:` and `source:` must be given."""
    path = f"models.{name}"
    if "tflite" in values and "source" in values:
        raise src.error(
            values["source"][1].line,
            f"{path}.source",
            "give either 'tflite:' (an int8 model) or 'source:' (a float model to convert), "
            "not both",
        )
    if "source" not in values:
        for key in ("calibration", "quantize"):
            if key in values:
                raise src.error(
                    values[key][1].line, f"{path}.{key}", "only a model with 'source:' is converted"
                )
        return {}
    text, node = values["source"]
    source = _project_path(text, project_dir)
    is_saved_model = source.is_dir() and (source / "saved_model.pb").is_file()
    if not (is_saved_model or (source.is_file() and source.suffix in SOURCE_SUFFIXES)):
        if source.is_dir():
            what = "is a folder without saved_model.pb (not a SavedModel)"
        elif source.is_file():
            what = f"is not a {', '.join(SOURCE_SUFFIXES)} file or a SavedModel folder"
        else:
            what = "does not exist"
        raise src.error(node.line, f"{path}.source", f"'{text}' {what}")
    if "calibration" not in values:
        raise src.error(
            node.line,
            f"{path}.calibration",
            "a converted model needs 'calibration:', a .npy (one input) or .npz (one array per "
            "input) of representative inputs for post-training quantization",
        )
    ctext, cnode = values["calibration"]
    calibration = _project_path(ctext, project_dir)
    if calibration.suffix not in (".npy", ".npz") or not calibration.is_file():
        what = "does not exist" if not calibration.exists() else "is not a .npy or .npz file"
        raise src.error(cnode.line, f"{path}.calibration", f"'{ctext}' {what}")
    return {
        "source": source,
        "calibration": calibration,
        "quantize": values.get("quantize", ("int8", None))[0],
    }


def _ignore_ops(setting: _Setting, src: Source) -> tuple[str, ...]:
    """Vela's --ignore-ops names: TFLite builtin op names (SOFTMAX, CONV_2D, ...)."""
    from ..tflite.schema import BUILTIN_OPERATORS as names

    for op in setting.value:
        if op not in names:
            raise src.error(
                setting.line, setting.path, f"'{op}' is not a TFLite op{S.fix(op, names)}"
            )
    return tuple(setting.value)


DATASET_SUFFIXES = (".npy", ".npz")


def _read_dataset(
    entry: tuple[Any, Node] | None, path: str, src: Source, project_dir: Path
) -> DatasetSpec | None:
    """`dataset: <path>` or `dataset: {path, labels, samples}`; the files must exist."""
    if entry is None or entry[0] is None:  # absent, or `dataset: null`
        return None
    node = entry[1]
    if isinstance(node, MapNode):
        v = S.read_section(node, S.DATASET, path, src)
        text, text_node = v["path"]
        labels, labels_node = v.get("labels", (None, None))
        samples = v.get("samples", (None, None))[0]
    else:
        text = S.convert(node, S.Field("str"), path, src)
        text_node, labels, labels_node, samples = node, None, None, None
    data = _project_path(text, project_dir)
    where = f"{path}.path" if isinstance(node, MapNode) else path
    if data.is_dir():
        if not any(p.suffix in DATASET_SUFFIXES for p in data.iterdir()):
            raise src.error(
                text_node.line, where, f"'{text}': the folder has no .npy or .npz files"
            )
    elif data.suffix not in DATASET_SUFFIXES:
        raise src.error(
            text_node.line, where, f"'{text}': not a .npy or .npz file, nor a folder of them"
        )
    elif not data.is_file():
        raise src.error(text_node.line, where, f"'{text}': file does not exist")
    labels_path = None
    if labels is not None:
        labels_path = _project_path(labels, project_dir)
        if labels_path.suffix != ".npy" or not labels_path.is_file():
            raise src.error(
                labels_node.line,
                f"{path}.labels",
                f"'{labels}': no such .npy file (labels are one class index per sample)",
            )
    return DatasetSpec(path=data, shown=text, labels=labels_path, samples=samples)


def _file_hint(path: Path, project_dir: Path) -> str:
    parent = path.parent
    if not parent.is_dir():
        return f" (folder {_display(parent, project_dir)} does not exist either)"
    candidates = sorted(p.name for p in parent.glob("*.tflite"))
    stems = {Path(c).stem: c for c in candidates}
    close = S.suggest(path.stem, tuple(stems))  # compare stems: ".tflite" matches every file
    if close:
        stem = close.split("'")[1]
        return f"; did you mean '{stems[stem]}'?"
    if candidates:
        return f" ({_display(parent, project_dir)} has: {', '.join(candidates)})"
    return f" ({_display(parent, project_dir)} has no .tflite files)"


# --- sweeps --------------------------------------------------------------------------------------


def _read_sweeps(
    node: MapNode, src: Source, models: dict[str, ModelSpec], platforms: dict[str, Platform]
) -> dict[str, Sweep]:
    sweeps: dict[str, Sweep] = {}
    for name, entry in node.value.items():
        path = f"sweeps.{name}"
        line = node.key_lines[name]
        S.check_name(entry, name, line, path, src, "sweep")
        if name == "all":
            raise src.error(line, path, "'all' is reserved (scons sweep-all runs every sweep)")
        values = S.read_section(entry, S.SWEEP, path, src, "a mapping with 'models:' and 'axes:'")
        model_names, models_node = values["models"]
        if not model_names:
            raise src.error(
                models_node.line, f"{path}.models", "empty list; name at least one model"
            )
        for i, model in enumerate(model_names):
            if model not in models:
                names = tuple(models)
                raise src.error(
                    models_node.value[i].line,
                    f"{path}.models[{i}]",
                    f"unknown model '{model}'{S.fix(model, names)}",
                )
        axes = _read_axes(values["axes"][1], f"{path}.axes", src, model_names, models, platforms)
        exclude: tuple[dict[str, str], ...] = ()
        if values.get("exclude", (None,))[0] is not None:
            exclude = _read_exclude(values["exclude"][1], f"{path}.exclude", src, axes, model_names)
        sweeps[name] = Sweep(
            name=name,
            models=model_names,
            axes=axes,
            exclude=exclude,
            source_line=line,
            description=values.get("description", (None,))[0],
        )
    return sweeps


def _read_axes(
    node: MapNode,
    path: str,
    src: Source,
    model_names: tuple[str, ...],
    models: dict[str, ModelSpec],
    platforms: dict[str, Platform],
) -> dict[str, tuple[str, ...]]:
    if not node.value:
        raise src.error(node.line, path, f"no axes; add at least one ({S.allowed(S.SWEEP_AXES)})")
    axes: dict[str, tuple[str, ...]] = {}
    for axis, vnode in node.value.items():
        apath = f"{path}.{axis}"
        if axis not in S.SWEEP_AXES:
            raise src.error(
                node.key_lines[axis],
                apath,
                f"unknown sweep axis '{axis}'{S.fix(axis, S.SWEEP_AXES)}",
            )
        values = S.convert(vnode, S.Field("str_list"), apath, src)
        if not values:
            raise src.error(vnode.line, apath, "empty list; give at least one value")
        axes[axis] = values
    # The boards this sweep can run on: its platform axis, else its models' own platforms.
    boards = [platforms[p] for p in axes.get("platform", ()) if p in platforms] or [
        platforms[models[m].platform] for m in model_names
    ]
    for axis, values in axes.items():
        seq = node.value[axis]
        assert isinstance(seq, SeqNode)
        seen: set[str] = set()
        for i, value in enumerate(values):
            vpath = f"{path}.{axis}[{i}]"
            vline = seq.value[i].line
            if value in seen:
                raise src.error(vline, vpath, f"'{value}' is listed twice")
            seen.add(value)
            problem = _axis_value_problem(axis, value, boards, platforms)
            if problem:
                raise src.error(vline, vpath, problem)
    return axes


def _axis_value_problem(
    axis: str, value: str, boards: list[Platform], platforms: dict[str, Platform]
) -> str | None:
    board_names = ", ".join(b.name for b in boards)
    if axis == "platform":
        if value in platforms:
            return None
        names = tuple(sorted(platforms))
        return f"unknown platform '{value}'{S.fix(value, names)}"
    if axis == "toolchain":
        choices = S.TOOLCHAINS
        ok = any(value in b.toolchains for b in boards)
    elif axis in ("model_location", "arena_location"):
        choices = S.LOCATIONS
        purpose = "model" if axis == "model_location" else "arena"
        ok = value == "auto" or any(
            value in b.memories and b.memories[value].can_hold(purpose) for b in boards
        )
    elif axis == "cpu_mode":
        choices = S.CPU_MODES
        ok = any(value in b.cpu_modes for b in boards)
    else:  # accelerator, memory_mode, optimise: Vela settings, for boards with an NPU
        choices = {"accelerator": S.ACCELERATORS, "memory_mode": S.MEMORY_MODES}.get(
            axis, S.OPTIMISE
        )
        ok = any(b.npu for b in boards)
        if value in choices and not ok:
            return f"no platform of this sweep has an NPU ({board_names}); {axis} is a Vela setting"
    if value not in choices:
        return f"'{value}' is not allowed{S.fix(value, choices)}"
    if not ok:
        return f"'{value}' is not available on any platform of this sweep ({board_names})"
    return None


def _read_exclude(
    node: SeqNode,
    path: str,
    src: Source,
    axes: dict[str, tuple[str, ...]],
    model_names: tuple[str, ...],
) -> tuple[dict[str, str], ...]:
    known = {**axes, "model": model_names}
    out = []
    for i, item in enumerate(node.value):
        ipath = f"{path}[{i}]"
        mapping = S.expect_map(item, ipath, src, "a mapping like {model_location: TCM}")
        if not mapping.value:
            raise src.error(mapping.line, ipath, "empty exclusion would exclude nothing")
        rule: dict[str, str] = {}
        for key, vnode in mapping.value.items():
            kpath = f"{ipath}.{key}"
            if key not in known:
                names = tuple(known)
                raise src.error(
                    mapping.key_lines[key],
                    kpath,
                    f"'{key}' is not an axis of this sweep{S.fix(key, names)}",
                )
            value = S.convert(vnode, S.Field("str"), kpath, src)
            if value not in known[key]:
                raise src.error(
                    vnode.line,
                    kpath,
                    f"'{value}' is not a value of axis '{key}'{S.fix(value, known[key])}",
                )
            rule[key] = value
        out.append(rule)
    return tuple(out)


# --- platforms -----------------------------------------------------------------------------------


def _load_platforms(project_dir: Path) -> tuple[dict[str, Platform], list[Path]]:
    folder = project_dir / "platforms"
    if not folder.is_dir():
        raise ConfigError(
            f"platforms/: folder not found in {project_dir}; each board needs platforms/<name>.yaml"
        )
    files = sorted(folder.glob("*.yaml"))
    platforms: dict[str, Platform] = {}
    for file in files:
        platform = load_platform(file, _display(file, project_dir))
        platforms[platform.name] = platform
    return platforms, files


def load_platform(path: Path, display: str | None = None) -> Platform:
    """Load one platform YAML (the board's name is the file name without .yaml)."""
    src, root = load_yaml(path, display or path.name)
    v = S.read_section(root, S.PLATFORM_FILE, "", src, "a mapping of platform settings")
    name, name_node = v["name"]
    if name != path.stem:
        raise src.error(
            name_node.line,
            "name",
            f"'{name}' does not match the file name; use name: {path.stem} (or rename the file)",
        )
    core = v["core"][0]
    fpu, float_abi, mve = v["fpu"][0], v["float_abi"][0], v["mve"][0]
    arch_flags = _arch_flags(core, fpu, float_abi, mve, v, src)

    toolchains, tc_node = v["toolchains"]
    _check_list(tc_node, toolchains, S.TOOLCHAINS, "toolchains", src)

    memories = _read_memories(v["memories"][1], src)
    cpu_modes = _read_cpu_modes(v["cpu_modes"][1], src)
    default_mode, dm_node = v["default_cpu_mode"]
    if default_mode not in cpu_modes:
        raise src.error(
            dm_node.line,
            "default_cpu_mode",
            f"'{default_mode}' is not one of this platform's cpu_modes "
            f"({S.allowed(tuple(cpu_modes))})",
        )
    transport = _read_transport(v["transport"][1], src)
    power_model, power_gpio = _read_power(v["power"][1], src)
    emulator = None
    if v.get("emulator", (None, None))[0] is not None:
        emulator, memories = _read_emulator(v["emulator"][1], src, core, memories)
    firmware = _read_firmware(v["firmware"][1], src, memories)
    boot_memory = _read_boot_memory(v.get("boot_memory"), v["memories"][1], src, memories)
    board_support = None
    if v.get("board_support", (None, None))[0] is not None:
        board_support = _read_board_support(
            v["board_support"][1], src, memories, path.resolve().parent.parent
        )
    npu = None
    if v.get("npu", (None, None))[0] is not None:
        npu = _read_npu(v["npu"][1], src, path.resolve().parent.parent)
    timing = None
    if v.get("timing", (None, None))[0] is not None:
        timing = read_timing(v["timing"][1], src, path.resolve().parent.parent, core, memories)
    pmu_events = _read_pmu(v.get("pmu"), core, src)
    return Platform(
        name=name,
        file=path,
        description=v.get("description", ("", None))[0],
        core=core,
        fpu=fpu,
        float_abi=float_abi,
        mve=mve,
        kernels=v.get("kernels", ("auto", None))[0],
        arch_flags=arch_flags,
        memories=memories,
        cpu_modes=cpu_modes,
        default_cpu_mode=default_mode,
        transport=transport,
        toolchains=toolchains,
        emulator=emulator,
        power_model=power_model,
        power_gpio=power_gpio,
        firmware=firmware,
        boot_memory=boot_memory,
        board_support=board_support,
        npu=npu,
        timing=timing,
        pmu_events=pmu_events,
    )


def _read_pmu(entry: tuple[Any, Node] | None, core: str, src: Source) -> tuple[str, ...]:
    """`pmu: {events: [...]}`: names the core's counter unit knows, each once (a list longer
    than the unit counts at once is for models with pmu_full_capture); else the defaults."""
    from ..profile.pmu_events import UNITS, event_problem

    unit = UNITS[core]
    if entry is None or entry[0] is None:
        return unit.default
    v = S.read_section(entry[1], S.PMU, "pmu", src)
    events, node = v["events"]
    if not events:
        raise src.error(node.line, "pmu.events", f"empty list; e.g. [{', '.join(unit.default)}]")
    problem = event_problem(events, unit, core, full_capture=True)
    if problem:
        index, message = problem
        raise src.error(node.value[index].line, f"pmu.events[{index}]", message)
    return events


def _read_npu(node: MapNode, src: Source, project_dir: Path) -> Npu:
    v = S.read_section(node, S.NPU, "npu", src)
    kind = v["kind"][0]
    macs, macs_node = v["macs"]
    sizes = S.NPU_KINDS[kind]
    if macs not in sizes:
        raise src.error(
            macs_node.line,
            "npu.macs",
            f"{kind} comes with {', '.join(map(str, sizes))} MACs per cycle, not {macs}",
        )
    ini, ini_node = v["vela_config"]
    if not ini.endswith(".ini") or not (project_dir / ini).is_file():
        raise src.error(
            ini_node.line,
            "npu.vela_config",
            f"'{ini}' is not a Vela .ini file (paths are relative to the project)",
        )
    template, template_node = v["system_config"]
    try:
        template.format(arena="SRAM", weights="MRAM")
    except (KeyError, IndexError, ValueError) as err:
        raise src.error(
            template_node.line,
            "npu.system_config",
            f"bad name template ({err}); use {{arena}} and {{weights}} only",
        ) from None
    mlek = None
    if "mlek" in v:
        m = S.read_section(v["mlek"][1], S.NPU_MLEK, "npu.mlek", src)
        mlek = MlekTarget(**{key: value for key, (value, _) in m.items()})
    return Npu(
        kind=kind,
        macs=macs,
        clock_hz=round(v["clock_mhz"][0] * 1_000_000),
        vela_config=ini,
        system_config=template,
        mlek=mlek,
    )


def _check_list(
    node: Node, values: tuple[str, ...], choices: tuple[str, ...], path: str, src: Source
) -> None:
    assert isinstance(node, SeqNode)
    if not values:
        raise src.error(node.line, path, f"empty list ({S.allowed(choices)})")
    seen: set[str] = set()
    for i, value in enumerate(values):
        line = node.value[i].line
        if value not in choices:
            raise src.error(
                line,
                f"{path}[{i}]",
                f"'{value}' is not allowed{S.fix(value, choices)}",
            )
        if value in seen:
            raise src.error(line, f"{path}[{i}]", f"'{value}' is listed twice")
        seen.add(value)


def _arch_flags(
    core: str, fpu: str, float_abi: str, mve: str, v: dict[str, tuple[Any, Node]], src: Source
) -> tuple[str, ...]:
    def bad(key: str, message: str) -> ConfigError:
        return src.error(v[key][1].line, key, message)

    if mve != "none" and core not in S.MVE_CORES:
        raise bad("mve", f"{core} has no MVE (Helium); use mve: none")
    if fpu == "none":
        if float_abi != "soft":
            raise bad("float_abi", "fpu: none needs float_abi: soft")
        if mve == "float":
            raise bad("mve", "MVE float needs an FPU; use mve: int or none, or an fpu")
    elif float_abi == "soft":
        raise bad("float_abi", "float_abi: soft ignores the FPU; use hard (or fpu: none)")
    mcpu = core
    if core in S.MVE_CORES:
        mcpu += {"float": "", "int": "+nomve.fp", "none": "+nomve"}[mve]
        if fpu not in ("auto", "none"):
            raise bad("fpu", f"{core} has a fixed FPU; use fpu: auto (or none)")
    if fpu == "none":
        mcpu += "+nofp"
    flags = [f"-mcpu={mcpu}", "-mthumb", f"-mfloat-abi={float_abi}"]
    if fpu not in ("auto", "none"):
        flags.append(f"-mfpu={fpu}")
    return tuple(flags)


def _named_sections(
    node: MapNode,
    src: Source,
    key: str,
    names: tuple[str, ...],
    section: dict[str, S.Field],
    plural: str,
    singular: str,
) -> Iterator[tuple[str, str, Node, dict[str, tuple[Any, Node]]]]:
    """(name, path, entry node, values) of each entry of the non-empty map `key`, one at a time:
    every name must be one of `names`, every entry a `section`."""
    if not node.value:
        raise src.error(node.line, key, f"no {plural} ({S.allowed(names)})")
    for name, entry in node.value.items():
        path = f"{key}.{name}"
        if name not in names:
            raise src.error(
                node.key_lines[name],
                path,
                f"unknown {singular} '{name}'{S.fix(name, names)}",
            )
        yield name, path, entry, S.read_section(entry, section, path, src)


def _read_memories(node: MapNode, src: Source) -> dict[str, Memory]:
    memories: dict[str, Memory] = {}
    for name, path, entry, v in _named_sections(
        node, src, "memories", S.MEMORY_NAMES, S.MEMORY, "memories", "memory"
    ):
        size_kb = v["size_kb"][0]
        pct = v.get("reserve_percent", (0, None))[0]
        reserve_kb = v.get("reserve_kb", (0, None))[0]
        holds, holds_node = v["holds"]
        _check_list(holds_node, holds, S.PURPOSES, f"{path}.holds", src)
        volatile = v.get("volatile", (name != "MRAM", None))[0]
        if not volatile and "arena" in holds:
            raise src.error(
                holds_node.line,
                f"{path}.holds",
                f"{name} is non-volatile (volatile: false) and cannot hold the arena; "
                "allowed: model, code",
            )
        # floor(raw_kb * (1 - pct/100)) in integer arithmetic (pct to 1e-6), then minus reserve_kb
        pct_micro = round(pct * 1_000_000)
        after_pct = size_kb * (100_000_000 - pct_micro) // 100_000_000
        usable_kb = after_pct - reserve_kb
        if usable_kb <= 0:
            raise src.error(
                entry.line,
                path,
                f"reserves leave nothing usable ({size_kb} KB - {pct}% - {reserve_kb} KB "
                f"= {usable_kb} KB); lower reserve_percent or reserve_kb",
            )
        limits: dict[str, int] = {}
        if "limits_kb" in v:
            lnode = v["limits_kb"][1]
            assert isinstance(lnode, MapNode)
            for purpose, pnode in lnode.value.items():
                ppath = f"{path}.limits_kb.{purpose}"
                if purpose not in holds:
                    raise src.error(
                        lnode.key_lines[purpose],
                        ppath,
                        f"'{purpose}' is not something {name} holds ({S.allowed(holds)})",
                    )
                kb = S.convert(pnode, S.Field("int", minimum=1, maximum=size_kb), ppath, src)
                limits[purpose] = kb * KIB
        memories[name] = Memory(
            name=name,
            size_bytes=size_kb * KIB,
            reserve_percent=pct,
            reserve_kb=reserve_kb,
            usable_bytes=usable_kb * KIB,
            holds=holds,
            volatile=volatile,
            limits=limits,
        )
    return memories


def _read_cpu_modes(node: MapNode, src: Source) -> dict[str, CpuMode]:
    modes: dict[str, CpuMode] = {}
    for name, _, _, v in _named_sections(
        node, src, "cpu_modes", S.CPU_MODES, S.CPU_MODE, "CPU modes", "CPU mode"
    ):
        modes[name] = CpuMode(
            name=name,
            clock_hz=round(v["clock_mhz"][0] * 1_000_000),
            power_mw=float(v["power_mw"][0]),
        )
    return modes


def _read_transport(node: MapNode, src: Source) -> Transport:
    v = S.read_section(node, S.TRANSPORT, "transport", src)
    kind = v["kind"][0]
    supported: tuple[str, ...] = (kind,)
    if "supported" in v:
        supported, snode = v["supported"]
        _check_list(snode, supported, S.TRANSPORT_KINDS, "transport.supported", src)
        if kind not in supported:
            raise src.error(
                v["kind"][1].line,
                "transport.kind",
                f"'{kind}' is not in transport.supported ({S.allowed(supported)})",
            )
    return Transport(
        kind=kind, baud=v["baud"][0], device=v.get("device", (None, None))[0], supported=supported
    )


def _read_power(node: MapNode, src: Source) -> tuple[PowerModel, PowerGpio]:
    v = S.read_section(node, S.POWER, "power", src)
    m = S.read_section(v["model"][1], S.POWER_MODEL, "power.model", src)
    js = S.read_section(v["joulescope"][1], S.JOULESCOPE, "power.joulescope", src)
    gpio = S.read_section(js["gpio"][1], S.GPIO, "power.joulescope.gpio", src)
    pins = {k: gpio[k][0] for k in ("in0", "in1", "trigger")}
    if len(set(pins.values())) != 3:
        raise src.error(
            js["gpio"][1].line, "power.joulescope.gpio", f"pins must differ, got {pins}"
        )
    return (
        PowerModel(kind=m["kind"][0], calibrated=m["calibrated"][0], source=m["source"][0]),
        PowerGpio(io_voltage=float(js["io_voltage"][0]), **pins),
    )


def _read_emulator(
    node: MapNode, src: Source, core: str, memories: dict[str, Memory]
) -> tuple[Emulator, dict[str, Memory]]:
    v = S.read_section(node, S.EMULATOR, "emulator", src)
    machine, mnode = v["machine"]
    machine_cpu, regions = S.EMULATOR_MACHINES[machine]
    cpu, cnode = v["cpu"]
    if cpu != machine_cpu:
        raise src.error(cnode.line, "emulator.cpu", f"{machine} has a {machine_cpu}, not {cpu}")
    if cpu != core:
        raise src.error(
            mnode.line,
            "emulator.machine",
            f"{machine} emulates a {cpu} but this platform's core is {core}",
        )
    map_node = v["memory_map"][1]
    assert isinstance(map_node, MapNode)
    placed: list[tuple[int, int, str, int]] = []
    out = dict(memories)
    for name, entry in map_node.value.items():
        path = f"emulator.memory_map.{name}"
        S.check_memory(name, memories, map_node.key_lines[name], path, src)
        e = S.read_section(entry, S.EMULATED_MEMORY, path, src)
        region_name, rnode = e["region"]
        region = regions.get(region_name)
        if region is None:
            names = tuple(regions)
            raise src.error(
                rnode.line,
                f"{path}.region",
                f"{machine} has no region '{region_name}'{S.fix(region_name, names)}",
            )
        base = e.get("base", (region.base, None))[0]
        size_kb, snode = e["size_kb"]
        size = size_kb * KIB
        memory = memories[name]
        if base < region.base or base + size > region.base + region.size:
            raise src.error(
                entry.line,
                path,
                f"0x{base:08x}+{size_kb} KB lies outside {region_name} "
                f"(0x{region.base:08x}, {region.size // KIB} KB)",
            )
        if size < memory.size_bytes:
            raise src.error(
                snode.line,
                f"{path}.size_kb",
                f"emulated {name} ({size_kb} KB) is smaller than the real one "
                f"({memory.size_bytes // KIB} KB); use size_kb: {memory.size_bytes // KIB} or more",
            )
        read_only = e.get("read_only", (region.read_only, None))[0]
        if region.read_only and not read_only:
            raise src.error(entry.line, f"{path}.read_only", f"{region_name} is read-only")
        if read_only and "arena" in memory.holds:
            raise src.error(entry.line, path, f"{name} holds the arena but is mapped read-only")
        for other_base, other_size, other, other_line in placed:
            if base < other_base + other_size and other_base < base + size:
                raise src.error(
                    entry.line,
                    path,
                    f"overlaps {other} (line {other_line}) in the emulator's address space",
                )
        placed.append((base, size, name, entry.line))
        out[name] = Memory(
            **{f.name: getattr(memory, f.name) for f in fields(memory)}
            | {
                "emulator_base": base,
                "emulator_size": size,
                "emulator_region": region_name,
                "emulator_read_only": read_only,
            }
        )
    emulator = Emulator(
        machine=machine,
        cpu=cpu,
        executable=v.get("executable", ("qemu-system-arm", None))[0],
        extra_args=v.get("extra_args", ((), None))[0],
    )
    return emulator, out


def _read_firmware(node: MapNode, src: Source, memories: dict[str, Memory]) -> FirmwareLayout:
    v = S.read_section(node, S.FIRMWARE, "firmware", src)
    code, code_node = v["code"]
    stack, stack_node = v["stack"]
    stack_kb, kb_node = v.get("stack_kb", (16, node))
    names = tuple(memories)
    for key, name, vnode in (("code", code, code_node), ("stack", stack, stack_node)):
        if name not in memories:
            raise src.error(
                vnode.line,
                f"firmware.{key}",
                f"this platform has no {name} memory{S.fix(name, names)}",
            )
    if not memories[code].can_hold("code"):
        able = tuple(m.name for m in memories.values() if m.can_hold("code"))
        raise src.error(
            code_node.line,
            "firmware.code",
            f"{code} does not hold code (holds: {', '.join(memories[code].holds)}); "
            f"use one with 'code' in holds ({S.allowed(able)})",
        )
    ram = memories[stack]
    if not ram.volatile or ram.emulator_read_only:
        why = "non-volatile" if not ram.volatile else "mapped read-only on the emulator"
        raise src.error(
            stack_node.line,
            "firmware.stack",
            f"{stack} is {why}; the stack, .data and .bss need RAM",
        )
    if stack_kb * KIB >= ram.size_bytes:
        raise src.error(
            kb_node.line,
            "firmware.stack_kb",
            f"{stack_kb} KB does not fit in {stack} ({ram.size_bytes // KIB} KB)",
        )
    return FirmwareLayout(code_memory=code, stack_memory=stack, stack_bytes=stack_kb * KIB)


def _read_boot_memory(
    entry: tuple[str, Node] | None, memories_node: Node, src: Source, memories: dict[str, Memory]
) -> str:
    """The memory the board boots from: non-volatile and able to hold code. Without
    `boot_memory:`, the platform's one such memory."""
    able = [m for m in memories.values() if not m.volatile and m.can_hold("code")]
    if entry is None:
        if len(able) == 1:
            return able[0].name
        if not able:
            listed = ", ".join(
                f"{m.name} ({m.size_bytes // KIB} KB, "
                f"{'volatile' if m.volatile else 'non-volatile, holds ' + ', '.join(m.holds)})"
                for m in memories.values()
            )
            raise src.error(
                memories_node.line,
                "memories",
                f"no non-volatile memory can hold the boot image (vector table, start-up code and "
                f"the load images of what runs from RAM); memories: {listed}. Add one with "
                "volatile: false and code in holds, and name it in boot_memory",
            )
        raise src.error(
            memories_node.line,
            "boot_memory",
            f"several non-volatile memories hold code ({', '.join(m.name for m in able)}); "
            "name the one the board boots from in boot_memory",
        )
    name, node = entry
    memory = memories.get(name)
    if memory is None:
        raise src.error(
            node.line,
            "boot_memory",
            f"this platform has no {name} memory{S.fix(name, tuple(memories))}",
        )
    if memory.volatile or not memory.can_hold("code"):
        if memory.volatile:
            problem = f"{name} is volatile (its contents are lost at power-up)"
        else:
            problem = f"{name} does not hold code (holds: {', '.join(memory.holds)})"
        names = tuple(m.name for m in able) or ("none on this platform",)
        raise src.error(
            node.line,
            "boot_memory",
            f"{problem}; the boot memory must be non-volatile and hold code ({S.allowed(names)})",
        )
    return name


def _read_board_support(
    node: MapNode, src: Source, memories: dict[str, Memory], project_dir: Path
) -> BoardSupport:
    v = S.read_section(node, S.BOARD_SUPPORT, "board_support", src)
    folders: dict[str, tuple[str, ...]] = {}
    for key in ("sources", "include"):
        values, vnode = v.get(key, ((), node))
        for i, folder in enumerate(values):
            if not (project_dir / folder).is_dir():
                raise src.error(
                    vnode.value[i].line,
                    f"board_support.{key}[{i}]",
                    f"'{folder}' is not a folder (paths are relative to the project)",
                )
        folders[key] = values
    if not folders["sources"]:
        raise src.error(
            v["sources"][1].line, "board_support.sources", "empty list; name the board's C folders"
        )
    flash, flash_node = v.get("flash", (None, node))
    if flash is not None:
        _check_flash_template(flash, flash_node, src)
    map_node = v["memory_map"][1]
    assert isinstance(map_node, MapNode)
    mapped: dict[str, MappedMemory] = {}
    for name, entry in map_node.value.items():
        path = f"board_support.memory_map.{name}"
        S.check_memory(name, memories, map_node.key_lines[name], path, src)
        e = S.read_section(entry, S.BOARD_MEMORY, path, src)
        base, size = e["base"][0], e["size_kb"][0] * KIB
        if base + size > 1 << 32:
            raise src.error(entry.line, path, f"0x{base:08x}+{size // KIB} KB passes 4 GB")
        for other, m in mapped.items():
            if base < m.base + m.size and m.base < base + size:
                raise src.error(entry.line, path, f"overlaps {other} in the board's address space")
        mapped[name] = MappedMemory(
            base=base,
            size=size,
            read_only=e.get("read_only", (False, None))[0],
            region=e.get("region", ("", None))[0],
        )
    return BoardSupport(
        sources=folders["sources"], include=folders["include"], flash=flash, memory_map=mapped
    )


def _check_flash_template(text: str, node: Node, src: Source) -> None:
    import string  # only platforms with board_support get here

    try:
        fields_used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as err:
        raise src.error(node.line, "board_support.flash", f"bad template: {err}") from None
    # a board from a farm (DEVICE=labgrid:...) also has {host}, {place} and {tags[NAME]}
    unknown = {f for f in fields_used if f not in ("elf", "device", "host", "place")}
    unknown -= {f for f in unknown if re.fullmatch(r"tags\[[a-z][a-z0-9_]+\]", f)}
    if unknown:
        raise src.error(
            node.line,
            "board_support.flash",
            f"unknown placeholder {{{sorted(unknown)[0]}}}; use {{elf}} for the firmware image "
            "and {device} for the serial port (on a farm also {host}, {place} and "
            "{tags[NAME]} for a place tag)",
        )
    if "elf" not in fields_used:
        raise src.error(
            node.line, "board_support.flash", "the command never names the image; add {elf}"
        )
