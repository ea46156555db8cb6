#!/usr/bin/env python3
"""RPC round trip over the URLs a board can have: prints figures, asserts nothing.

One emulated board (kws validator on QEMU) is reached three ways, and get_info() (one small
request, one small reply) is timed over each:

  socket://   straight to QEMU's serial port (what an emulator profile uses)
  raw relay   socket:// through a TCP relay in this process: the cost of the extra hop alone
  rfc2217://  through an RFC 2217 server in this process (pyserial's PortManager over the same
              relay): what a board exported by ser2net in RFC 2217 mode costs

An RPC over rfc2217:// should cost about what the raw relay costs. With pyserial 3.5 it did not
while the link set the port's read timeout before every read: pyserial's rfc2217 client re-sends
all port settings whenever .timeout is assigned, and waits for the server to confirm them.
Usage: .venv/bin/python benchmarks/bench_rfc2217.py [--calls N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import serial

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "site_scons"))
sys.path.insert(0, str(PROJECT / "tests"))

from scons_project import copy_project  # noqa: E402
from support.serial_relay import Relay  # noqa: E402

from autodeploy.board import Emulator  # noqa: E402
from autodeploy.config import load_config  # noqa: E402
from autodeploy.rpc.client import BoardClient  # noqa: E402

VARIANT = "apollo510_evb-gcc-auto-auto"


def round_trips(url: str, calls: int) -> tuple[float, list[float]]:
    """Seconds to open the link, and the seconds of each get_info() call."""
    start = time.perf_counter()
    with BoardClient(url, connect_timeout_s=10.0) as client:
        opened = time.perf_counter() - start
        client.info()  # first call: the board may still be starting
        times = []
        for _ in range(calls):
            t = time.perf_counter()
            client.info()
            times.append(time.perf_counter() - t)
    return opened, times


def build_firmware(work: Path) -> Path:
    copy_project(work)
    subprocess.run(
        [sys.executable, "-m", "SCons", "-Q", "kws-firmware"],
        cwd=work,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return work / f"build/kws/{VARIANT}/validator.elf"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=30)
    args = parser.parse_args()
    print(f"pyserial {serial.VERSION}; {args.calls} get_info() round trips per URL")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        elf = build_firmware(work)
        platform = load_config(work).platforms["apollo510_evb"]
        with Emulator(platform, elf, work / "qemu.log") as board:
            results = [("socket:// (direct)", *round_trips(board.url, args.calls))]
            for label, rfc2217 in (("socket:// (raw relay)", False), ("rfc2217:// (relay)", True)):
                relay = Relay(board.url, rfc2217)
                results.append((label, *round_trips(relay.url, args.calls)))
                time.sleep(0.2)  # QEMU takes the next connection once the relay let go
    print(f"{'link':24} {'open ms':>8} {'median ms':>10} {'mean ms':>8} {'max ms':>8}")
    for label, opened, times in results:
        ms = [t * 1e3 for t in times]
        print(
            f"{label:24} {opened * 1e3:8.1f} {statistics.median(ms):10.2f} "
            f"{statistics.mean(ms):8.2f} {max(ms):8.2f}"
        )


if __name__ == "__main__":
    main()
