"""Reference outputs from LiteRT's reference kernels (or the TFLM host interpreter), run in a
child process: both libraries abort the whole process on some inputs (e.g. a SOFTMAX whose input
scale is tiny), and a test must report that instead of dying with it."""

from __future__ import annotations

import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = """
import pickle, sys
sys.path[:0] = {paths!r}
from support import native_harness
engine, model_path, sets_path, out_path = sys.argv[1:5]
model = open(model_path, "rb").read()
sets = pickle.load(open(sets_path, "rb"))
if engine == "tflm":
    outputs = native_harness.tflm_reference(model, sets)
else:
    outputs = native_harness.litert_reference(model, sets, optimized=engine == "litert-optimized")
pickle.dump(outputs, open(out_path, "wb"))
"""

TESTS_DIR = Path(__file__).resolve().parent.parent


class ReferenceFailed(Exception):
    pass


def run_reference(engine: str, model_bytes: bytes, input_sets) -> list:
    """Outputs of `engine` per input set, computed in a child process: "litert" (BUILTIN_REF),
    "litert-optimized" (LiteRT's optimized builtin kernels, no delegate) or "tflm"."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "model.tflite").write_bytes(model_bytes)
        (tmp / "sets.pkl").write_bytes(pickle.dumps(input_sets))
        paths = [str(TESTS_DIR), str(TESTS_DIR.parent / "site_scons")]
        result = subprocess.run(
            [sys.executable, "-c", _CHILD.format(paths=paths), engine, str(tmp / "model.tflite"),
             str(tmp / "sets.pkl"), str(tmp / "out.pkl")],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        if result.returncode != 0:
            tail = (result.stderr.strip().splitlines() or ["(no message)"])[-1]
            raise ReferenceFailed(f"{engine} failed with exit code {result.returncode}: {tail}")
        return pickle.loads((tmp / "out.pkl").read_bytes())


def reference_outputs(model_bytes: bytes, input_sets) -> tuple[str, list]:
    """LiteRT BUILTIN_REF outputs, or TFLM's where LiteRT refuses the model; names the engine."""
    try:
        return "litert", run_reference("litert", model_bytes, input_sets)
    except ReferenceFailed as litert_error:
        try:
            return "tflm", run_reference("tflm", model_bytes, input_sets)
        except ReferenceFailed as tflm_error:
            raise ReferenceFailed(f"{litert_error}; {tflm_error}") from None
