#!/usr/bin/env python3
"""The `autodeploy` one-shot command on KWS: prints wall-clock figures, asserts nothing.

  cold: a fresh destination folder (analysis, firmware, profile on the emulated Apollo510)
  warm: the same command again (nothing to build; the report is printed again)
  cold and warm with the committed dataset (36 samples uploaded and run) and --joulescope

Usage: .venv/bin/python benchmarks/bench_cli.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
KWS = PROJECT / "models/mlperf_tiny_kws_dscnn_int8.tflite"
DATA = PROJECT / "models/datasets/kws_espeak.npz"


def timed(args: list[str], dest: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(PROJECT / "site_scons"))
    command = [sys.executable, "-m", "autodeploy.cli", "--tflite-filename", str(KWS)]
    command += ["--model-name", "kws", "--destination-rootdir", str(dest), "--verbosity", "0"]
    start = time.perf_counter()
    subprocess.run([*command, *args], check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cases = {
        "kws (seeded inputs)": [],
        "kws --dataset (36 samples) --joulescope": ["--dataset", str(DATA), "--joulescope"],
    }
    for name, extra in cases.items():
        with tempfile.TemporaryDirectory() as tmp:
            cold = timed(extra, Path(tmp))
            warm = [timed(extra, Path(tmp)) for _ in range(args.repeat)]
        print(f"{name:<42} cold {cold:6.2f} s")
        print(
            f"{name:<42} warm {statistics.median(warm):6.2f} s median of {args.repeat} "
            f"(min {min(warm):.2f}, max {max(warm):.2f})"
        )


if __name__ == "__main__":
    main()
