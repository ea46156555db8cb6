"""Our QEMU TCG plugin (emulator/plugin/): per profiled layer, the executed instructions by class,
the beats of the Helium instructions, and per region of the platform's map the memory accesses,
the instruction fetches and (with a data cache) its line fills and write-backs.

    counts = run_with_plugin(platform, "smoke.elf", "counts.json")     # an app that exits
    platform = with_plugin(platform, "validator.elf", "counts.json")  # for a profile session
    ... profile as usual, then: read_counts("counts.json")
    run_with_plugin(..., data_cache=DataCache(65536, 4, 32, ("SRAM",)))  # timing.model.DataCache

Layers are the windows the firmware's layer hook times (firmware/rpc/src/board.c,
`profile_hook`): the plugin opens a layer at the first read of the board's counter register
after the hook is entered and closes it at the next, so the firmware runs unchanged and its
counts are the ones the profile reports. The library is built by scripts/build-qemu-plugin.sh
against the plugin header of exactly the installed QEMU version.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import AutodeployError
from ..firmware.elf import read_elf
from ..home import tool_root
from ..timing.model import DataCache
from .emulator import boot_arguments

LAYER_HOOK = "profile_hook"
#: The register whose read samples the time in bsp_counter() (firmware/board/*/board.c).
COUNTER_REGISTER = {"mps3-an547": 0x48101000, "mps2-an386": 0x40000004}
BUILD_SCRIPT = "scripts/build-qemu-plugin.sh"
#: Per memory region, in the order of the plugin's arrays.
TRAFFIC = (
    "reads", "read_bytes", "writes", "write_bytes", "fetches", "fetch_bytes", "refills",
    "writebacks",
)  # fmt: skip
MVE_CLASSES = ("mve_load", "mve_store", "mve_mac", "mve_mul", "mve_other")
LOAD_CLASSES = ("load8", "load16", "load32", "load64", "loadm", "fp_load", "mve_load")
STORE_CLASSES = ("store8", "store16", "store32", "store64", "storem", "fp_store", "mve_store")


class PluginError(AutodeployError):
    """The plugin is not built, or its counts are missing or malformed."""


@dataclass(frozen=True)
class Counts:
    """One window of execution: instructions per class, taken branches, the beats of the
    executed Helium instructions and how many of those instructions directly follow one of the
    other group (memory or not) in the same translated block (the pairs a dual-beat core
    overlaps), and per memory region (the platform's memory names, plus "other") the keys of
    TRAFFIC: data reads and writes (count, bytes), instruction fetches (count, bytes), and the
    data cache's line fills and dirty-line evictions (0 without a cache)."""

    classes: dict[str, int]
    taken_branches: int
    mve_beats: int
    mve_overlapped: int
    mve_chained: int  # Helium instructions right after one of the same group (same block)
    memory: dict[str, dict[str, int]]

    @property
    def instructions(self) -> int:
        return sum(self.classes.values())

    @property
    def mve_instructions(self) -> int:
        return sum(self.classes[name] for name in MVE_CLASSES)

    @property
    def loads(self) -> int:
        """Load instructions: scalar, FP and Helium (an LDM or a VLDM counts once)."""
        return sum(self.classes[name] for name in LOAD_CLASSES)

    @property
    def stores(self) -> int:
        """Store instructions: scalar, FP and Helium (an STM or a VSTM counts once)."""
        return sum(self.classes[name] for name in STORE_CLASSES)


@dataclass(frozen=True)
class PluginCounts:
    outside: Counts  # everything outside layer windows: boot, the link, the hooks themselves
    layers: tuple[Counts, ...]  # every layer window in execution order, over all invokes

    @property
    def instructions(self) -> int:
        return self.outside.instructions + sum(layer.instructions for layer in self.layers)


def installed_qemu_version() -> str:
    """The Debian source version of the installed qemu-system-arm (the header's version)."""
    try:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${source:Version}", "qemu-system-arm"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError) as err:
        raise PluginError(f"cannot tell the installed qemu-system-arm version: {err}") from None
    return result.stdout.strip()


def plugin_library() -> Path:
    """The built plugin for the installed QEMU, or a PluginError saying how to build it."""
    folder = tool_root() / ".tools" / "qemu-plugin" / installed_qemu_version().replace(":", "_")
    library = folder / "libadprof.so"
    if not library.is_file():
        raise PluginError(
            f"the QEMU plugin {library} is not built: run {BUILD_SCRIPT} (it fetches the plugin "
            "header of the installed QEMU from Debian's source package), or profile without the "
            "cycle estimate: scons <target> CYCLE_ESTIMATE=off"
        )
    return library


def _cache_arguments(platform, cache: DataCache, mapped: set[str]) -> list[str]:
    """The dcache= and cached= options for `cache`, or a PluginError saying what is wrong."""
    problem = cache.geometry_problem()
    if problem:
        raise PluginError(f"data cache: {problem}")
    if not cache.memories:
        raise PluginError("the data cache caches no memory: name at least one in its memories")
    for name in cache.memories:
        if name not in mapped:
            raise PluginError(
                f"the data cache's memory {name!r} is not a memory of platform "
                f"{platform.name!r} mapped in its emulator (those are: {', '.join(sorted(mapped))})"
            )
    return [f"dcache={cache.size_bytes}:{cache.ways}:{cache.line_bytes}"] + [
        f"cached={name}" for name in cache.memories
    ]


def plugin_arguments(
    platform,
    elf: str | os.PathLike,
    out: str | os.PathLike,
    *,
    data_cache: DataCache | None = None,
    hook: str = LAYER_HOOK,
    boundaries: int = 1,
) -> list[str]:
    """QEMU arguments that load the plugin for `elf` on `platform`'s emulator, writing to `out`,
    with `data_cache` simulated if given. Its windows: the first `boundaries` counter reads
    after each entry into `hook` (a function of the ELF) are window edges (the layer hook: 1 per
    entry; a function that times a window itself, like the power app's measure(): 2)."""
    options = [f"out={Path(out).resolve()}"]
    mapped = {
        name for name, memory in platform.memories.items() if memory.emulator_base is not None
    }
    for name, memory in platform.memories.items():
        if name in mapped:
            options.append(f"region={name}:0x{memory.emulator_base:x}:0x{memory.emulator_size:x}")
    if data_cache is not None:
        options += _cache_arguments(platform, data_cache, mapped)
    entry = read_elf(elf).symbols.get(hook)
    machine = platform.emulator.machine
    if entry is not None and machine in COUNTER_REGISTER:
        options += [f"hook=0x{entry.value:x}", f"counter=0x{COUNTER_REGISTER[machine]:x}"]
        options.append(f"boundaries={boundaries}")
    return ["-plugin", f"{plugin_library()},{','.join(options)}"]


def with_plugin(platform, elf: str | os.PathLike, out: str | os.PathLike, **options):
    """`platform` with an emulator that runs the plugin (for autodeploy.board.Emulator);
    `options`: plugin_arguments' keywords (data_cache, hook, boundaries)."""
    emulator = platform.emulator
    arguments = plugin_arguments(platform, elf, out, **options)
    extra = (*emulator.extra_args, *arguments)
    return dataclasses.replace(platform, emulator=dataclasses.replace(emulator, extra_args=extra))


def run_with_plugin(
    platform,
    elf: str | os.PathLike,
    out: str | os.PathLike,
    timeout_s: float = 120,
    *,
    data_cache: DataCache | None = None,
) -> PluginCounts:
    """Runs an app that exits by itself (semihosting) under the plugin; returns its counts."""
    emulator = platform.emulator
    with tempfile.TemporaryDirectory(prefix="autodeploy-plugin-") as folder:
        command = [
            emulator.executable, "-M", emulator.machine, "-nographic", "-monitor", "none",
            *boot_arguments(platform, elf, folder), "-icount", "shift=0",
            "-semihosting-config", "enable=on,target=native", "-serial", "null",
            *emulator.extra_args, *plugin_arguments(platform, elf, out, data_cache=data_cache),
        ]  # fmt: skip
        Path(out).unlink(missing_ok=True)
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
    if result.returncode != 0:
        raise PluginError(
            f"{elf} under the plugin ended with exit code {result.returncode}:\n"
            f"{(result.stdout + result.stderr)[-2000:]}"
        )
    return read_counts(out)


def _counts(bucket: dict) -> Counts:
    memory = {
        name: dict(zip(TRAFFIC, values, strict=True)) for name, values in bucket["memory"].items()
    }
    return Counts(
        dict(bucket["classes"]),
        bucket["taken_branches"],
        bucket["mve_beats"],
        bucket["mve_overlapped"],
        bucket["mve_chained"],
        memory,
    )


def read_counts(path: str | os.PathLike) -> PluginCounts:
    """The plugin's output file: bucket 0 is outside layers, the others are layer windows."""
    try:
        buckets = json.loads(Path(path).read_text())["buckets"]
        return PluginCounts(_counts(buckets[0]), tuple(_counts(b) for b in buckets[1:]))
    except FileNotFoundError:
        raise PluginError(f"the QEMU plugin wrote no counts to {path} (did QEMU start?)") from None
    except (ValueError, KeyError, IndexError, TypeError) as err:
        raise PluginError(f"the QEMU plugin's counts in {path} are malformed: {err}") from None
