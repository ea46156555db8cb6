"""Build generated models into one host program and run them: the firmware's code path, natively.

    program = GeneratedProgram([model_a, model_b])
    outputs = program.run(1, [inputs_set0, inputs_set1, ...])

Each model goes through the real pipeline (analysis with its arena plan, then the code
generator), and all of them are compiled with firmware/apps/host_runner into one executable with
the runtime library, selected by index at run time. Each run streams N input sets from a file and
writes N output sets. The runtime (firmware/runtime/src) is compiled once per process into a
static library, rebuilt when a runtime file changes. The kernel tests (native_harness) and the
whole-model tests both use this, so every test exercises the code the firmware builds.
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
from pathlib import Path

import numpy as np

from autodeploy.codegen.generator import NP_DTYPES, generate
from autodeploy.codegen.pipeline import compile_bytes
from autodeploy.target import PORTABLE, Target
from autodeploy.tflite.model import Subgraph

REPO = Path(__file__).resolve().parents[2]
RUNTIME = REPO / "firmware" / "runtime"
HOST_RUNNER = REPO / "firmware" / "apps" / "host_runner" / "main.c"
CC = os.environ.get("ADRT_TEST_CC", "gcc")
CFLAGS = ["-std=c99", "-O1", "-Wall", "-Werror", f"-I{RUNTIME / 'include'}"]


_workdir: Path | None = None
_runtime_lib: tuple[str, Path] | None = None
_runtime_errors = ""


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


def runtime_library() -> Path:
    """libadrt.a built from firmware/runtime/src/*.c (cached while sources are unchanged)."""
    global _runtime_lib, _runtime_errors
    sources = sorted((RUNTIME / "src").glob("*.c"))
    headers = sorted((RUNTIME / "include").rglob("*.h"))
    h = hashlib.sha256()
    for p in sources + headers:
        h.update(str(p).encode())
        h.update(p.read_bytes())
    key = h.hexdigest()[:16]
    if _runtime_lib is not None and _runtime_lib[0] == key:
        return _runtime_lib[1]
    out = workdir() / f"rt_{key}"
    out.mkdir(exist_ok=True)
    jobs = [
        (src, [CC, *CFLAGS, "-c", str(src), "-o", str(out / (src.stem + ".o"))]) for src in sources
    ]
    objs, errors = [], []
    for src, rc, log in _compile_all(jobs):
        if rc == 0:
            objs.append(out / (src.stem + ".o"))
        else:
            # Left out of the library: a kernel under construction elsewhere must not break
            # every test. Reported if linking then fails.
            errors.append(f"{src.name}:\n{log}")
    lib = out / "libadrt.a"
    if lib.exists():
        lib.unlink()
    subprocess.run(["ar", "rcs", str(lib), *map(str, sorted(objs))], check=True)
    _runtime_errors = "\n".join(errors)
    _runtime_lib = (key, lib)
    return lib


def _host_runner_object() -> Path:
    """firmware/apps/host_runner/main.c compiled once per process (and when it changes)."""
    digest = hashlib.sha256(HOST_RUNNER.read_bytes() + repr(CFLAGS).encode()).hexdigest()[:16]
    obj = workdir() / f"host_runner_{digest}.o"
    if not obj.exists():
        cmd = [CC, *CFLAGS, "-c", str(HOST_RUNNER), "-o", str(obj)]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"compiling {HOST_RUNNER} failed:\n{result.stderr}")
    return obj


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


class GeneratedProgram:
    """One compiled host program running several generated models (selected by index).

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
        target: Target = PORTABLE,
    ):
        names = list(names or [f"m{k}" for k in range(len(models))])
        self.subgraphs: list[Subgraph] = []
        self.generated = []
        sources: dict[str, str] = {}
        for name, data in zip(names, models, strict=True):
            program = compile_bytes(data, f"<{name}>", target)
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
        lib = runtime_library()
        digest = hashlib.sha256(repr(sorted(sources.items())).encode() + str(lib).encode())
        self.dir = workdir() / f"gen_{digest.hexdigest()[:16]}"
        self.exe = self.dir / "runner"
        if not self.exe.exists():
            self._compile(sources, units, lib)

    def _compile(self, sources: dict[str, str], units: list[str], lib: Path) -> None:
        """The translation units compiled in parallel (one compiler run per CPU), then linked."""
        self.dir.mkdir(exist_ok=True)
        for filename, text in sources.items():
            (self.dir / filename).write_text(text)
        c_files = [self.dir / f for f in units]
        width = max(os.cpu_count() or 1, 1)
        chunks = [c_files[k::width] for k in range(width) if c_files[k::width]]
        jobs = [
            (self.dir, [CC, *CFLAGS, f"-I{self.dir}", "-c", *map(str, chunk)]) for chunk in chunks
        ]
        failed = [log for _, rc, log in _compile_all(jobs, cwd=self.dir) if rc != 0]
        if not failed:
            objects = [str(self.dir / f"{src.stem}.o") for src in c_files]
            link = [CC, *objects, str(_host_runner_object()), str(lib), "-lm", "-o", str(self.exe)]
            result = subprocess.run(link, capture_output=True, text=True)
            if result.returncode != 0:
                failed.append(f"linking:\n{result.stderr}")
        if failed:
            broken = (
                f"\nruntime sources that failed to compile:\n{_runtime_errors}"
                if _runtime_errors
                else ""
            )
            raise RuntimeError(
                f"compiling generated models failed in {self.dir}:\n" + "\n".join(failed) + broken
            )

    def run(self, which: int, input_sets) -> list[list[np.ndarray]]:
        """Run model `which` on each input set; returns one list of output arrays per set."""
        sub = self.subgraphs[which]
        fin, fout = self.dir / f"in_{which}.bin", self.dir / f"out_{which}.bin"
        with open(fin, "wb") as handle:
            for inputs in input_sets:
                if len(inputs) != len(sub.inputs):
                    raise ValueError(f"model has {len(sub.inputs)} inputs, got {len(inputs)}")
                for i, array in zip(sub.inputs, inputs, strict=True):
                    t = sub.tensors[i]
                    data = np.ascontiguousarray(array, dtype=NP_DTYPES[t.dtype])
                    if data.size != t.num_elements:
                        raise ValueError(f"input {i}: {data.size} elements, expected {t.shape}")
                    handle.write(data.tobytes())
        result = subprocess.run(
            [str(self.exe), str(which), str(fin), str(fout)], capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(f"native run failed (rc {result.returncode}): {result.stderr}")
        raw = fout.read_bytes()
        results, pos = [], 0
        for _ in input_sets:
            outs = []
            for i in sub.outputs:
                t = sub.tensors[i]
                chunk = raw[pos : pos + t.nbytes]
                outs.append(np.frombuffer(chunk, dtype=NP_DTYPES[t.dtype]).reshape(t.shape).copy())
                pos += t.nbytes
            results.append(outs)
        if pos != len(raw):
            raise RuntimeError(f"native output has {len(raw)} bytes, expected {pos}")
        return results
