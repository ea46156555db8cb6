#!/usr/bin/env python3
"""Profile benchmarks on the emulated board: prints figures, asserts nothing.

  cold `scons kws-profile` from a clean build dir (shared runtime library included)  (< 20 s)
  `scons kws-profile` after the KWS .tflite changed                                   (< 8 s)
  no-op `scons kws-profile`                                                            (< 1.5 s)
  cold `scons mnv3sm-profile`                                                          (< 60 s)

(Instructions per inference and per MAC of every model: benchmarks/bench_runtime.py.)
Runs in a temporary copy of the project so the working tree's build state is untouched.
Usage: .venv/bin/python benchmarks/bench_profile.py
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SCONS = [sys.executable, "-m", "SCons", "-Q"]
sys.path.insert(0, str(PROJECT / "tests"))

from scons_project import copy_project  # noqa: E402  (the same copy the SCons tests build in)

KWS = "models/mlperf_tiny_kws_dscnn_int8.tflite"
KWS_RESERIALIZED = "models/mlperf_tiny_kws_dscnn_int8_aligned.tflite"  # same graph, other bytes


def timed(work: Path, *targets: str) -> float:
    start = time.perf_counter()
    subprocess.run([*SCONS, *targets], cwd=work, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def clean(work: Path) -> None:
    for name in ("build", "reports", ".sconsign.dblite"):
        path = work / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def timings(work: Path) -> None:
    clean(work)
    cold = timed(work, "kws-profile")
    shutil.copyfile(work / KWS_RESERIALIZED, work / KWS)
    changed = timed(work, "kws-profile")
    noop = timed(work, "kws-profile")
    clean(work)
    mnv3 = timed(work, "mnv3sm-profile")
    print(f"cold kws-profile (clean build dir):   {cold:6.2f} s   target < 20 s")
    print(f"kws-profile after the .tflite changed: {changed:6.2f} s   target < 8 s")
    print(f"no-op kws-profile:                    {noop:6.2f} s   target < 1.5 s")
    print(f"cold mnv3sm-profile:                  {mnv3:6.2f} s   target < 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        copy_project(work)
        timings(work)


if __name__ == "__main__":
    main()
