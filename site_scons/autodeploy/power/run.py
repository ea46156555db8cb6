"""The power step of one variant: run the power firmware in every CPU mode of the platform, on the
emulator (modelled energy) or a board with a Joulescope (measured), and write the reports."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import serial

from ..board import open_board
from ..config.loader import Platform
from ..progress import progress_line
from ..run_record import run_record
from .console import Gpio, PowerConsole
from .joulescope import SOURCE as MEASURED
from .joulescope import Meter, Timeouts, measure_mode, open_joulescope
from .modelled import SOURCE as MODELLED
from .modelled import modelled_mode
from .report import build_power, write_power

READY_TIMEOUT_S = 20.0
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


def _board_modes(
    request: PowerRequest, console: PowerConsole, joulescope, timeouts, progress
) -> dict:
    device = open_joulescope(joulescope)
    modes = {}
    with Meter(device, request.platform.power_gpio.io_voltage, timeouts) as meter:
        for name in request.platform.cpu_modes:
            modes[name] = measure_mode(
                meter, console, name, request.runs, request.seed, _gpio(request.platform)
            )
            _window_done(request, modes, progress)
    return modes


def _note(request: PowerRequest, measured: bool) -> str:
    if measured:
        return (
            "Energy and the window's duration from the Joulescope's statistics accumulators, "
            "between the board's GPIO acknowledgements; time = window / runs."
        )
    model = request.platform.power_model
    calibrated = "calibrated" if model.calibrated else "NOT calibrated (placeholder values)"
    return (
        "Modelled on the emulator, not measured: time = instructions / the mode's clock (one "
        f"instruction per cycle); energy = the mode's power_mw x time. Power model {calibrated}: "
        f"{model.source}."
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
    with open_board(request.platform, request.elf, request.log_path, request.device) as board:
        port = serial.serial_for_url(board.url, baudrate=request.platform.transport.baud)
        port.timeout = 0.05
        try:
            console = PowerConsole(port, f"{board.description}, log {request.log_path}")
            console.ready(request.model, READY_TIMEOUT_S)
            if board.measured:
                modes = _board_modes(request, console, joulescope, timeouts or Timeouts(), progress)
            else:
                modes = _emulator_modes(request, console, progress)
            console.finish()
        finally:
            port.close()
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
    power = build_power(meta, modes, source, _note(request, board.measured))
    write_power(power, *paths)
    return power
