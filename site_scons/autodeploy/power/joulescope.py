"""Energy of a board's measured window with a Joulescope, through the `joulescope` 1.5 (v1) API.

Per CPU mode, the reference tool's handshake (GPO0 to the board's trigger pin, the board's in0/in1
pins to GPI0/GPI1): raise GPO0; the board acks with GPI = 3; clear the statistics accumulators and
drop GPO0; GPI = 0 while the board runs; GPI = 2 when done. Energy and the window's duration are
then read from the next statistics update (its accumulators count from the clear). A window
whose energy reads 0 is measured once more.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from ..errors import AutodeployError
from .console import Gpio, PowerConsole, Window

SOURCE = "measured (Joulescope)"
ACK, RUNNING, DONE = 3, 0, 2


class JoulescopeError(AutodeployError):
    """No Joulescope, a device error, or a board that does not follow the handshake."""


@dataclass(frozen=True)
class Timeouts:
    ack_s: float = 5.0  # trigger raised -> GPI = 3
    run_s: float = 600.0  # GPI = 0 -> GPI = 2 (all inferences of one mode)
    stats_s: float = 3.0  # GPI = 2 -> the next statistics update
    poll_s: float = 0.001


def open_joulescope(module=None):
    """The one attached Joulescope, opened and configured as the reference tool does.
    `module` is the `joulescope` package (a fake in tests)."""
    if module is None:
        import joulescope as module  # pinned in requirements.txt; imported only for a board
    devices = module.scan()
    if not devices:
        raise JoulescopeError(
            "no Joulescope found: connect one by USB (and close the Joulescope UI, which holds "
            "the device), or run without DEVICE= for the emulator's modelled power"
        )
    if len(devices) > 1:
        raise JoulescopeError(
            f"{len(devices)} Joulescopes found ({', '.join(map(str, devices))}); leave one attached"
        )
    return devices[0]


class Meter:
    """An opened Joulescope: settings, statistics and the GPIO handshake."""

    def __init__(self, device, io_voltage: float, timeouts: Timeouts = Timeouts()):
        self.device = device
        self.io_voltage = io_voltage
        self.timeouts = timeouts
        self._lock = threading.Lock()
        self._updates = 0
        self._latest: dict | None = None

    def __enter__(self) -> Meter:
        try:
            self.device.open()
        except Exception as err:
            raise JoulescopeError(f"cannot open Joulescope {self.device}: {err}") from err
        try:
            for name, value in (
                ("sensor_power", "on"),
                ("i_range", "auto"),
                ("v_range", "15V"),
                ("io_voltage", f"{self.io_voltage:.1f}V"),
                ("gpo0", "0"),
            ):
                self.device.parameter_set(name, value)
            self.device.statistics_callback_register(self._on_statistics)
        except BaseException:
            self.device.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.device.statistics_callback_unregister(self._on_statistics)
            self.device.parameter_set("gpo0", "0")
        finally:
            self.device.close()

    def _on_statistics(self, data: dict) -> None:
        # Called from the driver's thread.
        with self._lock:
            self._latest = data
            self._updates += 1

    def _gpi(self) -> int:
        return int(self.device.extio_status()["gpi_value"]["value"]) & 3

    def _wait_gpi(self, value: int, timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while self._gpi() != value:
            if time.monotonic() > deadline:
                raise JoulescopeError(
                    f"the board did not {what} within {timeout_s:g} s (GPI stayed at "
                    f"{self._gpi()}, expected {value}); check the wiring of the trigger and "
                    "in0/in1 pins (platform YAML power.joulescope.gpio) and io_voltage"
                )
            time.sleep(self.timeouts.poll_s)

    def _next_statistics(self, after: int) -> dict:
        deadline = time.monotonic() + self.timeouts.stats_s
        while True:
            with self._lock:
                if self._updates > after and self._latest is not None:
                    return self._latest
            if time.monotonic() > deadline:
                raise JoulescopeError(
                    f"the Joulescope sent no statistics within {self.timeouts.stats_s:g} s"
                )
            time.sleep(self.timeouts.poll_s)

    def window(self) -> tuple[float, float]:
        """Run one handshake; returns (energy J, window s) of the board's measured window."""
        t = self.timeouts
        self.device.parameter_set("gpo0", "1")
        self._wait_gpi(ACK, t.ack_s, "acknowledge the trigger (GPI = 3)")
        self.device.statistics_accumulators_clear()
        self.device.parameter_set("gpo0", "0")
        self._wait_gpi(DONE, t.run_s, "finish its inferences (GPI = 2)")
        with self._lock:
            seen = self._updates
        stats = self._next_statistics(seen)
        # v1 counts time.range and the accumulators from the first update after the clear.
        elapsed = stats["time"]["range"]["value"][1]
        return float(stats["accumulators"]["energy"]["value"]), float(elapsed)


def measure_mode(
    meter: Meter, console: PowerConsole, mode: str, runs: int, seed: int, gpio: Gpio
) -> dict:
    """Per-inference figures of one CPU mode, measured; one retry when the energy reads 0."""
    for attempt in (1, 2):
        console.start(mode, runs, seed, handshake=True, gpio=gpio)
        energy_j, window_s = meter.window()
        board: Window = console.done(mode, meter.timeouts.stats_s + 5.0)
        if energy_j > 0 and window_s > 0:
            return {
                "runs": runs,
                "attempts": attempt,
                "window_s": window_s,
                "board_ticks": board.ticks,
                "counter_hz": board.counter_hz,
                "time_ms": window_s / runs * 1e3,
                "energy_uj": energy_j / runs * 1e6,
                "power_mw": energy_j / window_s * 1e3,
            }
    raise JoulescopeError(
        f"CPU mode {mode}: the Joulescope read 0 energy twice; check that the board is powered "
        "through the Joulescope (IN+ / OUT+) and that sensor power is on"
    )
