#!/usr/bin/env python3
"""Cost of the cycle estimate: prints figures, asserts nothing.

A KWS profile (10 runs) and an mnv3sm profile (2 runs) on the emulated Apollo510, without the
QEMU plugin (CYCLE_ESTIMATE=off) and with it (the default: the plugin with the platform's data
cache model, then the timing model), each timed three times as profile_variant's wall time. The
plugin must be built (scripts/build-qemu-plugin.sh). Runs in a temporary copy of the project so
the working tree's build state is untouched.
Usage: .venv/bin/python benchmarks/bench_plugin.py
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "tests"))
sys.path.insert(0, str(PROJECT / "site_scons"))

from scons_project import SconsProject  # noqa: E402  (the same copy the SCons tests build in)

from autodeploy.config import load_config  # noqa: E402
from autodeploy.profile.run import ProfileRequest, profile_variant  # noqa: E402

VARIANT = "apollo510_evb-gcc-auto-auto"


MODELS = {"kws": 10, "mnv3sm": 2}  # model: runs per profile


def profile_seconds(work: Path, model: str, estimate: bool) -> float:
    config = load_config(work)
    platform = config.platforms["apollo510_evb"]
    build = work / "build" / model / VARIANT
    elf = build / "validator.elf"
    request = ProfileRequest(
        model=model,
        variant=VARIANT + "-HP",
        analysis=json.loads((work / f"build/{model}/mve/model_analysis.json").read_text()),
        placement=json.loads((build / "placement.json").read_text()),
        tflite=config.models[model].tflite.read_bytes(),
        platform=platform,
        cpu_mode="HP",
        runs=MODELS[model],
        seed=42,
        elf=elf,
        log_path=work / "board.log",
        cycle_estimate=estimate,
    )
    paths = [work / f"profile.{ext}" for ext in ("csv", "md", "json")]
    start = time.perf_counter()
    profile_variant(request, paths, lambda line: None)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        SconsProject(work).scons("-j2", *(f"{model}-firmware" for model in MODELS))
        for model, runs in MODELS.items():
            for estimate, label in ((False, "no plugin"), (True, "plugin")):
                times = [profile_seconds(work, model, estimate) for _ in range(3)]
                figures = " ".join(f"{t:6.2f} s" for t in times)
                print(f"{model} profile ({runs} runs), {label:9}: {figures}")


if __name__ == "__main__":
    main()
