"""Run a firmware image under QEMU to completion (no serial link): for apps that report through
semihosting and exit, such as the smoke, fault and example apps. The image boots as on the
board: QEMU loads only its flash image (autodeploy.board.emulator.boot_arguments)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from autodeploy.board.emulator import boot_arguments
from autodeploy.config.loader import load_platform

PLATFORMS = Path(__file__).resolve().parent.parent.parent / "platforms"


def run_qemu(platform: str, elf: Path) -> subprocess.CompletedProcess:
    """Runs `elf` on the emulator of `platform` (a platforms/ file name); `.output` holds stdout
    and stderr together."""
    board = load_platform(PLATFORMS / f"{platform}.yaml")
    with tempfile.TemporaryDirectory() as folder:
        cmd = [
            board.emulator.executable, "-M", board.emulator.machine, "-nographic",
            "-monitor", "none", *boot_arguments(board, elf, folder), "-icount", "shift=0",
            "-semihosting-config", "enable=on,target=native", "-serial", "null",
        ]  # fmt: skip
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    result.output = result.stdout + result.stderr
    return result
