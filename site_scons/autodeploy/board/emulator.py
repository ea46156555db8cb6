"""Runs firmware on the platform's QEMU machine, with its UART on a loopback TCP port.

    with Emulator(platform, "build/kws/.../validator.elf", "reports/.../qemu.log") as board:
        client = BoardClient(board.url)  # socket://127.0.0.1:PORT

QEMU's serial server accepts one connection and holds the guest until it comes (wait=on), so
nothing is lost before the host connects; the launcher therefore never probes the port itself: it
waits until QEMU says it listens. Time runs on instruction counts (-icount shift=0), so counter
readings are deterministic. QEMU always ends with the context (kill of its process group), and
with the process that started it, however that process ends (autodeploy.children).

The emulated board boots the way the real one does: QEMU loads only the ELF's flash image (the
contents of the platform's non-volatile memories, autodeploy.firmware.flash_image), so RAM,
TCM and ITCM start empty and whatever runs there must be copied by the start-up. When the
machine's reset vector address is not in the boot memory (the an547 resets into ITCM), QEMU
starts the core at the image's entry point instead, as the board's boot ROM does.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from .. import children
from ..errors import AutodeployError
from ..firmware.elf import read_elf
from ..firmware.flash_image import nonvolatile_ranges, write_flash_image

LISTENING = "waiting for connection on"
PORT_TAKEN = ("Address already in use", "Failed to find an available port")
LOG_TAIL_LINES = 15
#: Where each machine's core reads its vector table at reset (QEMU 7.2's initial VTOR).
RESET_VECTOR_TABLE = {"mps3-an547": 0x00000000, "mps2-an386": 0x00000000}


class EmulatorError(AutodeployError):
    """QEMU is missing, would not start, or died while the host was talking to it."""


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace").strip()
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def boot_arguments(platform, elf: str | os.PathLike, folder: str | os.PathLike) -> list[str]:
    """Writes the flash image of `elf` into `folder` and returns the QEMU arguments that load
    it and start the core as the board boots (see the module doc)."""
    image = read_elf(elf)
    path = Path(folder) / "flash.elf"
    write_flash_image(image, path, nonvolatile_ranges(platform, "emulator"))
    arguments = ["-kernel", str(path)]
    if starts_at_entry(platform):
        arguments += ["-device", f"loader,addr=0x{image.entry:08x},cpu-num=0"]
    return arguments


def starts_at_entry(platform) -> bool:
    """The machine's reset vector table is not in the emulated boot memory, so QEMU must start
    the core at the image's entry point (QEMU's generic loader sets the PC)."""
    boot = platform.memories[platform.boot_memory]
    if boot.emulator_base is None:  # not mapped: no image links for this emulator anyway
        return True
    start, size = boot.emulator_base, boot.emulator_size
    return not start <= RESET_VECTOR_TABLE.get(platform.emulator.machine, -1) < start + size


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    measured = False  # counts are instruction counts of the emulator, not board cycles

    def __init__(
        self,
        platform,
        elf: str | os.PathLike,
        log_path: str | os.PathLike,
        *,
        start_timeout_s: float = 20.0,
        attempts: int = 5,
    ):
        if platform.emulator is None:
            raise EmulatorError(
                f"platform '{platform.name}' has no emulator: section, so it cannot run without "
                "a board; connect one and pass DEVICE=<serial port or URL>"
            )
        self.platform = platform
        self.machine = platform.emulator.machine
        self.elf = Path(elf)
        self.log_path = Path(log_path)
        self.baud = platform.transport.baud
        self.start_timeout_s = start_timeout_s
        self.attempts = attempts
        self.port: int | None = None
        self._process: subprocess.Popen | None = None
        self._stopped = False
        self._folder: tempfile.TemporaryDirectory | None = None
        self._boot: list[str] = []

    @property
    def url(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    @property
    def description(self) -> str:
        return f"QEMU {self.machine}, -icount shift=0"

    def command(self, port: int) -> list[str]:
        emu = self.platform.emulator
        return [
            emu.executable, "-M", emu.machine, "-nographic", "-monitor", "none",
            *self._boot, "-icount", "shift=0",
            "-semihosting-config", "enable=on,target=native",
            "-serial", f"tcp:127.0.0.1:{port},server=on,wait=on,nodelay=on",
            *emu.extra_args,
        ]  # fmt: skip

    def __enter__(self) -> Emulator:
        executable = self.platform.emulator.executable
        if shutil.which(executable) is None:
            raise EmulatorError(
                f"'{executable}' not found: install QEMU (Debian/Ubuntu: "
                "sudo apt-get install qemu-system-arm), or set emulator.executable in "
                f"{self.platform.file}"
            )
        if not self.elf.is_file():
            raise EmulatorError(f"firmware image {self.elf} does not exist; build it first")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._folder = tempfile.TemporaryDirectory(prefix="autodeploy-boot-")
            self._boot = boot_arguments(self.platform, self.elf, self._folder.name)
            for _ in range(self.attempts):
                if self._start(_free_port()):
                    return self
            raise EmulatorError(
                f"QEMU could not bind a loopback port in {self.attempts} attempts; "
                f"log {self.log_path}:\n{log_tail(self.log_path)}"
            )
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()

    def _start(self, port: int) -> bool:
        """Start QEMU on `port`; False when the port was taken meanwhile (try another)."""
        with open(self.log_path, "wb") as log:
            self._process = children.spawn(
                self.command(port), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        self.port = port
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if LISTENING in self.log_path.read_text(errors="replace"):
                return True
            if self._process.poll() is not None:
                log = self.log_path.read_text(errors="replace")
                if any(text in log for text in PORT_TAKEN):
                    self._process = None
                    return False
                raise EmulatorError(f"QEMU failed to start: {self.exit_report()}")
            time.sleep(0.02)
        raise EmulatorError(
            f"QEMU did not open its serial port within {self.start_timeout_s:g} s; "
            f"log {self.log_path}:\n{log_tail(self.log_path)}"
        )

    def exit_report(self) -> str:
        """'' while QEMU runs or after stop(); else its exit status and the tail of its log (fault
        reports and the firmware's semihosting diagnostics end up there)."""
        if self._process is None or self._stopped or self._process.poll() is None:
            return ""
        code = self._process.returncode
        status = f"signal {-code}" if code < 0 else f"exit code {code}"
        return f"QEMU ended with {status}; log {self.log_path}:\n{log_tail(self.log_path)}"

    def stop(self) -> None:
        """End QEMU and everything it started; reaps the process (no zombie). Idempotent."""
        if self._folder is not None:
            self._folder.cleanup()  # QEMU read the image when it started
            self._folder = None
        process = self._process
        if process is None or self._stopped:
            return
        self._stopped = process.poll() is None  # killed by us, not ended by itself
        if self._stopped:
            for sig, wait_s in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 10.0)):
                children.kill(process, sig)  # its session: whatever it started ends too
                try:
                    process.wait(timeout=wait_s)
                    break
                except subprocess.TimeoutExpired:
                    continue
        process.wait()
