"""A real board: flash the firmware with the platform's command, then talk over its serial port.

The flash command is the platform YAML's `board_support.flash`, a template such as
`pyocd flash -t ama510 {elf}`; `{elf}` becomes the path of the image's flash image (the sections
the board's non-volatile memories hold, at their load addresses: autodeploy.firmware.flash_image)
and `{device}` the serial URL. Same context-manager shape as Emulator, so the profile code does
not care which one it has.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from .. import children
from ..errors import AutodeployError
from ..firmware.elf import read_elf
from ..firmware.flash_image import nonvolatile_ranges, write_flash_image
from .emulator import log_tail

FLASH_TIMEOUT_S = 300.0


class DeviceError(AutodeployError):
    """The board could not be flashed or is not configured."""


class Device:
    measured = True  # counts come from the board's own counter

    def __init__(
        self,
        platform,
        elf: str | os.PathLike,
        log_path: str | os.PathLike,
        url: str,
        *,
        flash_timeout_s: float = FLASH_TIMEOUT_S,
    ):
        self.platform = platform
        self.elf = Path(elf)
        self.log_path = Path(log_path)
        self.url = url
        self.baud = platform.transport.baud
        self.flash_timeout_s = flash_timeout_s

    @property
    def description(self) -> str:
        return f"{self.platform.name} at {self.url}"

    def flash_command(self, image: str | os.PathLike | None = None) -> list[str]:
        """The flash command for `image` (by default the ELF itself)."""
        support = getattr(self.platform, "board_support", None)
        template = getattr(support, "flash", None)
        if not template:
            raise DeviceError(
                f"platform '{self.platform.name}' has no board_support.flash command, so the "
                f"firmware cannot be flashed to {self.url}: add one to {self.platform.file} "
                '(e.g. flash: "pyocd flash -t <target> {elf}"), or leave DEVICE unset to run '
                "on the emulator"
            )
        try:
            image = image or self.elf
            return [part.format(elf=image, device=self.url) for part in shlex.split(template)]
        except (KeyError, IndexError, ValueError) as err:
            raise DeviceError(
                f"{self.platform.file}: board_support.flash '{template}' is not a valid command "
                f"template ({err}); use {{elf}} for the image and {{device}} for the port"
            ) from None

    def __enter__(self) -> Device:
        self.flash_command()  # a configuration error before anything else
        if not self.elf.is_file():
            raise DeviceError(f"firmware image {self.elf} does not exist; build it first")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="autodeploy-flash-") as folder:
            image = Path(folder) / "flash.elf"
            write_flash_image(read_elf(self.elf), image, nonvolatile_ranges(self.platform, "board"))
            self._flash(self.flash_command(image))
        return self

    def _flash(self, command: list[str]) -> None:
        try:
            with open(self.log_path, "wb") as log:
                result = children.run(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    timeout=self.flash_timeout_s,
                )
        except FileNotFoundError:
            raise DeviceError(
                f"flash tool '{command[0]}' not found (board_support.flash in "
                f"{self.platform.file}); install it or fix the command"
            ) from None
        except subprocess.TimeoutExpired:
            raise DeviceError(
                f"flashing {self.elf} took longer than {self.flash_timeout_s:g} s: is the board "
                f"connected and powered? log {self.log_path}:\n{log_tail(self.log_path)}"
            ) from None
        if result.returncode != 0:
            raise DeviceError(
                f"flashing {self.elf} failed (`{shlex.join(command)}` exit code "
                f"{result.returncode}); log {self.log_path}:\n{log_tail(self.log_path)}"
            )

    def __exit__(self, *exc) -> None:
        pass  # the board keeps running; the next flash replaces its image

    def exit_report(self) -> str:
        return ""  # a real board's state cannot be read from here
