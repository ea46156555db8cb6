#!/usr/bin/env python3
"""A sweep's profiles on a board farm, one board at a time vs in parallel: prints figures, asserts
nothing.

A labgrid coordinator and two exporters on loopback serve four places whose boards are QEMU behind
the place's serial port, started by a fake flash command (tests/support/lab_farm.py, the farm the
tests use). The sweep is kws x {gcc, clang} x {TCM, MRAM} weights x {LP, HP}: 8 profile jobs of
10 inferences each. Firmware is built first; then the profiles run with -j1 and with -j4
(`scons sweep-bench-profile DEVICE=labgrid:board=apollo510_evb`), and a third time with -j4 on
the emulator for comparison. Also printed: acquire + release of one place through a lease.
Usage: .venv/bin/python benchmarks/bench_farm.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "site_scons"))
sys.path.insert(0, str(PROJECT / "tests"))

from scons_project import copy_project  # noqa: E402
from support.lab_farm import LabFarm  # noqa: E402
from test_farm import BOARD_SUPPORT, PLACES  # noqa: E402  (the tests' places and flash command)

from autodeploy.farm.lease import Lease  # noqa: E402
from autodeploy.farm.request import parse_device  # noqa: E402

SWEEP = """
sweeps:
  bench:
    models: [kws]
    axes:
      toolchain: [gcc, clang]
      model_location: [TCM, MRAM]
      cpu_mode: [LP, HP]
"""
TARGET = "sweep-bench-profile"


def scons(work: Path, farm: LabFarm, *args: str) -> float:
    env = {**os.environ, "AUTODEPLOY_LABGRID_VENV": str(farm.python.parent.parent)}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "SCons", "-Q", *args, f"LG_COORDINATOR={farm.coordinator}"],
        cwd=work,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def forget_profiles(work: Path) -> None:
    for path in (work / "reports/kws").glob("*/profile.*"):
        path.unlink()


def lease_round_trip(farm: LabFarm) -> float:
    request = parse_device("labgrid:p1", farm.coordinator)
    start = time.perf_counter()
    with Lease(request, "bench", progress=lambda line: None) as lease:
        lease.acquire()
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        work = root / "project"
        work.mkdir()
        copy_project(work)
        text = (work / "models.yaml").read_text()
        (work / "models.yaml").write_text(text[: text.index("\nsweeps:\n")] + SWEEP)
        with LabFarm(root / "farm", PLACES) as farm:
            with open(work / "platforms/apollo510_evb.yaml", "a") as handle:
                handle.write(
                    BOARD_SUPPORT.format(
                        python=sys.executable, flasher=farm.flasher, state=farm.state
                    )
                )
            device = "DEVICE=labgrid:board=apollo510_evb"
            scons(work, farm, "-j4", TARGET, device)  # builds the board firmware
            forget_profiles(work)
            serial = scons(work, farm, "-j1", TARGET, device)
            farm.kill_boards()
            forget_profiles(work)
            parallel = scons(work, farm, "-j4", TARGET, device)
            farm.kill_boards()
            scons(work, farm, "-j4", TARGET)  # builds the emulator firmware
            forget_profiles(work)
            emulator = scons(work, farm, "-j4", TARGET)
            lease = min(lease_round_trip(farm) for _ in range(5))
    print("8 kws profile jobs (10 inferences each); 4 places on 2 exporters, loopback:")
    print(f"  farm, one at a time (-j1):   {serial:6.1f} s")
    print(f"  farm, in parallel (-j4):     {parallel:6.1f} s   ({serial / parallel:.1f}x)")
    print(f"  emulator, in parallel (-j4): {emulator:6.1f} s")
    print(f"  one lease (agent start, reserve, acquire, release): {lease * 1e3:.0f} ms (best of 5)")


if __name__ == "__main__":
    main()
