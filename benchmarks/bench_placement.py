#!/usr/bin/env python3
"""A placement sweep under the cycle estimate: prints figures, asserts nothing.

ResNet-8 (MLPerf Tiny IC; weights larger than the 64 KB data cache) on the emulated Apollo510,
weights in TCM, SRAM, MRAM or PSRAM, arena in TCM, profiled with `scons <model>-profile` (2
runs) in a temporary copy of the project. Per placement: instructions, the cycle estimate
(model) and its memory part, the estimated time at 250 MHz, the emulated data-cache line fills.
Usage: .venv/bin/python benchmarks/bench_placement.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "tests"))

from scons_project import copy_project  # noqa: E402

TFLITE = "    tflite: models/mlperf_tiny_ic_resnet8_cifar10_int8.tflite\n"
PLACES = ("TCM", "SRAM", "MRAM", "PSRAM")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        copy_project(work)
        models = work / "models.yaml"
        extra = "".join(
            f"  ic_{p.lower()}:\n{TFLITE}    model_location: {p}\n    arena_location: TCM\n"
            "    runs: 2\n"
            for p in PLACES
        )
        models.write_text(models.read_text().replace("  ic:\n", extra + "  ic:\n", 1))
        targets = [f"ic_{p.lower()}-profile" for p in PLACES]
        scons = [sys.executable, "-m", "SCons", "-Q", "-j2", *targets]
        subprocess.run(scons, cwd=work, check=True, stdout=subprocess.DEVNULL)
        print("weights  instructions  cycles (model)  memory part  ms at 250 MHz  line fills")
        for place in PLACES:
            path = next((work / "reports" / f"ic_{place.lower()}").glob("*/profile.json"))
            profile = json.loads(path.read_text())
            estimate = profile["cycle_estimate"]
            memory = sum(estimate["parts"]["memory"].values())
            print(
                f"{place:7}  {profile['total_instructions']:12,}  {estimate['cycles']:14,}  "
                f"{memory:11,}  {profile['inference_us'] / 1000:13.3f}  "
                f"{estimate['events']['L1D_CACHE_REFILL']:10,}"
            )


if __name__ == "__main__":
    main()
