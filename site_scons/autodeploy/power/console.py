"""The power firmware's text protocol on the board console (firmware/apps/power/main.c)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..errors import AutodeployError


class PowerConsoleError(AutodeployError):
    """The power firmware did not answer as expected on the console."""


@dataclass(frozen=True)
class Gpio:
    """Pins of the handshake (platform YAML power.joulescope.gpio)."""

    trigger: int
    in0: int
    in1: int


@dataclass(frozen=True)
class Window:
    """What the board reports for one CPU mode: `runs` inferences took `ticks` counter ticks."""

    mode: str
    runs: int
    ticks: int
    counter_hz: int


class PowerConsole:
    """Line protocol over a pyserial-like port (write(bytes), read(n) with a read timeout)."""

    def __init__(self, port, where: str):
        self.port = port
        self.where = where  # e.g. "QEMU mps3-an547, log reports/.../board.log"
        self._buffer = b""

    def readline(self, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._buffer:
            if time.monotonic() > deadline:
                raise PowerConsoleError(
                    f"the power firmware sent no complete line within {timeout_s:g} s "
                    f"({self.where}); got {self._buffer[-80:]!r}. Check that the board runs the "
                    "power image and that the console port is right."
                )
            self._buffer += self.port.read(256)
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode(errors="replace").strip()

    def ready(self, model: str, timeout_s: float) -> None:
        line = self.readline(timeout_s)
        if line != f"READY {model}":
            raise PowerConsoleError(
                f"expected 'READY {model}' from the power firmware ({self.where}), got {line!r}; "
                "is the right image on the board?"
            )

    def start(self, mode: str, runs: int, seed: int, handshake: bool, gpio: Gpio) -> None:
        pins = f"{gpio.trigger} {gpio.in0} {gpio.in1}"
        self.port.write(f"RUN {mode} {runs} {seed} {int(handshake)} {pins}\n".encode())

    def done(self, mode: str, timeout_s: float) -> Window:
        line = self.readline(timeout_s)
        parts = line.split()
        if len(parts) != 5 or parts[0] != "DONE" or parts[1] != mode:
            raise PowerConsoleError(
                f"expected 'DONE {mode} <runs> <ticks> <hz>' from the power firmware "
                f"({self.where}), got {line!r}"
            )
        runs, ticks, hz = (int(p) for p in parts[2:])
        return Window(mode=mode, runs=runs, ticks=ticks, counter_hz=hz)

    def finish(self) -> None:
        """Ends the firmware (it exits 0; the emulator closes the port as it does)."""
        self.port.write(b"END\n")
