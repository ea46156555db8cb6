#!/usr/bin/env python3
"""Sweep benchmarks on the emulated board: prints figures, asserts nothing.

  `scons -j1 sweep-<name>` and `scons -j2 sweep-<name>` from clean: wall time and the speedup
  after the KWS .tflite changed: how many variants re-ran (only KWS's should) and the time
  no-op sweep

The default sweep is models.yaml's `placement`: kws and mnv3sm x 3 weight placements x gcc and
clang = 12 variants, each profiled (10 runs) and power-modelled. Runs in a temporary copy of the
project so the working tree's build state is untouched.
Usage: .venv/bin/python benchmarks/bench_sweep.py [--sweep NAME] [--skip-j1]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench_profile import KWS, KWS_RESERIALIZED, SCONS, clean, copy_project

PROFILED = re.compile(r"^\[profile\] reports/(?P<model>\w+)/(?P<variant>\S+)/profile\.csv$", re.M)


def sweep(work: Path, name: str, jobs: int) -> tuple[float, Counter]:
    """Wall time of the sweep and how many variants of each model were profiled."""
    start = time.perf_counter()
    out = subprocess.run(
        [*SCONS, f"-j{jobs}", f"sweep-{name}"], cwd=work, check=True, capture_output=True, text=True
    ).stdout
    return time.perf_counter() - start, Counter(m["model"] for m in PROFILED.finditer(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", default="placement")
    parser.add_argument("--skip-j1", action="store_true", help="only the -j2 runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        copy_project(work)
        if not args.skip_j1:
            clean(work)
            serial, built = sweep(work, args.sweep, 1)
            print(f"-j1 from clean: {serial:7.1f} s  ({sum(built.values())} variants profiled)")
        clean(work)
        parallel, built = sweep(work, args.sweep, 2)
        print(f"-j2 from clean: {parallel:7.1f} s  ({sum(built.values())} variants profiled)")
        if not args.skip_j1:
            print(f"speedup -j2 over -j1: {serial / parallel:.2f}x")
        shutil.copyfile(work / KWS_RESERIALIZED, work / KWS)
        changed, rebuilt = sweep(work, args.sweep, 2)
        counts = ", ".join(f"{model} {n}" for model, n in sorted(rebuilt.items())) or "none"
        print(f"after the KWS .tflite changed: {changed:7.1f} s, variants re-run: {counts}")
        noop, rerun = sweep(work, args.sweep, 2)
        print(f"no-op: {noop:7.2f} s  ({sum(rerun.values())} variants re-run)")


if __name__ == "__main__":
    main()
