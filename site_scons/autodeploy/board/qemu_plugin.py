"""Our QEMU TCG plugin (emulator/plugin/): per profiled layer, the executed instructions by class
and the memory accesses per region of the platform's map.

    counts = run_with_plugin(platform, "smoke.elf", "counts.json")     # an app that exits
    platform = with_plugin(platform, "validator.elf", "counts.json")  # for a profile session
    ... profile as usual, then: read_counts("counts.json")

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
from .emulator import boot_arguments

LAYER_HOOK = "profile_hook"
#: The register whose read samples the time in bsp_counter() (firmware/board/*/board.c).
COUNTER_REGISTER = {"mps3-an547": 0x48101000, "mps2-an386": 0x40000004}
BUILD_SCRIPT = "scripts/build-qemu-plugin.sh"
TRAFFIC = ("reads", "read_bytes", "writes", "write_bytes")


class PluginError(AutodeployError):
    """The plugin is not built, or its counts are missing or malformed."""


@dataclass(frozen=True)
class Counts:
    """One window of execution: instructions per class, taken branches, and per memory region
    (the platform's memory names, plus "other") reads, read bytes, writes and write bytes."""

    classes: dict[str, int]
    taken_branches: int
    memory: dict[str, dict[str, int]]

    @property
    def instructions(self) -> int:
        return sum(self.classes.values())


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
            "header of the installed QEMU from Debian's source package)"
        )
    return library


def plugin_arguments(platform, elf: str | os.PathLike, out: str | os.PathLike) -> list[str]:
    """QEMU arguments that load the plugin for `elf` on `platform`'s emulator, writing to `out`."""
    options = [f"out={Path(out).resolve()}"]
    for name, memory in platform.memories.items():
        if memory.emulator_base is not None:
            options.append(f"region={name}:0x{memory.emulator_base:x}:0x{memory.emulator_size:x}")
    hook = read_elf(elf).symbols.get(LAYER_HOOK)
    machine = platform.emulator.machine
    if hook is not None and machine in COUNTER_REGISTER:
        options += [f"hook=0x{hook.value:x}", f"counter=0x{COUNTER_REGISTER[machine]:x}"]
    return ["-plugin", f"{plugin_library()},{','.join(options)}"]


def with_plugin(platform, elf: str | os.PathLike, out: str | os.PathLike):
    """`platform` with an emulator that runs the plugin (for autodeploy.board.Emulator)."""
    emulator = platform.emulator
    extra = (*emulator.extra_args, *plugin_arguments(platform, elf, out))
    return dataclasses.replace(platform, emulator=dataclasses.replace(emulator, extra_args=extra))


def run_with_plugin(
    platform, elf: str | os.PathLike, out: str | os.PathLike, timeout_s: float = 120
) -> PluginCounts:
    """Runs an app that exits by itself (semihosting) under the plugin; returns its counts."""
    emulator = platform.emulator
    with tempfile.TemporaryDirectory(prefix="autodeploy-plugin-") as folder:
        command = [
            emulator.executable, "-M", emulator.machine, "-nographic", "-monitor", "none",
            *boot_arguments(platform, elf, folder), "-icount", "shift=0",
            "-semihosting-config", "enable=on,target=native", "-serial", "null",
            *emulator.extra_args, *plugin_arguments(platform, elf, out),
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
    return Counts(dict(bucket["classes"]), bucket["taken_branches"], memory)


def read_counts(path: str | os.PathLike) -> PluginCounts:
    """The plugin's output file: bucket 0 is outside layers, the others are layer windows."""
    try:
        buckets = json.loads(Path(path).read_text())["buckets"]
        return PluginCounts(_counts(buckets[0]), tuple(_counts(b) for b in buckets[1:]))
    except FileNotFoundError:
        raise PluginError(f"the QEMU plugin wrote no counts to {path} (did QEMU start?)") from None
    except (ValueError, KeyError, IndexError, TypeError) as err:
        raise PluginError(f"the QEMU plugin's counts in {path} are malformed: {err}") from None
