#!/usr/bin/env python3
"""QEMU plugin overhead: prints figures, asserts nothing.

A KWS profile (10 runs) and an mnv3sm profile (2 runs) on the emulated Apollo510 without the
plugin, with it, and with it simulating a 64 KiB 4-way data cache of 32-byte lines in front of
SRAM and TCM, each timed three times. TCM is cached too, which a real Cortex-M55 does not do,
so that the data, mostly in TCM, goes through the cache: the worst case. The plugin must be
built (scripts/build-qemu-plugin.sh). Runs in a temporary copy of the project so the working
tree's build state is untouched.
Usage: .venv/bin/python benchmarks/bench_plugin.py
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "tests"))
sys.path.insert(0, str(PROJECT / "site_scons"))

from scons_project import copy_project  # noqa: E402  (the same copy the SCons tests build in)

from autodeploy.board.qemu_plugin import DataCache, with_plugin  # noqa: E402
from autodeploy.config import load_config  # noqa: E402
from autodeploy.profile.run import ProfileRequest, profile_variant  # noqa: E402

VARIANT = "apollo510_evb-gcc-auto-auto"
CACHE = DataCache(size=65536, ways=4, line=32, regions=("SRAM", "TCM"))


MODELS = {"kws": 10, "mnv3sm": 2}  # model: runs per profile


def profile_seconds(work: Path, model: str, mode: str) -> float:
    config = load_config(work)
    platform = config.platforms["apollo510_evb"]
    build = work / "build" / model / VARIANT
    elf = build / "validator.elf"
    if mode != "none":
        cache = CACHE if mode == "dcache" else None
        platform = with_plugin(platform, elf, work / "counts.json", data_cache=cache)
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
        copy_project(work)
        targets = [f"{model}-firmware" for model in MODELS]
        scons = [sys.executable, "-m", "SCons", "-Q", "-j2", *targets]
        subprocess.run(scons, cwd=work, check=True, stdout=subprocess.DEVNULL)
        for model, runs in MODELS.items():
            for mode, label in (("none", "no plugin"), ("plugin", "plugin"), ("dcache", "+dcache")):
                times = [profile_seconds(work, model, mode) for _ in range(3)]
                figures = " ".join(f"{t:6.2f} s" for t in times)
                print(f"{model} profile ({runs} runs), {label:9}: {figures}")


if __name__ == "__main__":
    main()
