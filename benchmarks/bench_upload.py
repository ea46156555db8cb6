#!/usr/bin/env python3
"""Upload benchmark: MobileNetV2's weights into the emulated Apollo510's PSRAM. Prints figures,
asserts nothing.

mnv2 (4 MB .tflite) does not fit MRAM's usable 3276 KB, so auto placement puts its weights in
PSRAM: the validator image carries none and the host uploads them over the emulated UART
(autodeploy.rpc.upload) before the first inference. This builds that validator in a temporary
copy of the project, starts it on QEMU and times the upload as the profile step does it, from
the first chunk to the board's CRC-32 check of the whole image. The emulated UART's host-to-board
rate depends on how busy the machine is (QEMU moves one byte per main-loop turn), so the script
prints the load average beside the figures.

Usage: .venv/bin/python benchmarks/bench_upload.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SCONS = [sys.executable, "-m", "SCons", "-Q"]
sys.path.insert(0, str(PROJECT / "tests"))
sys.path.insert(0, str(PROJECT / "site_scons"))

from scons_project import copy_project  # noqa: E402  (the same copy the SCons tests build in)

from autodeploy.board import Emulator  # noqa: E402
from autodeploy.config import load_config  # noqa: E402
from autodeploy.firmware.elf import read_elf  # noqa: E402
from autodeploy.firmware.upload_image import upload_image  # noqa: E402
from autodeploy.rpc.client import BoardClient  # noqa: E402
from autodeploy.rpc.upload import upload_model_data  # noqa: E402

ELF = "build/mnv2/apollo510_evb-gcc-PSRAM-auto/validator.elf"


def upload_once(work: Path, platform, image) -> tuple[object, float]:
    """One upload on a freshly booted emulator; returns its result and the board's verification
    time (the last call alone)."""
    with (
        Emulator(platform, work / ELF, work / "upload.log") as board,
        BoardClient(board.url, baud=board.baud) as client,
    ):
        verify = client.verify_upload
        timing = {}

        def timed_verify():
            start = time.perf_counter()
            state = verify()
            timing["verify"] = time.perf_counter() - start
            return state

        client.verify_upload = timed_verify
        result = upload_model_data(client, image.data, "mnv2", lambda line: None)
    return result, timing["verify"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="uploads to time (default 1)")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        copy_project(work)
        subprocess.run([*SCONS, "mnv2-firmware"], cwd=work, check=True, stdout=subprocess.DEVNULL)
        platform = load_config(work).platforms["apollo510_evb"]
        image = upload_image(read_elf(work / ELF))
        print(f"mnv2 model data in PSRAM: {image.size:,} bytes (CRC-32 0x{image.crc32:08x})")
        for run in range(runs):
            load = os.getloadavg()[0]
            result, verify_s = upload_once(work, platform, image)
            print(
                f"upload {run + 1}: {result.seconds:7.1f} s  {result.bytes_per_s / 1024:5.1f} KB/s"
                f"  {result.chunks} chunks, {result.retries} retries, {result.resumes} resumes;"
                f" board CRC check {verify_s * 1000:.0f} ms; load average {load:.1f} on "
                f"{os.cpu_count()} cores"
            )


if __name__ == "__main__":
    main()
