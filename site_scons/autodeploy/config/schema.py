"""Field specs for models.yaml and platforms/*.yaml, and the checks that apply them to nodes.

Each section of a file is a dict `key -> Field`. `read_section` checks a mapping node against it
(unknown keys with a "did you mean" suggestion, missing required keys, types, allowed values,
ranges) and returns the validated Python values together with their nodes, so that later
cross-checks (platform exists, location exists on the board, ...) can still point at a line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .yaml_source import MapNode, Node, ScalarNode, SeqNode, Source

# ---------------------------------------------------------------------------------------------
# Vocabularies

#: Where a model's weights or its tensor arena can be placed. `auto` applies the reference rule.
LOCATIONS = ("auto", "TCM", "SRAM", "MRAM", "PSRAM", "OSPI")
#: Memories a platform may declare. TCM is the data TCM (DTCM); ITCM holds code only; OSPI is
#: external octal-SPI flash (read-only, weights only).
MEMORY_NAMES = ("TCM", "SRAM", "MRAM", "PSRAM", "ITCM", "OSPI")
#: What a memory may hold.
PURPOSES = ("model", "arena", "code")
TOOLCHAINS = ("gcc", "clang", "armclang")
CPU_MODES = ("LP", "HP")
TRANSPORT_KINDS = ("uart", "usb")
#: Cores QEMU can emulate and our flags know. MVE exists only on the M55 here.
CORES = ("cortex-m4", "cortex-m7", "cortex-m33", "cortex-m55")
MVE_CORES = ("cortex-m55",)
KERNEL_SETS = ("auto", "portable")
MVE_KINDS = ("none", "int", "float")
FLOAT_ABIS = ("hard", "softfp", "soft")
#: FPU per core: "auto" lets -mcpu pick the core's FPU; "none" means no FPU (soft float).
FPUS = ("auto", "none", "fpv4-sp-d16", "fpv5-sp-d16", "fpv5-d16")
POWER_MODEL_KINDS = ("constant_active_power",)
#: Arm Ethos-U NPUs and the MACs per cycle each comes in (Vela's --accelerator-config values are
#: "<kind>-<macs>").
NPU_KINDS = {
    "ethos-u55": (32, 64, 128, 256),
    "ethos-u65": (256, 512),
    "ethos-u85": (128, 256, 512, 1024, 2048),
}
ACCELERATORS = ("auto", *(f"{kind}-{macs}" for kind, sizes in NPU_KINDS.items() for macs in sizes))
#: Vela memory modes our system configs support: weights on the flash port (Shared_Sram) or in
#: the arena's RAM (Sram_Only). `auto` follows the model's placement.
MEMORY_MODES = ("auto", "Shared_Sram", "Sram_Only")
OPTIMISE = ("Performance", "Size")
#: Dimensions a sweep may vary.
SWEEP_AXES = (
    "platform",
    "toolchain",
    "model_location",
    "arena_location",
    "cpu_mode",
    "accelerator",
    "memory_mode",
    "optimise",
)


@dataclass(frozen=True)
class MachineRegion:
    """A RAM/ROM region of an emulated machine, as seen in QEMU 7.2's `info mtree`."""

    base: int
    size: int
    read_only: bool = False


KB = 1024
MB = 1024 * 1024

#: QEMU machines we can run on, with their CPU and memory regions (checked with `info mtree`
#: in QEMU 7.2; see platforms/*.yaml for the notes).
EMULATOR_MACHINES: dict[str, tuple[str, dict[str, MachineRegion]]] = {
    "mps3-an547": (
        "cortex-m55",
        {
            "ITCM": MachineRegion(0x00000000, 512 * KB),
            "FPGA_SRAM": MachineRegion(0x01000000, 2 * MB),
            "DTCM": MachineRegion(0x20000000, 512 * KB),
            "ISRAM": MachineRegion(0x21000000, 4 * MB),
            "QSPI": MachineRegion(0x28000000, 8 * MB, read_only=True),
            "DDR": MachineRegion(0x60000000, 2048 * MB),
        },
    ),
    "mps2-an386": (
        "cortex-m4",
        {
            "SSRAM1": MachineRegion(0x00000000, 4 * MB),
            "BLOCKRAM": MachineRegion(0x01000000, 16 * KB),
            "SSRAM23": MachineRegion(0x20000000, 4 * MB),
            "PSRAM": MachineRegion(0x21000000, 16 * MB),
        },
    ),
}

_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMG]?)(I?B)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "K": KB, "M": MB, "G": 1024 * MB}


# ---------------------------------------------------------------------------------------------
# Field specs


@dataclass(frozen=True)
class Field:
    """One key of a YAML mapping.

    kind: str | name (identifier) | int | number | bool | size (bytes; int or "64KB") |
          map | list | str_list | node (any value; the caller checks it).
    """

    kind: str
    required: bool = False
    choices: tuple[str, ...] | None = None
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    doc: str = ""


_MODEL_SETTINGS: dict[str, Field] = {
    "platform": Field("name", doc="board: the name of a file in platforms/ (without .yaml)"),
    "toolchain": Field("str", choices=TOOLCHAINS, doc="compiler used for the firmware"),
    "model_location": Field("str", choices=LOCATIONS, doc="memory for the model weights"),
    "arena_location": Field("str", choices=LOCATIONS, doc="memory for the tensor arena"),
    "max_arena_size": Field(
        "size", nullable=True, minimum=1, doc="upper bound on the arena (bytes or e.g. '64KB')"
    ),
    "runs": Field("int", minimum=1, maximum=1_000_000, doc="inferences per validation run"),
    "runs_power": Field(
        "int", minimum=1, maximum=1_000_000, doc="inferences per CPU mode in a power run"
    ),
    "seed": Field("int", minimum=0, maximum=2**32 - 1, doc="seed for the random test inputs"),
    "cpu_mode": Field("str", choices=CPU_MODES, doc="CPU clock mode for profiling"),
    "accelerator": Field(
        "str", choices=ACCELERATORS, doc="Ethos-U NPU for Vela (auto: the platform's npu)"
    ),
    "memory_mode": Field(
        "str", choices=MEMORY_MODES, doc="Vela memory mode (auto: follows model_location)"
    ),
    "optimise": Field("str", choices=OPTIMISE, doc="Vela's --optimise"),
    "vela_ignore_ops": Field(
        "str_list", doc="ops Vela leaves on the CPU (its --ignore-ops), e.g. [SOFTMAX]"
    ),
    "pmu_events": Field(
        "str_list",
        nullable=True,
        doc="core counter events read per layer on a board (default: the platform's pmu.events)",
    ),
    "pmu_full_capture": Field(
        "bool", doc="repeat the profiled invoke until every pmu_events entry has been counted"
    ),
}

MODELS_FILE: dict[str, Field] = {
    "defaults": Field("map", nullable=True, doc="settings every model gets unless it sets its own"),
    "models": Field("map", required=True, nullable=True, doc="name -> model entry"),
    "sweeps": Field(
        "map", nullable=True, doc="name -> sweep over platforms, toolchains, placements, modes"
    ),
}
DEFAULTS: dict[str, Field] = dict(_MODEL_SETTINGS)
MODEL: dict[str, Field] = {
    "tflite": Field("str", doc="path of the .tflite (relative to the project)"),
    "source": Field(
        "str", doc="a float model to convert: .keras, .h5, a SavedModel folder or .onnx"
    ),
    "calibration": Field("str", doc="representative inputs for quantization: .npy or .npz"),
    "quantize": Field("str", choices=("int8", "16x8"), doc="int8 (default) or 16x8 activations"),
    **_MODEL_SETTINGS,
    "dataset": Field(
        "node", nullable=True, doc="real inputs: a .npy/.npz file or folder, or {path, labels}"
    ),
}
#: `dataset:` written as a mapping (the short form is the path alone).
DATASET: dict[str, Field] = {
    "path": Field("str", required=True, doc="a .npy or .npz file, or a folder of them"),
    "labels": Field("str", nullable=True, doc="a .npy of class indices, one per sample"),
    "samples": Field("int", nullable=True, minimum=1, doc="use only the first N samples"),
}
SWEEP: dict[str, Field] = {
    "description": Field("str"),
    "models": Field("str_list", required=True, doc="model names the sweep runs"),
    "axes": Field("map", required=True, doc="axis -> list of values"),
    "exclude": Field("list", nullable=True, doc="combinations to skip: list of {axis: value}"),
}
#: Built-in values for settings neither the model nor `defaults:` sets. None for platform means
#: "required"; None for toolchain/cpu_mode means "the platform's first toolchain / default mode".
BUILTIN_DEFAULTS: dict[str, Any] = {
    "platform": None,
    "toolchain": None,
    "model_location": "auto",
    "arena_location": "auto",
    "max_arena_size": None,
    "runs": 10,
    "runs_power": 200,
    "seed": 42,
    "cpu_mode": None,
    "accelerator": "auto",
    "memory_mode": "auto",
    "optimise": "Performance",
    "vela_ignore_ops": (),
    "pmu_events": None,
    "pmu_full_capture": False,
}

PLATFORM_FILE: dict[str, Field] = {
    "name": Field("name", required=True, doc="must equal the file name without .yaml"),
    "description": Field("str"),
    "core": Field("str", required=True, choices=CORES),
    "fpu": Field("str", required=True, choices=FPUS),
    "float_abi": Field("str", required=True, choices=FLOAT_ABIS),
    "mve": Field("str", required=True, choices=MVE_KINDS),
    "kernels": Field(
        "str", choices=KERNEL_SETS, doc="auto (the core's fastest) | portable (plain C only)"
    ),
    "toolchains": Field("str_list", required=True),
    "memories": Field("map", required=True),
    "cpu_modes": Field("map", required=True),
    "default_cpu_mode": Field("str", required=True, choices=CPU_MODES),
    "transport": Field("map", required=True),
    "power": Field("map", required=True),
    "emulator": Field("map", nullable=True),
    "firmware": Field("map", required=True, doc="{code: <memory>, stack: <memory>, stack_kb: 16}"),
    "boot_memory": Field(
        "str",
        choices=MEMORY_NAMES,
        doc="the non-volatile memory the board boots from (default: the one that holds code)",
    ),
    "board_support": Field("map", nullable=True, doc="C sources, flash command and memory map"),
    "npu": Field("map", nullable=True, doc="{kind, macs, clock_mhz, vela_config, system_config}"),
    "timing": Field(
        "map", nullable=True, doc="the cycle estimate's memory costs and data cache (README)"
    ),
    "pmu": Field("map", nullable=True, doc="{events: [...]}: core counter events read per layer"),
}
PMU: dict[str, Field] = {
    "events": Field(
        "str_list", required=True, doc="event names (autodeploy/profile/pmu_events.py)"
    ),
}
NPU: dict[str, Field] = {
    "kind": Field("str", required=True, choices=tuple(NPU_KINDS)),
    "macs": Field("int", required=True, doc="MACs per cycle (its configuration, e.g. 256)"),
    "clock_mhz": Field("number", required=True, minimum=1, maximum=2000),
    "vela_config": Field("str", required=True, doc="Vela .ini file (relative to the project)"),
    "system_config": Field(
        "str",
        required=True,
        doc="Vela system config name; {arena} and {weights} become the memories holding them",
    ),
    "mlek": Field("map", doc="{target_platform, target_subsystem, linker_script} of the MLEK"),
}
NPU_MLEK: dict[str, Field] = {
    "target_platform": Field("str", required=True, doc="the kit's TARGET_PLATFORM, e.g. alif"),
    "target_subsystem": Field("str", required=True, doc="its TARGET_SUBSYSTEM, e.g. RTSS-HP"),
    "linker_script": Field("str", required=True, doc="its LINKER_SCRIPT_NAME"),
}
MEMORY: dict[str, Field] = {
    "size_kb": Field("int", required=True, minimum=1),
    "reserve_percent": Field("number", minimum=0, maximum=100),
    "reserve_kb": Field("int", minimum=0),
    "holds": Field("str_list", required=True),
    "volatile": Field("bool"),
    "limits_kb": Field("map", doc="per-purpose caps, e.g. {model: 20000, arena: 12000}"),
}
CPU_MODE: dict[str, Field] = {
    "clock_mhz": Field("number", required=True, minimum=1, maximum=2000),
    "power_mw": Field("number", required=True, minimum=0),
}
TRANSPORT: dict[str, Field] = {
    "kind": Field("str", required=True, choices=TRANSPORT_KINDS),
    "supported": Field("str_list"),
    "baud": Field("int", required=True, minimum=300),
    "device": Field("str", nullable=True),
}
POWER: dict[str, Field] = {
    "model": Field("map", required=True),
    "joulescope": Field("map", required=True),
}
POWER_MODEL: dict[str, Field] = {
    "kind": Field("str", required=True, choices=POWER_MODEL_KINDS),
    "calibrated": Field("bool", required=True),
    "source": Field("str", required=True),
}
JOULESCOPE: dict[str, Field] = {
    "io_voltage": Field("number", required=True, minimum=0.5, maximum=5.0),
    "gpio": Field("map", required=True),
}
GPIO: dict[str, Field] = {
    "in0": Field("int", required=True, minimum=0, maximum=255),
    "in1": Field("int", required=True, minimum=0, maximum=255),
    "trigger": Field("int", required=True, minimum=0, maximum=255),
}
EMULATOR: dict[str, Field] = {
    "machine": Field("str", required=True, choices=tuple(EMULATOR_MACHINES)),
    "cpu": Field("str", required=True, choices=CORES),
    "executable": Field("str"),
    "extra_args": Field("str_list"),
    "memory_map": Field("map", required=True),
}
FIRMWARE: dict[str, Field] = {
    "code": Field(
        "str", required=True, choices=MEMORY_NAMES, doc="memory for code, vectors and constants"
    ),
    "stack": Field("str", required=True, choices=MEMORY_NAMES, doc="RAM for stack, .data, .bss"),
    "stack_kb": Field("int", minimum=1, maximum=1024, doc="main stack size in KB (default 16)"),
}
BOARD_SUPPORT: dict[str, Field] = {
    "sources": Field("str_list", required=True, doc="folders of C implementing bsp.h + startup"),
    "include": Field("str_list", doc="extra include folders for the board's sources"),
    "flash": Field(
        "str", nullable=True, doc="command that flashes {elf} ({device}: the serial port)"
    ),
    "memory_map": Field("map", required=True, doc="memory -> {base, size_kb} on the real board"),
}
BOARD_MEMORY: dict[str, Field] = {
    "region": Field("str", doc="the board's name for it (documentation only)"),
    "base": Field("int", required=True, minimum=0, maximum=0xFFFFFFFF),
    "size_kb": Field("int", required=True, minimum=1),
    "read_only": Field("bool"),
}
EMULATED_MEMORY: dict[str, Field] = {
    "region": Field("str", required=True),
    "base": Field("int", minimum=0, maximum=0xFFFFFFFF),
    "size_kb": Field("int", required=True, minimum=1),
    "read_only": Field("bool"),
}

# The cycle estimate's model (autodeploy.timing): a platform's `timing:` section and the core
# files in platforms/cores/.
TIMING: dict[str, Field] = {
    "data_cache": Field("map", nullable=True, doc="{size_kb, ways, line_bytes, memories, source}"),
    "memories": Field("map", required=True, doc="memory -> {cycles, ns, source}"),
}
DATA_CACHE: dict[str, Field] = {
    "size_kb": Field("int", required=True, minimum=1),
    "ways": Field("int", required=True, minimum=1, maximum=64),
    "line_bytes": Field("int", required=True, minimum=4, maximum=1024),
    "memories": Field("str_list", required=True, doc="the memories whose data it caches"),
    "source": Field("str", required=True),
}
MEMORY_COST: dict[str, Field] = {
    "cycles": Field("int", required=True, minimum=0, maximum=10_000),
    "ns": Field("number", required=True, minimum=0, maximum=100_000),
    "source": Field("str", required=True),
}
CORE_TIMING: dict[str, Field] = {
    "core": Field("str", required=True, choices=CORES),
    "classes": Field("map", required=True, doc="plugin class -> {cycles, source}"),
    "taken_branch": Field("map", required=True, doc="{cycles, source}: added per taken branch"),
    "helium": Field("map", doc="{beats_per_cycle, overlap_saving, chain_saving} (MVE cores)"),
}
CLASS_COST: dict[str, Field] = {
    "cycles": Field("number", required=True, minimum=0, maximum=1000),
    "source": Field("str", required=True),
}
HELIUM_TIMING: dict[str, Field] = {
    "beats_per_cycle": Field("map", required=True, doc="{value, source}"),
    "overlap_saving": Field("map", required=True, doc="{cycles, source}"),
    "chain_saving": Field("map", required=True, doc="{cycles, source}"),
}
HELIUM_VALUE: dict[str, Field] = {
    "value": Field("number", required=True, minimum=1, maximum=8),
    "source": Field("str", required=True),
}


# ---------------------------------------------------------------------------------------------
# Checks


def suggest(value: object, choices: tuple[str, ...] | list[str]) -> str:
    """' did you mean 'X'?' for the closest choice, or '' when nothing is close."""
    if not isinstance(value, str) or not choices:
        return ""
    for choice in choices:  # a case slip is the commonest mistake ("sram" for "SRAM")
        if choice.lower() == value.lower():
            return f" did you mean '{choice}'?"
    import difflib  # only on the error path: keeps the happy path's imports small

    lowered = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    return f" did you mean '{lowered[close[0]]}'?" if close else ""


def check_memory(name: str, memories, line: int, path: str, src: Source) -> None:
    """A ConfigError at `path` unless `name` is one of the platform's `memories`."""
    if name not in memories:
        names = tuple(memories)
        raise src.error(line, path, f"'{name}' is not a memory of this platform{fix(name, names)}")


def fix(value: object, choices: tuple[str, ...] | list[str]) -> str:
    """'; did you mean 'X'? (allowed: ...)' or ' (allowed: ...)' to end an error message."""
    close = suggest(value, choices)
    return f";{close} ({allowed(choices)})" if close else f" ({allowed(choices)})"


def allowed(choices: tuple[str, ...] | list[str]) -> str:
    return "allowed: " + ", ".join(str(c) for c in choices)


def describe(node: Node) -> str:
    """How a value reads in an error message."""
    if isinstance(node, MapNode):
        return "a mapping"
    if isinstance(node, SeqNode):
        return "a list"
    value = node.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{value}'"
    return f"a {type(value).__name__} value ({value})"


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def expect_map(node: Node, path: str, src: Source, what: str = "a mapping") -> MapNode:
    if not isinstance(node, MapNode):
        where = path or "<top level>"
        raise src.error(
            node.line, where, f"expected {what} (key: value lines), got {describe(node)}"
        )
    return node


def check_name(node: Node, key: str, line: int, path: str, src: Source, what: str) -> None:
    if not _NAME_RE.match(key):
        raise src.error(
            line,
            path,
            f"invalid {what} name '{key}': use letters, digits and '_' and start with a letter",
        )


def read_section(
    node: Node, fields: dict[str, Field], path: str, src: Source, what: str = "a mapping"
) -> dict[str, tuple[Any, Node]]:
    """Validate a mapping against `fields`; return key -> (python value, node) for present keys.

    For kind map/list the value is the node itself (the caller descends into it).
    """
    mapping = expect_map(node, path, src, what)
    out: dict[str, tuple[Any, Node]] = {}
    for key, child in mapping.value.items():
        key_path = join(path, key)
        field = fields.get(key)
        if field is None:
            names = tuple(fields)
            raise src.error(
                mapping.key_lines.get(key, child.line),
                key_path,
                f"unknown key '{key}'{fix(key, names)}",
            )
        out[key] = (convert(child, field, key_path, src), child)
    for key, field in fields.items():
        if field.required and key not in out:
            where = path or "<top level>"
            raise src.error(
                mapping.line,
                where,
                f"missing required key '{key}'" + (f" ({field.doc})" if field.doc else ""),
            )
    return out


def convert(node: Node, field: Field, path: str, src: Source) -> Any:
    """Check one node against its field spec and return its Python value."""
    value = node.value
    if value is None and isinstance(node, ScalarNode):
        if field.nullable:
            return None
        raise src.error(node.line, path, f"a value is required here, got null{_choices(field)}")
    kind = field.kind
    if kind == "node":
        return node
    if kind == "map":
        return expect_map(node, path, src)
    if kind == "list":
        if not isinstance(node, SeqNode):
            raise src.error(node.line, path, f"expected a list, got {describe(node)}")
        return node
    if kind == "str_list":
        if not isinstance(node, SeqNode):
            raise src.error(
                node.line, path, f"expected a list of names like [a, b], got {describe(node)}"
            )
        items = []
        for i, item in enumerate(node.value):
            if not isinstance(item, ScalarNode) or not isinstance(item.value, str):
                raise src.error(item.line, f"{path}[{i}]", f"expected a name, got {describe(item)}")
            items.append(item.value)
        return tuple(items)
    if not isinstance(node, ScalarNode):
        raise src.error(node.line, path, f"expected {_kind_text(kind)}, got {describe(node)}")
    if kind in ("str", "name"):
        if not isinstance(value, str):
            raise src.error(
                node.line,
                path,
                f"expected {_kind_text(kind)}, got {describe(node)}{_choices(field)}"
                + ("; quote it to make it text" if isinstance(value, bool | int | float) else ""),
            )
        if kind == "name":
            check_name(node, value, node.line, path, src, "platform")
        if field.choices is not None and value not in field.choices:
            raise src.error(
                node.line,
                path,
                f"'{value}' is not allowed{fix(value, field.choices)}",
            )
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise src.error(node.line, path, f"expected true or false, got {describe(node)}")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise src.error(node.line, path, f"expected an integer, got {describe(node)}")
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise src.error(node.line, path, f"expected a number, got {describe(node)}")
    elif kind == "size":
        value = _size(node, path, src)
    else:  # pragma: no cover - a typo in the specs above
        raise AssertionError(f"unknown field kind {kind}")
    if field.minimum is not None and value < field.minimum:
        raise src.error(node.line, path, f"{value} is too small (minimum {_limit(field.minimum)})")
    if field.maximum is not None and value > field.maximum:
        raise src.error(node.line, path, f"{value} is too large (maximum {_limit(field.maximum)})")
    return value


def _size(node: Node, path: str, src: Source) -> int:
    value = node.value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        match = _SIZE_RE.match(value)
        if match:
            number = float(match.group(1)) * _SIZE_UNITS[match.group(2).upper()]
            if number == int(number):
                return int(number)
    raise src.error(
        node.line,
        path,
        f"expected a size in bytes (an integer, or text like '64KB' or '1.5MB'), "
        f"got {describe(node)}",
    )


def _kind_text(kind: str) -> str:
    return {
        "str": "text",
        "name": "a name",
        "int": "an integer",
        "number": "a number",
        "bool": "true or false",
        "size": "a size",
    }.get(kind, kind)


def _choices(field: Field) -> str:
    return f" ({allowed(field.choices)})" if field.choices else ""


def _limit(bound: float) -> str:
    """A bound as the user would type it: 4294967295, not 4.29497e+09."""
    return str(int(bound)) if float(bound).is_integer() else f"{bound:g}"
