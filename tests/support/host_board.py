"""The validator firmware with a generated model, built natively on the host BSP and started as a
process: a board on 127.0.0.1 for fast tests of the whole RPC stack.

    built = build(model_bytes, "kws")
    with HostBoard(built.exe) as board, BoardClient(board.url) as client:
        ...

The executable is cached per process (by source digest) like GeneratedProgram's.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

from autodeploy.analysis.model_analysis import analyze
from autodeploy.codegen.generator import GeneratedModel, generate
from autodeploy.codegen.pipeline import compile_bytes
from autodeploy.target import PORTABLE
from autodeploy.tflite.model import Subgraph
from support.generated_program import CC, CFLAGS, REPO, runtime_library, workdir

FIRMWARE = REPO / "firmware"
SOURCES = [
    FIRMWARE / "apps" / "validator" / "main.c",
    FIRMWARE / "board" / "host" / "bsp_host.c",
    *sorted((FIRMWARE / "rpc" / "src").glob("*.c")),
]
INCLUDES = [FIRMWARE / "rpc" / "include", FIRMWARE / "board" / "include"]
_LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+)")


def _app_glue(name: str, staging_bytes: int, upload: bytes | None) -> str:
    """What the firmware builder generates per variant (the model and the input staging), and
    what its linker script describes: the upload, here into a buffer of its own (the model
    keeps its data: the upload calls are tested alone)."""
    size = len(upload or b"")
    return (
        '#include <stdint.h>\n#include "adrt/model_api.h"\n#include "adrpc/board.h"\n'
        f"extern const adrt_model_t {name}_model;\n"
        f"const adrt_model_t *const adrt_app_model = &{name}_model;\n"
        f"uint8_t adrt_app_staging[{max(staging_bytes, 1)}] __attribute__((aligned(16)));\n"
        f"const uint32_t adrt_app_staging_bytes = {staging_bytes}u;\n"
        f"static uint8_t s_upload[{max(size, 1)}];\n"
        f"const adrpc_upload_t adrt_upload_info = "
        f"{{s_upload, {size}u, 0x{zlib.crc32(upload or b''):08x}u}};\n"
    )


@dataclass
class BuiltBoard:
    exe: Path
    subgraph: Subgraph
    generated: GeneratedModel
    analysis: dict
    layer_tags: list[str]  # in layer (execution) order
    layer_tensors: list[int]  # each layer's output tensor index, in layer order


def build(
    model_bytes: bytes, name: str, defines: tuple[str, ...] = (), upload: bytes | None = None
) -> BuiltBoard:
    """Generates the model's C and links it with the validator, RPC and host BSP; `defines`
    are extra -D options (e.g. "ADRPC_MAX_LAYERS=4"); `upload`: bytes the board then expects
    over its upload calls before it invokes the model."""
    path = f"<{name}>"
    program = compile_bytes(model_bytes, path, PORTABLE)
    analysis = analyze(program)
    generated = generate(program, name)
    sub = program.model.main
    staging = sum(sub.tensors[i].nbytes for i in sub.inputs)
    files = dict(generated.files)
    files["app_glue.c"] = _app_glue(name, staging, upload)
    lib = runtime_library()
    flags = [*CFLAGS, "-Wextra", *(f"-D{d}" for d in defines)]
    digest = hashlib.sha256(repr((sorted(files.items()), flags, str(lib))).encode())
    for src in SOURCES + sorted(p for d in INCLUDES for p in d.rglob("*.h")):
        digest.update(src.read_bytes())
    out = workdir() / f"board_{digest.hexdigest()[:16]}"
    exe = out / "board"
    if not exe.exists():
        out.mkdir(exist_ok=True)
        for filename, text in files.items():
            (out / filename).write_text(text)
        units = [str(out / f) for f in files if f.endswith(".c")] + [str(s) for s in SOURCES]
        includes = [f"-I{d}" for d in (*INCLUDES, out)]
        cmd = [CC, *flags, *includes, *units, str(lib), "-lm", "-o", str(exe)]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"building the host board failed in {out}:\n{result.stderr}")
    order = analysis["memory_plan"]["execution_order"]
    tags = {layer["index"]: layer["tag"] for layer in analysis["layers"]}
    outputs = {op.index: op.outputs[0] for op in sub.operators}
    return BuiltBoard(
        exe, sub, generated, analysis, [tags[i] for i in order], [outputs[i] for i in order]
    )


class HostBoard:
    """A running host board process; `url` is its console for BoardClient."""

    def __init__(self, exe: Path):
        env = {k: v for k, v in os.environ.items() if k != "ADRT_CONSOLE_PORT"}
        self.proc = subprocess.Popen(
            [str(exe)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env
        )
        first = self.proc.stderr.readline()
        match = _LISTENING.search(first)
        if not match:
            self.proc.kill()
            raise RuntimeError(f"host board did not start: {first!r}")
        self.port = int(match.group(1))
        self.url = f"socket://127.0.0.1:{self.port}"
        self.log: list[str] = []
        # Keep reading stderr so the board never blocks on a full pipe.
        self._reader = threading.Thread(target=self._collect, daemon=True)
        self._reader.start()

    def _collect(self) -> None:
        for line in self.proc.stderr:
            self.log.append(line)

    def pause(self) -> None:
        """Freezes the board (SIGSTOP): it stops answering without closing the link."""
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
            self.proc.kill()
        self.proc.wait()
        self._reader.join(timeout=5)

    def __enter__(self) -> HostBoard:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
