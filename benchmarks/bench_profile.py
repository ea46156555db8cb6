#!/usr/bin/env python3
"""Profile benchmarks on the emulated board: prints figures, asserts nothing.

  cold `scons kws-profile` from a clean build dir (shared runtime library included)  (< 20 s)
  `scons kws-profile` after the KWS .tflite changed                                   (< 8 s)
  no-op `scons kws-profile`                                                            (< 1.5 s)
  cold `scons mnv3sm-profile`                                                          (< 60 s)
  instructions per MAC of every shipped model on the emulated M55, gcc and clang (--ipm)

Runs in a temporary copy of the project so the working tree's build state is untouched.
Usage: .venv/bin/python benchmarks/bench_profile.py [--ipm] [--skip-timings]
"""

from __future__ import annotations

import argparse
import json
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


def instructions_per_mac(work: Path) -> None:
    """Profiles every model with each toolchain (models.yaml's default toolchain switched)."""
    models_yaml = work / "models.yaml"
    original = models_yaml.read_text()
    table: dict[str, dict[str, dict]] = {}
    for toolchain in ("gcc", "clang"):
        models_yaml.write_text(original.replace("  toolchain: gcc", f"  toolchain: {toolchain}", 1))
        start = time.perf_counter()
        subprocess.run([*SCONS, "-j2", "profile-all"], cwd=work, check=True)
        print(f"profile-all with {toolchain}: {time.perf_counter() - start:.1f} s")
        for summary in sorted(work.glob(f"reports/*/*-{toolchain}-*/profile.json")):
            data = json.loads(summary.read_text())
            table.setdefault(data["model"], {})[toolchain] = data
    models_yaml.write_text(original)
    print(f"\n{'model':14} {'MACs':>12} {'gcc instr':>13} {'gcc I/MAC':>9} "
          f"{'clang instr':>13} {'clang I/MAC':>11}")  # fmt: skip
    for model, runs in sorted(table.items()):
        macs = next(iter(runs.values()))["total_macs"]
        cells = []
        for toolchain in ("gcc", "clang"):
            instr = runs.get(toolchain, {}).get("total_instructions")
            per_mac = f"{instr / macs:9.2f}" if instr and macs else f"{'-':>9}"
            cells.append(f"{instr if instr else '-':>13} {per_mac}")
        print(f"{model:14} {macs:>12} {cells[0]}   {cells[1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ipm", action="store_true", help="also instructions per MAC, all models")
    parser.add_argument("--skip-timings", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        copy_project(work)
        if not args.skip_timings:
            timings(work)
        if args.ipm:
            instructions_per_mac(work)


if __name__ == "__main__":
    main()
