"""Real-board path: the platform's flash command runs with the ELF, failures are reported, and
open_board picks a device only when one is configured."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from autodeploy.board import Device, DeviceError, Emulator, open_board
from autodeploy.config.loader import BoardSupport, load_platform

PLATFORM = load_platform(Path(__file__).resolve().parent.parent / "platforms/apollo510_evb.yaml")


def with_flash(flash: str | None):
    support = BoardSupport(sources=(), include=(), flash=flash, memory_map={})
    return dataclasses.replace(PLATFORM, board_support=support)


@pytest.fixture
def elf(tmp_path) -> Path:
    path = tmp_path / "fw dir" / "validator.elf"  # a space: the template must not split it
    path.parent.mkdir()
    path.write_bytes(b"\x7fELF")
    return path


def flasher(tmp_path: Path, status: int) -> Path:
    script = tmp_path / "flasher"
    script.write_text(
        f'#!/bin/sh\nfor a in "$@"; do echo "$a"; done > {tmp_path}/argv\n'
        f"echo 'probe says hello'\necho 'no target connected' >&2\nexit {status}\n"
    )
    script.chmod(0o755)
    return script


def test_flash_command_gets_the_elf_and_port(tmp_path, elf):
    platform = with_flash(f"{flasher(tmp_path, 0)} --image {{elf}} --port {{device}}")
    with Device(platform, elf, tmp_path / "flash.log", "/dev/ttyACM7") as board:
        assert board.url == "/dev/ttyACM7" and board.baud == 115200 and board.measured
    argv = (tmp_path / "argv").read_text().splitlines()
    assert argv == ["--image", str(elf), "--port", "/dev/ttyACM7"]
    assert "probe says hello" in (tmp_path / "flash.log").read_text()


def test_flash_failure_reports_status_and_output(tmp_path, elf):
    platform = with_flash(f"{flasher(tmp_path, 2)} {{elf}}")
    with pytest.raises(DeviceError) as err, Device(platform, elf, tmp_path / "f.log", "x"):
        pass
    message = str(err.value)
    assert "flashing" in message and "exit code 2" in message
    assert "no target connected" in message  # the tool's own output, from the log tail


@pytest.mark.parametrize(
    "flash, expected",
    [
        (None, "has no board_support.flash command"),
        ("pyocd flash {image}", "not a valid command template"),
        ("no-such-flash-tool {elf}", "flash tool 'no-such-flash-tool' not found"),
    ],
)
def test_flash_configuration_errors(tmp_path, elf, flash, expected):
    with pytest.raises(DeviceError, match=expected):
        Device(with_flash(flash), elf, tmp_path / "f.log", "x").__enter__()


def test_open_board_chooses_by_configured_device(tmp_path, elf):
    assert isinstance(open_board(PLATFORM, elf, tmp_path / "l"), Emulator)
    board = open_board(PLATFORM, elf, tmp_path / "l", device="rfc2217://lab:4000")
    assert isinstance(board, Device) and board.url == "rfc2217://lab:4000"
    transport = dataclasses.replace(PLATFORM.transport, device="/dev/ttyACM0")
    configured = dataclasses.replace(PLATFORM, transport=transport)
    assert open_board(configured, elf, tmp_path / "l").url == "/dev/ttyACM0"
    assert open_board(configured, elf, tmp_path / "l", device="/dev/ttyUSB1").url == "/dev/ttyUSB1"
