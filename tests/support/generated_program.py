"""Build generated models into one host program and run them: the firmware's code path, natively.

Each model goes through the real pipeline (analysis with its arena plan, then the code
generator), and all of them are compiled with firmware/apps/host_runner into one executable with
the runtime library, selected by index at run time.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from autodeploy.analysis.model_analysis import analyze_bytes
from autodeploy.codegen.generator import generate
from autodeploy.codegen.lower.registry import supported_opcodes
from autodeploy.tflite.model import Subgraph
from autodeploy.tflite.reader import parse_model
from support.native_harness import CC, CFLAGS, NP_DTYPES, REPO, runtime_library, workdir

HOST_RUNNER = REPO / "firmware" / "apps" / "host_runner" / "main.c"


class GeneratedProgram:
    """One compiled host program running several generated models (selected by index)."""

    def __init__(self, models: Sequence[bytes], names: Sequence[str] | None = None):
        names = list(names or [f"m{k}" for k in range(len(models))])
        self.subgraphs: list[Subgraph] = []
        self.generated = []
        sources: dict[str, str] = {}
        for name, data in zip(names, models, strict=True):
            path = f"<{name}>"
            model = parse_model(data, path)
            analysis = analyze_bytes(data, path, supported_opcodes())
            result = generate(model, analysis, name, "TCM", "SRAM")
            self.subgraphs.append(model.main)
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
        lib = runtime_library()
        digest = hashlib.sha256(repr(sorted(sources.items())).encode() + str(lib).encode())
        self.dir = workdir() / f"gen_{digest.hexdigest()[:16]}"
        self.exe = self.dir / "runner"
        if not self.exe.exists():
            self._compile(sources, lib)

    def _compile(self, sources: dict[str, str], lib: Path) -> None:
        self.dir.mkdir(exist_ok=True)
        for filename, text in sources.items():
            (self.dir / filename).write_text(text)
        c_files = [str(self.dir / f) for f in sources if f.endswith(".c")]
        cmd = [CC, *CFLAGS, f"-I{self.dir}", *c_files, str(HOST_RUNNER), str(lib), "-lm"]
        result = subprocess.run([*cmd, "-o", str(self.exe)], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"compiling generated models failed in {self.dir}:\n{result.stderr}")

    def run(self, which: int, input_sets) -> list[list[np.ndarray]]:
        """Run model `which` on each input set; returns one list of output arrays per set."""
        sub = self.subgraphs[which]
        fin, fout = self.dir / f"in_{which}.bin", self.dir / f"out_{which}.bin"
        with open(fin, "wb") as handle:
            for inputs in input_sets:
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
