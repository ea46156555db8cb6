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
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import serial
import serial.rfc2217

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "site_scons"))
sys.path.insert(0, str(PROJECT / "tests"))

from scons_project import copy_project  # noqa: E402

from autodeploy.board import Emulator  # noqa: E402
from autodeploy.config import load_config  # noqa: E402
from autodeploy.rpc.client import BoardClient  # noqa: E402

VARIANT = "apollo510_evb-gcc-auto-auto"


class Relay:
    """Accepts one TCP client on a loopback port and connects it to `upstream` (a pyserial URL);
    with rfc2217=True the client speaks RFC 2217 and pyserial's PortManager answers it."""

    def __init__(self, upstream: str, rfc2217: bool):
        self.upstream = upstream
        self.rfc2217 = rfc2217
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        scheme = "rfc2217" if self.rfc2217 else "socket"
        return f"{scheme}://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        client, _ = self.listener.accept()
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        board = serial.serial_for_url(self.upstream, timeout=0.05)
        manager = serial.rfc2217.PortManager(board, _Writer(client)) if self.rfc2217 else None
        down = threading.Thread(target=self._to_client, args=(board, client, manager), daemon=True)
        down.start()
        try:
            while data := client.recv(4096):
                board.write(b"".join(manager.filter(data)) if manager else data)
        except OSError:
            pass
        finally:
            self.stopped.set()
            down.join()
            board.close()
            client.close()

    def _to_client(self, board, client, manager) -> None:
        try:
            while not self.stopped.is_set():
                data = board.read(1)  # returns at the first byte (or after the timeout)
                if data:
                    data += board.read(board.in_waiting)
                    client.sendall(b"".join(manager.escape(data)) if manager else data)
                if manager:
                    manager.check_modem_lines()
        except (OSError, serial.SerialException):
            pass


class _Writer:
    """What PortManager writes its telnet answers to."""

    def __init__(self, sock: socket.socket):
        self.sock = sock

    def write(self, data: bytes) -> None:
        self.sock.sendall(data)


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
