"""Where firmware runs: the platform's emulator, or a real board flashed and reached by serial."""

from __future__ import annotations

import os

from .device import Device, DeviceError
from .emulator import Emulator, EmulatorError

__all__ = ["Device", "DeviceError", "Emulator", "EmulatorError", "open_board"]


def open_board(
    platform, elf: str | os.PathLike, log_path: str | os.PathLike, device: str | None = None
) -> Emulator | Device:
    """A Device for `device` (the DEVICE= argument) or the platform's transport.device when
    either is set; else the platform's emulator. Use it as a context manager; `.url` is the
    pyserial URL of its console."""
    url = device or platform.transport.device
    if url:
        return Device(platform, elf, log_path, url)
    return Emulator(platform, elf, log_path)
