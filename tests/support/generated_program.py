"""Build generated models into one program and run them: the firmware's code path, on the host or
on an emulated board.

    program = GeneratedProgram([model_a, model_b], board="m55-gcc")
    outputs = program.run(1, [inputs_set0, inputs_set1, ...])
    many = program.run_many([(0, sets_a), (1, sets_b)])   # one process (one QEMU start) for all

Each model goes through the real pipeline (compiled for the board's target, then the code
generator), and all of them are linked with firmware/apps/model_runner into one image with the
runtime library of that target, selected by index at run time. A run streams N input sets from a
file and writes N output sets; on the emulated boards the files travel through semihosting. The
kernel tests (native_harness) and the whole-model tests both use this, so every test exercises
the code the firmware builds:

    host        portable C, the host's gcc
    m55-gcc     Apollo510's flags and target (Helium kernels) on QEMU mps3-an547, gcc or clang
    m55-clang
    m4-gcc      Apollo4 Plus's flags and target (DSP kernels) on QEMU mps2-an386, gcc or clang
    m4-clang
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from autodeploy.codegen.generator import NP_DTYPES, generate
from autodeploy.codegen.pipeline import compile_bytes
from autodeploy.config import load_config
from autodeploy.firmware import toolchains
from autodeploy.target import PORTABLE, Target, target_for
from autodeploy.tflite.model import Subgraph

REPO = Path(__file__).resolve().parents[2]
RUNTIME = REPO / "firmware" / "runtime"
RUNNER = REPO / "firmware" / "apps" / "model_runner"
CC = os.environ.get("ADRT_TEST_CC", "gcc")
CFLAGS = ["-std=c99", "-O1", "-Wall", "-Werror", f"-I{RUNTIME / 'include'}"]
QEMU_TIMEOUT_S = 1800

#: Emulated test images: the vector table at the boot address, everything else in the machine's
#: largest RAM (room for every shipped model at once): (boot origin, boot length, RAM, RAM length)
_MEMORY = {
    "mps3-an547": (0x00000000, 512 << 10, 0x60000000, 256 << 20),  # ITCM, DDR
    "mps2-an386": (0x00000000, 4 << 20, 0x21000000, 16 << 20),  # SSRAM1, PSRAM
}
_LINKER_SCRIPT = """\
/* Test image for QEMU {machine}, loaded whole by QEMU (not a boot image: nothing to copy):
 * vectors at the boot address, the rest (start-up code too) in one RAM. */
ENTRY(Reset_Handler)
MEMORY
{{
    BOOT (rx) : ORIGIN = 0x{boot:08x}, LENGTH = {boot_len}
    RAM (rwx) : ORIGIN = 0x{ram:08x}, LENGTH = {ram_len}
}}
SECTIONS
{{
    .vectors : {{ KEEP(*(.vectors)) }} > BOOT
    __boot_copy_start = .;
    __boot_copy_end = .;
    .text : {{ *(.boot_text) *(.text .text.*) }} > RAM
    .rodata : {{ . = ALIGN(16); *(.rodata .rodata.*) }} > RAM
    .ARM.exidx : {{ *(.ARM.exidx* .gnu.linkonce.armexidx.*) }} > RAM
    .data : {{ *(.data .data.*) }} > RAM
    .bss (NOLOAD) : {{
        . = ALIGN(16); __bss_start = .; *(.bss .bss.* COMMON) . = ALIGN(4); __bss_end = .;
    }} > RAM
    .stack (NOLOAD) : {{
        . = ALIGN(8); __stack_limit = .; . += 65536; __stack_top = .;
    }} > RAM
}}
"""


@dataclass(frozen=True)
class Board:
    """Where a GeneratedProgram runs: the host, or a platform's flags and target on QEMU."""

    name: str
    target: Target
    platform: str | None = None  # platforms/<name>.yaml for an emulated board
    toolchain: str | None = None

    @property
    def emulated(self) -> bool:
        return self.platform is not None


_PLATFORMS = {"m55": "apollo510_evb", "m4": "apollo4p_evb"}


@cache
def board_named(name: str) -> Board:
    if name == "host":
        return Board("host", PORTABLE)
    core, toolchain = name.split("-")
    platform = _config().platforms[_PLATFORMS[core]]
    return Board(name, target_for(platform), platform.name, toolchain)


@cache
def _config():
    return load_config(REPO)


_workdir: Path | None = None


def workdir() -> Path:
    """This process's scratch directory for compiled programs, removed when the process exits."""
    global _workdir
    if _workdir is None:
        _workdir = Path(tempfile.mkdtemp(prefix="adrt_native_"))
        atexit.register(shutil.rmtree, _workdir, ignore_errors=True)
    return _workdir


def _compile_all(
    jobs: Sequence[tuple[Path, list[str]]], cwd: Path | None = None
) -> list[tuple[Path, int, str]]:
    """Run compiler commands, as many at a time as there are CPUs; (source, rc, log) each."""
    width = max(os.cpu_count() or 1, 1)
    results, running = [], []
    for source, cmd in jobs:
        if len(running) >= width:
            src, proc = running.pop(0)
            log, _ = proc.communicate()
            results.append((src, proc.returncode, log))
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=cwd
        )
        running.append((source, proc))
    for src, proc in running:
        log, _ = proc.communicate()
        results.append((src, proc.returncode, log))
    return results


def _compiler(b: Board) -> tuple[str, list[str]]:
    """(compiler, flags) for C files of board `b`: the firmware's own flags when emulated."""
    if not b.emulated:
        return CC, list(CFLAGS)
    platform = _config().platforms[b.platform]
    tc = toolchains.toolchain(b.toolchain)
    return tc.require(), [*tc.cflags(platform), f"-I{RUNTIME / 'include'}"]


def _digest(paths: Sequence[Path], *extra: object) -> str:
    h = hashlib.sha256(repr(extra).encode())
    for p in paths:
        h.update(str(p).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


_libraries: dict[str, Path] = {}
_library_errors: dict[str, str] = {}


def runtime_library(board_name: str = "host") -> Path:
    """libadrt.a of the board's target (portable C and its vector variants), cached while the
    runtime's files are unchanged."""
    b = board_named(board_name)
    sources = [p for d in b.target.runtime_source_dirs() for p in sorted((REPO / d).glob("*.c"))]
    cc, flags = _compiler(b)
    key = _digest(sources + sorted((RUNTIME / "include").rglob("*.h")), b, cc, flags)
    if key in _libraries:
        return _libraries[key]
    out = workdir() / f"rt_{b.name}_{key}"
    out.mkdir(exist_ok=True)
    objects = {src: out / f"{src.parent.name}_{src.stem}.o" for src in sources}
    jobs = [(src, [cc, *flags, "-c", str(src), "-o", str(obj)]) for src, obj in objects.items()]
    compiled, errors = [], []
    for src, rc, log in _compile_all(jobs):
        if rc == 0:
            compiled.append(str(objects[src]))
        else:
            # Left out of the library: a kernel under construction elsewhere must not break
            # every test. Reported if linking then fails.
            errors.append(f"{src.relative_to(REPO)}:\n{log}")
    lib = out / "libadrt.a"
    lib.unlink(missing_ok=True)
    archiver = toolchains.ARCHIVER if b.emulated else "ar"
    subprocess.run([archiver, "rcs", str(lib), *sorted(compiled)], check=True)
    _libraries[key], _library_errors[key] = lib, "\n".join(errors)
    return lib


def _runner_sources(b: Board) -> list[Path]:
    """The model runner and, on an emulated board, its board support (startup, semihosting)."""
    if not b.emulated:
        return [RUNNER / "main.c", RUNNER / "io_stdio.c"]
    machine = _config().platforms[b.platform].emulator.machine.replace("-", "_")
    board_dirs = [REPO / "firmware" / "board" / machine, REPO / "firmware" / "board" / "common"]
    return [
        RUNNER / "main.c",
        RUNNER / "io_semihost.c",
        *(p for d in board_dirs for p in sorted(d.glob("*.c"))),
    ]


_INCLUDE = re.compile(r'^#include\s+(<[^>]+>|"adrt/[^"]+")', re.M)
# the declared name: the last word before `[`, `=`, `;`, `(` or an `__attribute__`
_STATIC = re.compile(r"^static\b[^\[=;(]*?(\w+)\s*(?:__attribute__|[\[=;(])", re.M)
_MACRO = re.compile(r"^#define\s+(\w+)", re.M)


def _unity_source(model_files: Sequence[tuple[str, str]], texts: dict[str, str]) -> str:
    """One translation unit that includes several models' generated .c files unchanged.

    `model_files` holds (name, file) pairs. Each model's file-scope statics and macros are
    renamed to `<name>__<identifier>` around its #include (so the models' `s_arena`,
    `l0_params`, ... do not collide), and the shared headers are parsed once up front.
    """
    headers = dict.fromkeys(h for _, f in model_files for h in _INCLUDE.findall(texts[f]))
    out = [f"#include {h}\n" for h in headers]
    for name, filename in model_files:
        text = texts[filename]
        statics = _STATIC.findall(text)
        macros = _MACRO.findall(text)
        out += [f"#define {s} {name}__{s}\n" for s in statics]
        out.append(f'#include "{filename}"\n')
        out += [f"#undef {s}\n" for s in (*statics, *macros)]
    return "".join(out)


def build_image(
    b: Board, c_files: Sequence[Path], image: Path, lib: Path, include: Sequence[Path] = ()
) -> None:
    """Compile `c_files` for board `b` in parallel (one compiler run per CPU), beside `image`,
    and link them with the runtime library `lib` into `image`: a host executable, or an ELF for
    the board's QEMU machine (vectors at the boot address, the rest in its largest RAM)."""
    out = image.parent
    cc, flags = _compiler(b)
    folders = [out, RUNNER, REPO / "firmware" / "board" / "include", *include]
    folders.append(REPO / "firmware" / "board" / "common")
    objects = [out / f"{k}_{src.stem}.o" for k, src in enumerate(c_files)]
    jobs = [
        (src, [cc, *flags, *(f"-I{d}" for d in folders), "-c", str(src), "-o", str(obj)])
        for src, obj in zip(c_files, objects, strict=True)
    ]
    failed = [log for _, rc, log in _compile_all(jobs, cwd=out) if rc != 0]
    if not failed:
        link = _link_command(b, objects, lib, image)
        result = subprocess.run(link, capture_output=True, text=True)
        if result.returncode != 0:
            failed.append(f"linking:\n{result.stderr}")
    if failed:
        broken = "\n".join(e for e in _library_errors.values() if e)
        broken = f"\nruntime sources that failed to compile:\n{broken}" if broken else ""
        raise RuntimeError(f"building {image} failed:\n" + "\n".join(failed) + broken)


def _link_command(b: Board, objects: list[Path], lib: Path, image: Path) -> list[str]:
    if not b.emulated:
        return [CC, *map(str, objects), str(lib), "-lm", "-o", str(image)]
    platform = _config().platforms[b.platform]
    boot, boot_len, ram, ram_len = _MEMORY[platform.emulator.machine]
    script = image.with_suffix(".ld")
    script.write_text(
        _LINKER_SCRIPT.format(
            machine=platform.emulator.machine,
            boot=boot,
            boot_len=boot_len,
            ram=ram,
            ram_len=ram_len,
        )
    )
    return [
        toolchains.LINK_DRIVER,
        *toolchains.link_flags(platform),
        f"-T{script}",
        "-o",
        str(image),
        *map(str, objects),
        str(lib),
        *(f"-l{name}" for name in toolchains.LIBS),
    ]


def run_image(b: Board, image: Path) -> subprocess.CompletedProcess:
    """Run a built image in its folder (where it finds its files): natively, or under QEMU with
    semihosting (no serial link)."""
    if b.emulated:
        emulator = _config().platforms[b.platform].emulator
        cmd = [
            emulator.executable, "-M", emulator.machine, "-nographic", "-monitor", "none",
            "-serial", "null", "-semihosting-config", "enable=on,target=native",
            "-kernel", str(image),
        ]  # fmt: skip
    else:
        cmd = [str(image)]
    return subprocess.run(
        cmd, cwd=image.parent, capture_output=True, text=True, timeout=QEMU_TIMEOUT_S
    )


class GeneratedProgram:
    """One compiled program running several generated models (selected by index).

    By default every generated .c file is its own translation unit, as in a firmware build.
    With `unity`, the models are compiled as a few translation units (one per CPU) that include
    the generated files unchanged: the same code, and much faster for hundreds of small models
    (the kernel tests), since the runtime headers are parsed once per unit instead of per model.
    """

    def __init__(
        self,
        models: Sequence[bytes],
        names: Sequence[str] | None = None,
        unity: bool = False,
        board: str = "host",
    ):
        self.board = board_named(board)
        names = list(names or [f"m{k}" for k in range(len(models))])
        self.subgraphs: list[Subgraph] = []
        self.generated = []
        sources: dict[str, str] = {}
        for name, data in zip(names, models, strict=True):
            program = compile_bytes(data, f"<{name}>", self.board.target)
            result = generate(program, name)
            self.subgraphs.append(program.model.main)
            self.generated.append(result)
            sources.update(result.files)
        externs = "".join(f"extern const adrt_model_t {n}_model;\n" for n in names)
        table = ", ".join(f"&{n}_model" for n in names)
        sources["host_models.c"] = (
            '#include "adrt/model_api.h"\n'
            + externs
            + f"const adrt_model_t *const adrt_host_models[] = {{{table}}};\n"
            + f"const unsigned adrt_host_model_count = {len(names)};\n"
        )
        self.sources = sources
        units = ["host_models.c"]
        if unity:
            width = max(os.cpu_count() or 1, 1)
            for k in range(min(width, len(names))):
                files = [
                    (n, f"{n}_model{part}.c") for n in names[k::width] for part in ("_data", "")
                ]
                sources[f"unity_{k}.c"] = _unity_source(files, sources)
                units.append(f"unity_{k}.c")
        else:
            units += [f for f in sources if f.endswith(".c") and f != "host_models.c"]
        lib = runtime_library(self.board.name)
        runner = _runner_sources(self.board)
        digest = _digest(runner, sorted(sources.items()), str(lib), self.board)
        self.dir = workdir() / f"gen_{self.board.name}_{digest}"
        self.exe = self.dir / ("image.elf" if self.board.emulated else "runner")
        if not self.exe.exists():
            self._compile(sources, units, lib, runner)

    def _compile(self, sources: dict[str, str], units: list[str], lib: Path, runner) -> None:
        self.dir.mkdir(exist_ok=True)
        for filename, text in sources.items():
            (self.dir / filename).write_text(text)
        build_image(self.board, [self.dir / f for f in units] + list(runner), self.exe, lib)

    def run(self, which: int, input_sets) -> list[list[np.ndarray]]:
        """Run model `which` on each input set; returns one list of output arrays per set."""
        return self.run_many([(which, input_sets)])[0]

    def run_many(self, jobs) -> list[list[list[np.ndarray]]]:
        """Run each (model index, input sets) job in one process: one QEMU start for all."""
        lines = []
        for n, (which, input_sets) in enumerate(jobs):
            self._write_inputs(which, input_sets, self.dir / f"in_{n}.bin")
            lines.append(f"{which} in_{n}.bin out_{n}.bin\n")
        (self.dir / "jobs.txt").write_text("".join(lines))
        result = run_image(self.board, self.exe)
        if result.returncode != 0:
            raise RuntimeError(
                f"{self.board.name} run failed (rc {result.returncode}): "
                f"{result.stdout[-2000:]}{result.stderr[-2000:]}"
            )
        return [
            self._read_outputs(which, len(sets), self.dir / f"out_{n}.bin")
            for n, (which, sets) in enumerate(jobs)
        ]

    def _write_inputs(self, which: int, input_sets, path: Path) -> None:
        sub = self.subgraphs[which]
        with open(path, "wb") as handle:
            for inputs in input_sets:
                if len(inputs) != len(sub.inputs):
                    raise ValueError(f"model has {len(sub.inputs)} inputs, got {len(inputs)}")
                for i, array in zip(sub.inputs, inputs, strict=True):
                    t = sub.tensors[i]
                    data = np.ascontiguousarray(array, dtype=NP_DTYPES[t.dtype])
                    if data.size != t.num_elements:
                        raise ValueError(f"input {i}: {data.size} elements, expected {t.shape}")
                    handle.write(data.tobytes())

    def _read_outputs(self, which: int, n_sets: int, path: Path) -> list[list[np.ndarray]]:
        sub = self.subgraphs[which]
        raw = path.read_bytes()
        results, pos = [], 0
        for _ in range(n_sets):
            outs = []
            for i in sub.outputs:
                t = sub.tensors[i]
                chunk = raw[pos : pos + t.nbytes]
                outs.append(np.frombuffer(chunk, dtype=NP_DTYPES[t.dtype]).reshape(t.shape).copy())
                pos += t.nbytes
            results.append(outs)
        if pos != len(raw):
            raise RuntimeError(f"{self.board.name} output has {len(raw)} bytes, expected {pos}")
        return results
