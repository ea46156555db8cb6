"""The power step of one variant: run the power firmware in every CPU mode of the platform, on the
emulator (modelled energy) or a board with a Joulescope (measured), and write the reports.

A board from a farm whose place has a power switch is power-cycled (and reflashed) between CPU
modes, so each mode is measured from a fresh start."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import serial

from ..board import run_on_board
from ..board.qemu_plugin import PluginError
from ..config.loader import Platform
from ..progress import progress_line
from ..run_record import run_record
from ..timing.capture import PluginCapture
from ..timing.estimate import LABEL
from .console import Gpio, PowerConsole, PowerConsoleError
from .joulescope import SOURCE as MEASURED
from .joulescope import Meter, Timeouts, measure_mode, open_joulescope
from .modelled import SOURCE as MODELLED
from .modelled import modelled_mode, with_cycle_estimate
from .report import build_power, write_power

READY_TIMEOUT_S = 20.0
#: The power app's function whose two counter reads bracket a mode's runs (the plugin's window:
#: both reads after its entry are edges).
POWER_HOOK = "measure"
# Emulator: 200 KWS inferences are ~4 G instructions, ~6 s of QEMU; allow big models too.
EMULATOR_RUN_TIMEOUT_S = 1800.0


@dataclass(frozen=True)
class PowerRequest:
    model: str
    variant: str
    platform: Platform
    toolchain: str
    runs: int
    seed: int
    tflite_sha256: str  # of the model file: the result log keys rows by it
    elf: str | os.PathLike
    log_path: str | os.PathLike
    device: str | None = None  # DEVICE=: a real board's serial URL, measured with a Joulescope
    coordinator: str | None = None  # LG_COORDINATOR, for a board from a farm (DEVICE=labgrid:...)
    # the emulator's time from the QEMU plugin and timing model (scons: on, CYCLE_ESTIMATE=off)
    cycle_estimate: bool = False


def _gpio(platform: Platform) -> Gpio:
    g = platform.power_gpio
    return Gpio(trigger=g.trigger, in0=g.in0, in1=g.in1)


def _window_done(request: PowerRequest, modes: dict, progress) -> None:
    total = len(request.platform.cpu_modes)
    progress(progress_line("power", request.model, "window", len(modes), total))


def _emulator_modes(request: PowerRequest, console: PowerConsole, progress) -> dict:
    modes = {}
    for name, mode in request.platform.cpu_modes.items():
        console.start(
            name, request.runs, request.seed, handshake=False, gpio=_gpio(request.platform)
        )
        window = console.done(name, EMULATOR_RUN_TIMEOUT_S)
        modes[name] = modelled_mode(window, mode.clock_hz, mode.power_mw)
        _window_done(request, modes, progress)
    return modes


def _board_modes(request: PowerRequest, link: _ConsoleLink, joulescope, timeouts, progress) -> dict:
    device = open_joulescope(joulescope)
    modes = {}
    with Meter(device, request.platform.power_gpio.io_voltage, timeouts) as meter:
        for name in request.platform.cpu_modes:
            if modes and link.board.power_switch:
                link.power_cycle()
            modes[name] = measure_mode(
                meter, link.console, name, request.runs, request.seed, _gpio(request.platform)
            )
            _window_done(request, modes, progress)
    return modes


class _ConsoleLink:
    """The power firmware's console on the board; after a power cycle, opened anew."""

    def __init__(self, board, request: PowerRequest):
        self.board = board
        self.model = request.model
        self.baud = request.platform.transport.baud
        self.where = f"{board.description}, log {request.log_path}"
        self.port = None
        self.console: PowerConsole | None = None

    def __enter__(self) -> _ConsoleLink:
        self._open()
        return self

    def __exit__(self, *exc) -> None:
        self.port.close()

    def power_cycle(self) -> None:
        self.port.close()
        self.board.power_cycle()
        self._open()

    def _open(self) -> None:
        """Open the console and wait for the firmware's READY."""
        self.port = serial.serial_for_url(self.board.url, baudrate=self.baud)
        try:
            self.port.timeout = 0.05
            self.console = PowerConsole(self.port, self.where)
            self.console.ready(self.model, READY_TIMEOUT_S)
        except BaseException:
            self.port.close()
            raise


def _estimated(platform: Platform, modes: dict, counts) -> dict:
    """Each mode's figures with time from the cycle estimate of its window (one per mode, in
    the order the modes ran)."""
    if len(counts.layers) != len(modes):
        raise PluginError(
            f"the QEMU plugin saw {len(counts.layers)} power windows for {len(modes)} CPU modes: "
            f"the power app's {POWER_HOOK}() was not found (rebuild the firmware)"
        )
    return {
        name: with_cycle_estimate(
            modes[name], window, platform.timing, platform.cpu_modes[name].clock_hz
        )
        for name, window in zip(modes, counts.layers, strict=True)
    }


def _note(request: PowerRequest, measured: bool, estimated: bool) -> str:
    if measured:
        return (
            "Energy and the window's duration from the Joulescope's statistics accumulators, "
            "between the board's GPIO acknowledgements; time = window / runs."
        )
    model = request.platform.power_model
    calibrated = "calibrated" if model.calibrated else "NOT calibrated (placeholder values)"
    time = (
        f"time = the {LABEL} of the window at the mode's clock (platform timing model)"
        if estimated
        else "time = instructions / the mode's clock (one instruction per cycle)"
    )
    return (
        f"Modelled on the emulator, not measured: {time}; energy = the mode's power_mw x time. "
        f"Power model {calibrated}: {model.source}."
    )


def power_variant(
    request: PowerRequest,
    paths,
    *,
    joulescope=None,
    timeouts: Timeouts | None = None,
    progress: Callable[[str], None] = print,
) -> dict:
    """Measure or model every CPU mode and write paths (power.json, power.md); returns the
    report. `joulescope` replaces the joulescope package (tests); `progress` gets a line after
    each mode's window."""

    def measure(board) -> dict:
        with _ConsoleLink(board, request) as link:
            if board.measured:
                modes = _board_modes(request, link, joulescope, timeouts or Timeouts(), progress)
            else:
                modes = _emulator_modes(request, link.console, progress)
            link.console.finish()
        return modes

    enabled = request.cycle_estimate
    with PluginCapture(
        request.platform, request.elf, request.device, enabled, POWER_HOOK, boundaries=2
    ) as cap:
        board, modes = run_on_board(
            cap.platform,
            request.elf,
            request.log_path,
            request.device,
            measure,
            lost=(PowerConsoleError, serial.SerialException),  # the board went silent or away
            coordinator=request.coordinator,
            what=f"{request.model} {request.variant} (power)",
        )
        counts = cap.counts()
    if counts is not None:
        modes = _estimated(request.platform, modes, counts)
    meta = {
        "model": request.model,
        "variant": request.variant,
        "platform": request.platform.name,
        "toolchain": request.toolchain,
        "runs_power": request.runs,
        "seed": request.seed,
        "run": run_record(request.tflite_sha256, request.seed),
    }
    source = MEASURED if board.measured else MODELLED
    power = build_power(meta, modes, source, _note(request, board.measured, counts is not None))
    write_power(power, *paths)
    return power
