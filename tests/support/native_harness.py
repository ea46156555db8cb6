"""Run TFLite models through our lowering + C runtime on the host, and compare with LiteRT.

    outs = run_native(model_bytes, [inputs_set0, inputs_set1, ...])
    assert_bit_exact(model_bytes, n_inputs=4, seed=0)
    assert_bit_exact_many([("case a", model_a), ("case b", model_b)], n_inputs=3)

Each model is parsed with our reader, every operator lowered with the registry and rendered with
c_render; non-constant tensors get their own static 16-byte-aligned buffer, constants become
static const arrays. Several models share one C program (one compile), selected by argv[1]; each
run streams N input sets from a file and writes N output sets. The runtime (firmware/runtime/src)
is compiled once per process into a static library, rebuilt when a runtime file changes.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from autodeploy.codegen.c_render import render_call, render_params
from autodeploy.codegen.lower.registry import lower_operator
from autodeploy.tflite.model import Subgraph, Tensor
from autodeploy.tflite.reader import parse_model

REPO = Path(__file__).resolve().parents[2]
RUNTIME = REPO / "firmware" / "runtime"
CC = os.environ.get("ADRT_TEST_CC", "gcc")
CFLAGS = ["-std=c99", "-O1", "-Wall", "-Werror", f"-I{RUNTIME / 'include'}"]

NP_DTYPES = {
    "INT8": np.int8,
    "UINT8": np.uint8,
    "INT16": np.int16,
    "INT32": np.int32,
    "INT64": np.int64,
    "FLOAT32": np.float32,
    "BOOL": np.bool_,
}

_workdir: Path | None = None
_runtime_lib: tuple[str, Path] | None = None
_runtime_errors = ""


def workdir() -> Path:
    global _workdir
    if _workdir is None:
        _workdir = Path(tempfile.mkdtemp(prefix="adrt_native_"))
    return _workdir


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
    procs = []
    for src in sources:
        obj = out / (src.stem + ".o")
        cmd = [CC, *CFLAGS, "-c", str(src), "-o", str(obj)]
        procs.append(
            (
                src,
                obj,
                subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True),
            )
        )
    objs, errors = [], []
    for src, obj, proc in procs:
        log, _ = proc.communicate()
        if proc.returncode == 0:
            objs.append(obj)
        else:
            # Left out of the library: a kernel under construction elsewhere must not break
            # every test. Reported if linking then fails.
            errors.append(f"{src.name}:\n{log}")
    lib = out / "libadrt.a"
    if lib.exists():
        lib.unlink()
    subprocess.run(["ar", "rcs", str(lib), *map(str, objs)], check=True)
    _runtime_errors = "\n".join(errors)
    _runtime_lib = (key, lib)
    return lib


# -- code generation ------------------------------------------------------------------------


def _c_bytes(name: str, raw: bytes, const: bool) -> str:
    q = "const " if const else ""
    n = max(len(raw), 1)
    body = ", ".join(str(b) for b in raw) if raw else "0"
    # wrap long initializers
    if len(body) > 90:
        parts = body.split(", ")
        lines = [", ".join(parts[i : i + 24]) for i in range(0, len(parts), 24)]
        body = "\n    " + ",\n    ".join(lines) + "\n"
    return f"static {q}uint8_t {name}[{n}] __attribute__((aligned(16))) = {{{body}}};\n"


class _ModelProgram:
    """C code for one model: buffers, params, and a `run_<p>(FILE *in, FILE *out)` function."""

    def __init__(self, model_bytes: bytes, prefix: str):
        self.model = parse_model(model_bytes, f"<{prefix}>")
        self.sg: Subgraph = self.model.main
        self.prefix = prefix
        self.calls = [lower_operator(op, self.sg) for op in self.sg.operators]

    def tensor(self, i: int) -> Tensor:
        return self.sg.tensors[i]

    def code(self) -> str:
        p = self.prefix
        sg = self.sg
        used = set(sg.inputs) | set(sg.outputs)
        for c in self.calls:
            used.update(i for i in c.inputs if i >= 0)
            used.update(c.outputs)
        parts = []
        for i in sorted(used):
            t = sg.tensors[i]
            if t.is_constant:
                parts.append(_c_bytes(f"{p}_t{i}", t.data, True))
            else:
                parts.append(
                    f"static uint8_t {p}_t{i}[{max(t.nbytes, 1)}] __attribute__((aligned(16)));\n"
                )
        for k, c in enumerate(self.calls):
            parts.append(render_params(c, f"{p}_op{k}"))
        parts.append(f"static int {p}_run(FILE *fin, FILE *fout) {{\n    long sets = 0;\n")
        parts.append("    for (;;) {\n")
        for n, i in enumerate(sg.inputs):
            nb = sg.tensors[i].nbytes
            cond = f"fread({p}_t{i}, 1, {nb}, fin) != {nb}"
            if n == 0:
                parts.append(f"        if ({cond}) break;\n")
            else:
                parts.append(f"        if ({cond}) return 2;\n")
        for k, c in enumerate(self.calls):
            stmt = render_call(
                c,
                f"{p}_op{k}",
                lambda i: f"{p}_t{i}",
                lambda i: sg.tensors[i].dtype,
            )
            parts.append("        " + stmt.replace("\n    ", "\n            "))
        for i in sg.outputs:
            nb = sg.tensors[i].nbytes
            parts.append(f"        if (fwrite({p}_t{i}, 1, {nb}, fout) != {nb}) return 3;\n")
        parts.append("        sets++;\n    }\n    return sets > 0 ? 0 : 4;\n}\n")
        return "".join(parts)


class NativeProgram:
    """One compiled host program running several models (selected by index)."""

    def __init__(self, models: Sequence[bytes]):
        self.models = [_ModelProgram(m, f"m{k}") for k, m in enumerate(models)]
        functions = {c.function for m in self.models for c in m.calls}
        headers = [
            h
            for h in sorted((RUNTIME / "include" / "adrt").glob("*.h"))
            if any(re.search(rf"\b{f}\s*\(", h.read_text()) for f in functions)
        ]
        src = [
            "#include <math.h>\n#include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n",
            *[f'#include "adrt/{h.name}"\n' for h in headers],
        ]
        src += [m.code() for m in self.models]
        src.append("int main(int argc, char **argv) {\n")
        src.append("    if (argc != 4) return 1;\n    int which = atoi(argv[1]);\n")
        src.append(
            '    FILE *fin = fopen(argv[2], "rb");\n    FILE *fout = fopen(argv[3], "wb");\n'
        )
        src.append("    if (!fin || !fout) return 1;\n    int rc = 1;\n    switch (which) {\n")
        for k in range(len(self.models)):
            src.append(f"    case {k}: rc = m{k}_run(fin, fout); break;\n")
        src.append("    default: break;\n    }\n    fclose(fin);\n    fclose(fout);\n")
        src.append("    return rc;\n}\n")
        self.source = "".join(src)
        lib = runtime_library()
        digest = hashlib.sha256(self.source.encode() + str(lib).encode()).hexdigest()[:16]
        self.dir = workdir() / f"prog_{digest}"
        self.dir.mkdir(exist_ok=True)
        self.exe = self.dir / "prog"
        if not self.exe.exists():
            c_file = self.dir / "main.c"
            c_file.write_text(self.source)
            r = subprocess.run(
                [CC, *CFLAGS, str(c_file), str(lib), "-lm", "-o", str(self.exe)],
                capture_output=True,
                text=True,
            )
            if r.returncode != 0:
                raise RuntimeError(
                    f"compiling the test program failed ({c_file}):\n{r.stderr}"
                    + (
                        f"\nruntime sources that failed to compile:\n{_runtime_errors}"
                        if _runtime_errors
                        else ""
                    )
                )

    def run(self, which: int, input_sets: Sequence[Sequence[np.ndarray]]) -> list[list[np.ndarray]]:
        """Run model `which` on each input set; returns one list of output arrays per set."""
        mp = self.models[which]
        sg = mp.sg
        fin = self.dir / f"in_{which}.bin"
        fout = self.dir / f"out_{which}.bin"
        with open(fin, "wb") as f:
            for inputs in input_sets:
                if len(inputs) != len(sg.inputs):
                    raise ValueError(f"model has {len(sg.inputs)} inputs, got {len(inputs)}")
                for i, arr in zip(sg.inputs, inputs, strict=True):
                    t = sg.tensors[i]
                    a = np.ascontiguousarray(arr, dtype=NP_DTYPES[t.dtype])
                    if a.size != t.num_elements:
                        raise ValueError(f"input {i}: {a.size} elements, expected {t.shape}")
                    f.write(a.tobytes())
        r = subprocess.run(
            [str(self.exe), str(which), str(fin), str(fout)], capture_output=True, text=True
        )
        if r.returncode != 0:
            raise RuntimeError(f"native run failed (rc {r.returncode}): {r.stderr}")
        raw = fout.read_bytes()
        results, pos = [], 0
        for _ in input_sets:
            outs = []
            for i in sg.outputs:
                t = sg.tensors[i]
                nb = t.nbytes
                a = np.frombuffer(raw[pos : pos + nb], dtype=NP_DTYPES[t.dtype]).reshape(t.shape)
                outs.append(a.copy())
                pos += nb
            results.append(outs)
        if pos != len(raw):
            raise RuntimeError(f"native output has {len(raw)} bytes, expected {pos}")
        return results


def run_native(model_bytes: bytes, input_sets) -> list[list[np.ndarray]]:
    return NativeProgram([model_bytes]).run(0, input_sets)


# -- references -------------------------------------------------------------------------------


def litert_reference(model_bytes: bytes, input_sets, optimized=False) -> list[list[np.ndarray]]:
    """Outputs of LiteRT's reference kernels (BUILTIN_REF) for each input set; with `optimized`,
    of its optimized builtin kernels instead (no delegate)."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    resolver = (
        OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
        if optimized
        else OpResolverType.BUILTIN_REF
    )
    it = Interpreter(model_content=model_bytes, experimental_op_resolver_type=resolver)
    it.allocate_tensors()
    ins = it.get_input_details()
    outs = it.get_output_details()
    results = []
    for inputs in input_sets:
        for d, a in zip(ins, inputs, strict=True):
            it.set_tensor(d["index"], np.asarray(a, dtype=d["dtype"]).reshape(d["shape"]))
        it.invoke()
        results.append([it.get_tensor(d["index"]).copy() for d in outs])
    return results


def tflm_reference(model_bytes: bytes, input_sets) -> list[list[np.ndarray]]:
    """Outputs of the TFLite Micro host interpreter, for cases LiteRT refuses."""
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_bytes(model_bytes)
    results = []
    for inputs in input_sets:
        for k, a in enumerate(inputs):
            d = it.get_input_details(k)
            it.set_input(np.asarray(a, dtype=d["dtype"]).reshape(d["shape"]), k)
        it.invoke()
        n_out = len(parse_model(model_bytes, "<tflm>").main.outputs)
        results.append([it.get_output(k).copy() for k in range(n_out)])
        it.reset()
    return results


# -- comparison ----------------------------------------------------------------------------------


def random_inputs(model_bytes: bytes, n_inputs: int, seed: int) -> list[list[np.ndarray]]:
    """Seeded random input sets: integers over their full range (int32: +-2^20), floats in
    the range their quantization suggests (else [-8, 8])."""
    sg = parse_model(model_bytes, "<random>").main
    rng = np.random.default_rng(seed)
    sets = []
    for _ in range(n_inputs):
        arrs = []
        for i in sg.inputs:
            t = sg.tensors[i]
            dt = np.dtype(NP_DTYPES[t.dtype])
            if dt.kind == "f":
                lo, hi = -8.0, 8.0
                arrs.append(rng.uniform(lo, hi, t.shape).astype(dt))
            elif dt.kind == "b":
                arrs.append(rng.integers(0, 2, t.shape).astype(dt))
            else:
                info = np.iinfo(dt)
                lo, hi = max(info.min, -(1 << 20)), min(info.max, 1 << 20)
                arrs.append(rng.integers(lo, hi, t.shape, endpoint=True).astype(dt))
        sets.append(arrs)
    return sets


def compare(name: str, expected, got) -> list[str]:
    """Human-readable mismatch descriptions (empty when bit-exact)."""
    problems = []
    for s, (exp_set, got_set) in enumerate(zip(expected, got, strict=True)):
        for k, (e, g) in enumerate(zip(exp_set, got_set, strict=True)):
            e = np.ascontiguousarray(e)
            g = np.ascontiguousarray(g)
            if e.shape != g.shape and e.size == g.size:
                g = g.reshape(e.shape)
            if e.shape != g.shape or e.dtype != g.dtype:
                problems.append(
                    f"{name}: set {s} output {k}: shape/dtype {g.shape}/{g.dtype}, "
                    f"expected {e.shape}/{e.dtype}"
                )
                continue
            eb = e.view(np.uint8).reshape(-1)
            gb = g.view(np.uint8).reshape(-1)
            diff = np.flatnonzero(eb != gb)
            if diff.size:
                first = int(diff[0]) // e.itemsize
                ef, gf = e.reshape(-1), g.reshape(-1)
                n_el = int(np.count_nonzero(ef != gf))
                idx = np.unravel_index(first, e.shape)
                problems.append(
                    f"{name}: set {s} output {k}: {diff.size} differing bytes ({n_el} elements), "
                    f"first at element {first} {tuple(int(x) for x in idx)}: got {gf[first]}, "
                    f"expected {ef[first]}; max abs diff "
                    f"{np.max(np.abs(ef.astype(np.float64) - gf.astype(np.float64)))}"
                )
    return problems


def assert_bit_exact_many(
    cases: Sequence[tuple[str, bytes]] | Sequence[bytes],
    n_inputs: int = 3,
    seed: int = 0,
    inputs: dict[int, list] | None = None,
    reference=litert_reference,
) -> None:
    """Compile all models into one program, run each on seeded random inputs (or inputs[k]),
    and require zero differing bytes against `reference`. Reports every failing case."""
    named = [c if isinstance(c, tuple) else (f"case {k}", c) for k, c in enumerate(cases)]
    prog = NativeProgram([m for _, m in named])
    problems = []
    for k, (name, model) in enumerate(named):
        sets = (inputs or {}).get(k) or random_inputs(model, n_inputs, seed + k)
        expected = reference(model, sets)
        got = prog.run(k, sets)
        problems += compare(name, expected, got)
    if problems:
        shown = "\n".join(problems[:40])
        more = f"\n... {len(problems) - 40} more" if len(problems) > 40 else ""
        raise AssertionError(f"{len(problems)} mismatching outputs:\n{shown}{more}")


def assert_bit_exact(
    model_bytes: bytes, n_inputs: int = 3, seed: int = 0, inputs=None, reference=litert_reference
) -> None:
    """Single-model assert_bit_exact_many; `inputs` is an optional list of input sets."""
    assert_bit_exact_many(
        [("model", model_bytes)],
        n_inputs=n_inputs,
        seed=seed,
        inputs={0: inputs} if inputs is not None else None,
        reference=reference,
    )
