"""A real board: flash the firmware with the platform's command, then talk over its serial port.

The flash command is the platform YAML's `board_support.flash`, a template such as
`pyocd flash -t ama510 {elf}`; `{elf}` becomes the path of the image's flash image (the sections
the board's non-volatile memories hold, at their load addresses: autodeploy.firmware.flash_image)
and `{device}` the serial URL; a board from a farm (board/farm.py) also fills `{host}`, `{place}`
and `{tags[NAME]}`.
Same context-manager shape as Emulator, so the profile code does not care which one it has.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import children
from ..errors import AutodeployError
from ..firmware.elf import read_elf
from ..firmware.flash_image import nonvolatile_ranges, write_flash_image
from .emulator import log_tail

FLASH_TIMEOUT_S = 300.0
FARM_FIELDS = ("host", "place", "tags")  # placeholders only a farm's place can fill


class DeviceError(AutodeployError):
    """The board could not be flashed or is not configured."""


class Device:
    measured = True  # counts come from the board's own counter
    power_switch = False  # whether power_cycle() can switch it off and on (board/farm.py)

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

    def flash_command(self, elf: str | None = None, **place) -> list[str]:
        """The flash template filled in: {elf} (this image, or `elf`: its path where the command
        runs), {device}, and a farm place's fields (FARM_FIELDS) when given."""
        support = getattr(self.platform, "board_support", None)
        template = getattr(support, "flash", None)
        if not template:
            raise DeviceError(
                f"platform '{self.platform.name}' has no board_support.flash command, so the "
                f"firmware cannot be flashed to {self.url}: add one to {self.platform.file} "
                '(e.g. flash: "pyocd flash -t <target> {elf}"), or leave DEVICE unset to run '
                "on the emulator"
            )
        values = {"elf": elf or self.elf, "device": self.url, **place}
        try:
            return [part.format(**values) for part in shlex.split(template)]
        except KeyError as err:
            raise DeviceError(self._missing_field(template, err.args[0], place)) from None
        except (IndexError, ValueError) as err:
            raise DeviceError(
                f"{self.platform.file}: board_support.flash '{template}' is not a valid command "
                f"template ({err}); use {{elf}} for the image and {{device}} for the port"
            ) from None

    def _missing_field(self, template: str, name: str, place: dict) -> str:
        where = f"board_support.flash '{template}' in {self.platform.file}"
        if name in FARM_FIELDS:
            return (
                f"{where} uses {{{name}}}, which only a board from a farm has "
                "(DEVICE=labgrid:...); use {elf} and {device} for other boards"
            )
        if place:
            return (
                f"place {place['place']} has no tag '{name}', which {where} uses; add it: "
                f"labgrid-client -p {place['place']} set-tags {name}=..."
            )
        return (
            f"{where} is not a valid command template (unknown placeholder {{{name}}}); use "
            "{elf} for the image and {device} for the port"
        )

    def __enter__(self) -> Device:
        self.flash_command()  # a configuration error before anything else
        with self.flash_image() as image:
            self._flash(self.flash_command(image))
        return self

    @contextmanager
    def flash_image(self) -> Iterator[Path]:
        """A temporary flash image of the ELF: what the board's non-volatile memories hold."""
        if not self.elf.is_file():
            raise DeviceError(f"firmware image {self.elf} does not exist; build it first")
        with tempfile.TemporaryDirectory(prefix="autodeploy-flash-") as folder:
            image = Path(folder) / "flash.elf"
            write_flash_image(read_elf(self.elf), image, nonvolatile_ranges(self.platform, "board"))
            yield image

    def _flash(self, command: list[str]) -> None:
        """Run the flash command, its output to the log; DeviceError when it fails."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
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
