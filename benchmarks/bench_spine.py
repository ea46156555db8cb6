#!/usr/bin/env python3
"""Spine benchmarks: prints wall-clock figures, asserts nothing.

  no-op `scons` over every model in models.yaml       (target < 1.5 s)
  analysis of the 4 MB MobileNetV2 from scratch       (target < 3 s)

Runs in a temporary copy of the project so the working tree's build state is untouched.
Usage: .venv/bin/python benchmarks/bench_spine.py [--repeat N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SCONS = [sys.executable, "-m", "SCons"]
sys.path.insert(0, str(PROJECT / "tests"))

from scons_project import copy_project  # noqa: E402  (the same copy the SCons tests build in)


def timed(cmd, cwd) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        copy_project(work)
        cold = timed([*SCONS, "-Q"], work)
        noop = [timed([*SCONS, "-Q"], work) for _ in range(args.repeat)]
        scratch = []
        for _ in range(args.repeat):
            shutil.rmtree(work / "build" / "mnv2", ignore_errors=True)
            shutil.rmtree(work / "reports" / "mnv2", ignore_errors=True)
            scratch.append(timed([*SCONS, "-Q", "mnv2-analyze"], work))
    print(f"cold build, all models:          {cold:6.2f} s")
    print(
        f"no-op scons, all models:         {statistics.median(noop):6.2f} s median of "
        f"{args.repeat} (min {min(noop):.2f}, max {max(noop):.2f})  target < 1.5 s"
    )
    print(
        f"mnv2 analysis from scratch:      {statistics.median(scratch):6.2f} s median of "
        f"{args.repeat} (min {min(scratch):.2f}, max {max(scratch):.2f})  target < 3 s"
    )


if __name__ == "__main__":
    main()
