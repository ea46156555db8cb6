"""The labgrid environment: installed on first use of a DEVICE=labgrid:... board.

labgrid (pip `labgrid`, LGPL-2.1+) and its dependencies live in a virtual environment of their
own, pinned by requirements-labgrid.txt, instead of the tool's .venv:
- labgrid depends on pyserial-labgrid, a fork that installs the same `serial` package as the
  tool's pinned pyserial 3.5; in one environment whichever was installed last would win;
- labgrid registers a pytest plugin, which the project's own test run must not load;
- the Quick start does not pay for it.
The tool never imports labgrid: each farm job runs autodeploy/farm/agent.py with this
environment's interpreter.

Default location: .venv-labgrid in the project; AUTODEPLOY_LABGRID_VENV overrides it (several
checkouts can share one). The install is done once, under a lock (threads of one build and
concurrent builds), and stamped with the hash of the requirements it installed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from .. import children
from .request import FarmError

PROJECT = Path(__file__).resolve().parents[3]
REQUIREMENTS = PROJECT / "requirements-labgrid.txt"
INSTALL_TIMEOUT_S = 900.0
STAMP = ".requirements.sha256"
_lock = threading.Lock()


def venv_dir() -> Path:
    return Path(os.environ.get("AUTODEPLOY_LABGRID_VENV") or PROJECT / ".venv-labgrid")


def labgrid_python(progress: Callable[[str], None] = print) -> Path:
    """The labgrid environment's interpreter, installed first if it is missing or stale."""
    venv = venv_dir()
    python = venv / "bin" / "python"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    with _lock, _file_lock(venv.with_name(venv.name + ".lock")):
        if _stamp(venv) != wanted:
            progress(
                f"[farm] installing labgrid into {venv} (first use of a labgrid: device; "
                f"{REQUIREMENTS.name})"
            )
            _install(venv, python)
            (venv / STAMP).write_text(wanted)
    return python


def _stamp(venv: Path) -> str | None:
    try:
        return (venv / STAMP).read_text().strip()
    except OSError:
        return None


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _install(venv: Path, python: Path) -> None:
    if venv.is_dir() and any(venv.iterdir()) and not (venv / "pyvenv.cfg").exists():
        raise FarmError(
            f"{venv} exists and is not a virtual environment; remove it, or point "
            "AUTODEPLOY_LABGRID_VENV at a new folder for the labgrid environment"
        )
    log = venv.with_name(venv.name + "-install.log")
    steps = (
        [sys.executable, "-m", "venv", "--clear", str(venv)],  # also ends a half-made one
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r",
         str(REQUIREMENTS)],
    )  # fmt: skip
    with open(log, "wb") as output:
        for command in steps:
            try:
                result = children.run(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    timeout=INSTALL_TIMEOUT_S,
                )
            except subprocess.TimeoutExpired:
                result = None
            if result is None or result.returncode != 0:
                raise FarmError(
                    f"installing labgrid into {venv} failed (`{' '.join(command)}`); log "
                    f"{log}:\n{_tail(log)}\nCheck the network access to PyPI and run again"
                )


def _tail(log: Path, lines: int = 15) -> str:
    return "\n".join(log.read_text(errors="replace").strip().splitlines()[-lines:])
