"""Where firmware runs: the platform's emulator, a real board flashed and reached by serial, or a
board from a labgrid farm."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from ..farm.request import is_farm_device, parse_device
from .device import Device, DeviceError
from .emulator import Emulator, EmulatorError
from .farm import FarmBoard, run_on_farm

__all__ = [
    "Device",
    "DeviceError",
    "Emulator",
    "EmulatorError",
    "FarmBoard",
    "open_board",
    "run_on_board",
    "uses_emulator",
]

T = TypeVar("T")


def uses_emulator(platform, device: str | None) -> bool:
    """Whether open_board() gives the platform's emulator: no DEVICE= and no transport.device."""
    return not (device or platform.transport.device)


def open_board(
    platform,
    elf: str | os.PathLike,
    log_path: str | os.PathLike,
    device: str | None = None,
    *,
    coordinator: str | None = None,
    what: str = "",
) -> Emulator | Device:
    """A Device for `device` (the DEVICE= argument) or the platform's transport.device when
    either is set (a FarmBoard for labgrid:..., from the farm at `coordinator`); else the
    platform's emulator. Use it as a context manager; `.url` is the pyserial URL of its
    console."""
    url = device or platform.transport.device
    if is_farm_device(url):
        return FarmBoard(platform, elf, log_path, parse_device(url, coordinator), what=what)
    if url:
        return Device(platform, elf, log_path, url)
    return Emulator(platform, elf, log_path)


def run_on_board(
    platform,
    elf: str | os.PathLike,
    log_path: str | os.PathLike,
    device: str | None,
    work: Callable[[Emulator | Device], T],
    *,
    lost: tuple[type[BaseException], ...] = (),
    coordinator: str | None = None,
    what: str = "",
    progress: Callable[[str], None] = print,
) -> tuple[Emulator | Device, T]:
    """(board, work(board)) with the board open_board() gives. On a farm, a board that fails
    (`lost`: the errors of `work` that mean so) is replaced once by another (board.farm)."""
    url = device or platform.transport.device
    if is_farm_device(url):
        request = parse_device(url, coordinator)
        return run_on_farm(
            platform, elf, log_path, request, work, lost=lost, what=what, progress=progress
        )
    with open_board(platform, elf, log_path, device) as board:
        return board, work(board)
