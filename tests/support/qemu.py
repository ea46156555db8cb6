"""Run a firmware image under QEMU to completion (no serial link): for apps that report through
semihosting and exit, such as the smoke, fault and example apps."""

from __future__ import annotations

import subprocess
from pathlib import Path


def run_qemu(machine: str, elf: Path) -> subprocess.CompletedProcess:
    """Runs `elf` on QEMU `machine`; `.output` holds stdout and stderr together."""
    cmd = [
        "qemu-system-arm", "-M", machine, "-nographic", "-monitor", "none", "-kernel", str(elf),
        "-icount", "shift=0", "-semihosting-config", "enable=on,target=native", "-serial", "null",
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    result.output = result.stdout + result.stderr
    return result
