"""Real-board path: the platform's flash command runs with the image's flash image (what the
board's non-volatile memories hold), failures are reported, and open_board picks a device only
when one is configured."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from autodeploy.board import Device, DeviceError, Emulator, open_board
from autodeploy.config.loader import BoardSupport, MappedMemory, load_platform
from autodeploy.firmware.elf import read_elf

PLATFORM = load_platform(Path(__file__).resolve().parent.parent / "platforms/apollo510_evb.yaml")
MRAM, TCM = 0x00400000, 0x20000000  # the board's addresses (not the emulator's)
BOARD_MAP = {
    "MRAM": MappedMemory(MRAM, 4096 * 1024, read_only=True),
    "TCM": MappedMemory(TCM, 512 * 1024),
}


def with_flash(flash: str | None):
    support = BoardSupport(sources=(), include=(), flash=flash, memory_map=BOARD_MAP)
    return dataclasses.replace(PLATFORM, board_support=support)


@pytest.fixture
def elf(tmp_path) -> Path:
    return tiny_image(tmp_path)


def tiny_image(tmp_path: Path) -> Path:
    """An image with code in MRAM and a word linked to run from TCM (no load image)."""
    folder = tmp_path / "fw dir"  # a space: the template must not split it
    folder.mkdir()
    (folder / "fw.c").write_text(
        "const unsigned flashed = 0x600dcafe;\n"
        '__attribute__((section(".in_ram"))) unsigned lost = 0xdeadbeef;\n'
        "void reset(void) { for (;;) {} }\n"
    )
    (folder / "fw.ld").write_text(
        f"ENTRY(reset) SECTIONS {{ . = 0x{MRAM:08x}; .text : {{ *(.text*) *(.rodata*) }} "
        f".in_ram 0x{TCM:08x} : {{ KEEP(*(.in_ram)) }} }}\n"
    )
    path = folder / "validator.elf"
    subprocess.run(
        ["arm-none-eabi-gcc", "-mcpu=cortex-m55", "-mthumb", "-O1", "-nostdlib",
         "-T", str(folder / "fw.ld"), str(folder / "fw.c"), "-o", str(path)],
        check=True,
    )  # fmt: skip
    return path


def flasher(tmp_path: Path, status: int) -> Path:
    """A flash tool that records its arguments and keeps a copy of the image it is given."""
    script = tmp_path / "flasher"
    script.write_text(
        f'#!/bin/sh\nfor a in "$@"; do echo "$a"; done > {tmp_path}/argv\n'
        f'[ -f "$2" ] && cp "$2" {tmp_path}/flashed.elf\n'
        f"echo 'probe says hello'\necho 'no target connected' >&2\nexit {status}\n"
    )
    script.chmod(0o755)
    return script


def test_flash_command_gets_the_flash_image_and_port(tmp_path, elf):
    platform = with_flash(f"{flasher(tmp_path, 0)} --image {{elf}} --port {{device}}")
    with Device(platform, elf, tmp_path / "flash.log", "/dev/ttyACM7") as board:
        assert board.url == "/dev/ttyACM7" and board.baud == 115200 and board.measured
    argv = (tmp_path / "argv").read_text().splitlines()
    assert argv[0::2] == ["--image", "--port"] and argv[3] == "/dev/ttyACM7"
    assert argv[1].endswith("flash.elf") and not Path(argv[1]).exists()  # a temporary file
    assert "probe says hello" in (tmp_path / "flash.log").read_text()
    flashed, full = read_elf(tmp_path / "flashed.elf"), read_elf(elf)
    assert [s.name for s in flashed.sections if s.allocated] == [".text"]  # not .in_ram
    text = full.section(".text")
    assert flashed.section(".text").addr == text.load_addr == MRAM
    assert flashed.contents(flashed.section(".text")) == full.contents(text)
    assert flashed.entry == full.entry


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
