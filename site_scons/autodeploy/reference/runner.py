"""Runs one reference computation in a child Python process, so that an abort inside LiteRT or
TFLM (both abort on some models, e.g. a SOFTMAX with a tiny input scale) becomes an error the
caller can report or work around instead of killing the build."""

from __future__ import annotations

import pickle
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from .. import children
from ..errors import AutodeployError

SITE_SCONS = Path(__file__).resolve().parents[2]

#: Kinds of output computations: "litert" (BUILTIN_REF, TFLite's reference kernels),
#: "tflm" (the TFLite Micro host interpreter), "litert-optimized" (LiteRT's optimized kernels).
KINDS = ("litert", "tflm", "litert-optimized")

_CHILD = """
import pickle, sys
sys.path.insert(0, sys.argv[1])
from autodeploy.reference.engines import KIND_FUNCTIONS
kind, model_path, payload_path, out_path = sys.argv[2:6]
with open(payload_path, "rb") as f:
    payload = pickle.load(f)
with open(model_path, "rb") as f:
    result = KIND_FUNCTIONS[kind](f.read(), payload)
with open(out_path, "wb") as f:
    pickle.dump(result, f)
"""


class ReferenceFailed(AutodeployError):
    """A host reference interpreter refused or crashed on the model."""


def _exit_text(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"failed with exit code {code}"


def run_reference(kind: str, model_bytes: bytes, payload, timeout_s: float = 600.0):
    """Result of `kind` (see engines.KIND_FUNCTIONS) for `payload`, computed in a child process.

    For the output kinds the payload is a list of input sets (one list of arrays per run) and
    the result one list of output arrays per set."""
    with tempfile.TemporaryDirectory(prefix="adref-") as tmp:
        tmp = Path(tmp)
        (tmp / "model.tflite").write_bytes(model_bytes)
        (tmp / "payload.pkl").write_bytes(pickle.dumps(payload))
        command = [sys.executable, "-c", _CHILD, str(SITE_SCONS), kind]
        command += [str(tmp / name) for name in ("model.tflite", "payload.pkl", "out.pkl")]
        try:
            result = children.run(command, capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise ReferenceFailed(f"{kind} reference took longer than {timeout_s:g} s") from None
        if result.returncode != 0:
            tail = (result.stderr.strip().splitlines() or ["no message on stderr"])[-1]
            raise ReferenceFailed(f"{kind} reference {_exit_text(result.returncode)}: {tail}")
        return pickle.loads((tmp / "out.pkl").read_bytes())
