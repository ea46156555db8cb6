"""QEMU launcher: a free port per launch, QEMU always ends, early deaths reported with the log.

The firmware is a 100-byte test image built here: it writes "hello\\n" to UART0, reads one byte
and exits through semihosting with code 0 for 'q' and 3 otherwise. It lives in MRAM (the an547's
QSPI), the only memory the emulator loads, and sets its own stack: QEMU starts it at its entry
point, as the board's boot ROM would."""

from __future__ import annotations

import dataclasses
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import serial

from autodeploy.board import Emulator, EmulatorError, open_board
from autodeploy.board import emulator as emulator_module
from autodeploy.config.loader import load_platform

PROJECT = Path(__file__).resolve().parent.parent
PLATFORM = load_platform(PROJECT / "platforms/apollo510_evb.yaml")

GUEST_C = r"""
#include <stdint.h>
void reset(void);
void guest_main(void);
__attribute__((section(".vectors"), used))
const void *vectors[2] = {(void *)0x20010000, (void *)reset};
__attribute__((naked)) void reset(void) {
    __asm__ volatile("movw r0, #0\n\tmovt r0, #0x2001\n\tmsr msp, r0\n\tb guest_main");
}
static void semihosting_exit(uint32_t code) {
    uint32_t block[2] = {0x20026, code};  /* ADP_Stopped_ApplicationExit */
    register uint32_t r0 __asm__("r0") = 0x20;  /* SYS_EXIT_EXTENDED */
    register uint32_t r1 __asm__("r1") = (uint32_t)block;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
}
void guest_main(void) {
    volatile uint32_t *uart = (uint32_t *)0x49303000;
    uart[4] = 16;
    uart[2] = 3;
    (void)uart[0];
    for (const char *s = "hello\n"; *s; s++) {
        while (uart[1] & 1) {}
        uart[0] = (uint32_t)*s;
    }
    while (!(uart[1] & 2)) {}
    semihosting_exit(uart[0] == 'q' ? 0 : 3);
    for (;;) {}
}
"""


@pytest.fixture(scope="module")
def elf(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("guest")
    (d / "guest.c").write_text(GUEST_C)
    (d / "guest.ld").write_text(
        "ENTRY(reset) SECTIONS { . = 0x28000000; "
        ".text : { KEEP(*(.vectors)) *(.text*) *(.rodata*) } }\n"
    )
    subprocess.run(
        ["arm-none-eabi-gcc", "-mcpu=cortex-m55", "-mthumb", "-O1", "-nostdlib",
         "-T", str(d / "guest.ld"), str(d / "guest.c"), "-o", str(d / "guest.elf")],
        check=True,
    )  # fmt: skip
    return d / "guest.elf"


def talk(url: str, reply: bytes) -> bytes:
    """Connect (retrying until QEMU accepts), read the banner, send `reply`."""
    deadline = time.monotonic() + 10
    while True:
        try:
            port = serial.serial_for_url(url, timeout=5)
            break
        except serial.SerialException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    with port:
        banner = port.read_until(b"\n")
        port.write(reply)
        port.flush()
    return banner


def wait_exit(board: Emulator, timeout_s: float = 10) -> str:
    deadline = time.monotonic() + timeout_s
    while not board.exit_report() and time.monotonic() < deadline:
        time.sleep(0.02)
    return board.exit_report()


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z" and os.getppid() != pid  # a zombie of someone else's, not ours


def test_runs_firmware_and_reports_its_exit(elf, tmp_path):
    with Emulator(PLATFORM, elf, tmp_path / "qemu.log") as board:
        assert board.url.startswith("socket://127.0.0.1:")
        assert talk(board.url, b"x") == b"hello\n"
        report = wait_exit(board)
        assert "exit code 3" in report and "waiting for connection" in report
    log = (tmp_path / "qemu.log").read_text()
    assert "-icount" not in log  # QEMU's own output only: the command line is not logged
    assert open_board(PLATFORM, elf, tmp_path / "x.log").__class__ is Emulator


def test_parallel_launches_get_distinct_ports(elf, tmp_path):
    boards = [Emulator(PLATFORM, elf, tmp_path / f"q{k}.log") for k in range(3)]
    results = {}

    def run(k, board):
        with board:
            results[k] = (board.port, talk(board.url, b"q"), wait_exit(board))

    threads = [threading.Thread(target=run, args=(k, b)) for k, b in enumerate(boards)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len({port for port, _, _ in results.values()}) == 3
    assert all(banner == b"hello\n" and "exit code 0" in r for _, banner, r in results.values())


def test_port_taken_meanwhile_is_retried_on_another(elf, tmp_path, monkeypatch):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        ports = iter([taken, emulator_module._free_port()])
        monkeypatch.setattr(emulator_module, "_free_port", lambda: next(ports))
        with Emulator(PLATFORM, elf, tmp_path / "qemu.log") as board:
            assert board.port != taken
            assert talk(board.url, b"q") == b"hello\n"


@pytest.mark.parametrize("exc", [RuntimeError, KeyboardInterrupt])
def test_qemu_ends_when_the_caller_fails(elf, tmp_path, exc):
    with pytest.raises(exc), Emulator(PLATFORM, elf, tmp_path / "qemu.log") as board:
        process = board._process
        raise exc()
    assert process.returncode is not None and gone(process.pid)
    assert board.exit_report() == ""  # stopped by us: not a failure to report


USER_SCRIPT = """
import sys, time
from pathlib import Path
from autodeploy.board import Emulator
from autodeploy.config.loader import load_platform
platform = load_platform(Path(sys.argv[1]))
with Emulator(platform, sys.argv[2], sys.argv[3]) as board:
    print(board._process.pid, flush=True)
    time.sleep(60)
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_qemu_ends_when_a_plain_python_user_is_killed(elf, tmp_path, sig):
    # A signal's default action ends the process without running the `with` block's exit.
    user = subprocess.Popen(
        [sys.executable, "-c", USER_SCRIPT, str(PLATFORM.file), str(elf), tmp_path / "qemu.log"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT / "site_scons")},
    )
    qemu = int(user.stdout.readline())
    assert not gone(qemu)
    user.send_signal(sig)
    user.wait()
    deadline = time.monotonic() + 1
    while not gone(qemu) and time.monotonic() < deadline:
        time.sleep(0.02)
    survived = not gone(qemu)
    if survived:
        os.kill(qemu, signal.SIGKILL)  # leave no QEMU spinning; the assertion reports it
    assert not survived


def launch(board: Emulator) -> None:
    with board:
        pass


def fake_qemu(tmp_path: Path, body: str):
    script = tmp_path / "fake-qemu"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    emu = dataclasses.replace(PLATFORM.emulator, executable=str(script))
    return dataclasses.replace(PLATFORM, emulator=emu)


def test_start_timeout_kills_the_whole_process_group(elf, tmp_path):
    platform = fake_qemu(tmp_path, f"sleep 60 & echo $! > {tmp_path}/child\nsleep 60\n")
    with pytest.raises(EmulatorError, match="did not open its serial port within 0.5 s"):
        launch(Emulator(platform, elf, tmp_path / "qemu.log", start_timeout_s=0.5))
    child = int((tmp_path / "child").read_text())
    deadline = time.monotonic() + 5
    while not gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(child)


def test_early_death_reports_exit_code_and_log_tail(elf, tmp_path):
    platform = fake_qemu(tmp_path, "echo 'qemu: machine cannot boot' >&2\nexit 7\n")
    with pytest.raises(EmulatorError) as err:
        launch(Emulator(platform, elf, tmp_path / "qemu.log"))
    message = str(err.value)
    assert "QEMU failed to start: QEMU ended with exit code 7" in message
    assert "qemu: machine cannot boot" in message


def test_missing_qemu_names_the_package(elf, tmp_path):
    emu = dataclasses.replace(PLATFORM.emulator, executable="qemu-system-nonexistent")
    platform = dataclasses.replace(PLATFORM, emulator=emu)
    with pytest.raises(EmulatorError, match="apt-get install qemu-system-arm"):
        launch(Emulator(platform, elf, tmp_path / "qemu.log"))


def test_platform_without_emulator(elf, tmp_path):
    with pytest.raises(EmulatorError, match="pass DEVICE="):
        Emulator(dataclasses.replace(PLATFORM, emulator=None), elf, tmp_path / "q.log")


# A guest with one word in the boot memory (MRAM) and one linked to run from TCM with no load
# image: the emulator must load the first and not the second, as a flash tool would. Exit code 0
# when it did, 1 when the TCM word was loaded too, 2 when the MRAM word is missing.
LOADED_C = r"""
#include <stdint.h>
void reset(void);
void guest_main(void);
__attribute__((section(".vectors"), used))
const void *vectors[2] = {(void *)0x20010000, (void *)reset};
__attribute__((section(".ram_word"), used)) volatile uint32_t ram_word = 0x12345678u;
__attribute__((used)) const uint32_t boot_word = 0x9abcdef0u; /* .rodata, in MRAM */
__attribute__((naked)) void reset(void) {
    __asm__ volatile("movw r0, #0\n\tmovt r0, #0x2001\n\tmsr msp, r0\n\tb guest_main");
}
void guest_main(void) {
    uint32_t boot = *(volatile const uint32_t *)&boot_word;
    uint32_t block[2] = {0x20026, ram_word != 0 ? 1 : boot != 0x9abcdef0u ? 2 : 0};
    register uint32_t r0 __asm__("r0") = 0x20;
    register uint32_t r1 __asm__("r1") = (uint32_t)block;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    for (;;) {}
}
"""


@pytest.mark.parametrize(
    "platform, cpu, boot",
    [("apollo510_evb", "cortex-m55", 0x28000000), ("apollo4p_evb", "cortex-m4", 0x00000000)],
)
def test_only_the_non_volatile_memories_are_loaded(tmp_path, platform, cpu, boot):
    """MRAM (QSPI on the an547, SSRAM1 on the an386) is loaded; TCM starts empty."""
    from support.qemu import run_qemu

    (tmp_path / "guest.c").write_text(LOADED_C)
    (tmp_path / "guest.ld").write_text(
        f"ENTRY(reset) SECTIONS {{ . = 0x{boot:08x}; "
        ".text : { KEEP(*(.vectors)) *(.text*) *(.rodata*) } "
        ".ram_word 0x20000100 : { KEEP(*(.ram_word)) } }\n"
    )
    subprocess.run(
        ["arm-none-eabi-gcc", f"-mcpu={cpu}", "-mthumb", "-O1", "-nostdlib",
         "-T", str(tmp_path / "guest.ld"), str(tmp_path / "guest.c"),
         "-o", str(tmp_path / "guest.elf")],
        check=True,
    )  # fmt: skip
    run = run_qemu(platform, tmp_path / "guest.elf")
    assert run.returncode == 0, run.output
