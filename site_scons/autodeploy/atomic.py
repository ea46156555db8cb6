"""Atomic file output: write to a temporary file beside the target, then rename over it.

An interrupted build therefore never leaves a half-written file that SCons could take as up to date.
The file gets the mode a plain open() would give it (0666 minus the umask), not mkstemp's 0600,
so reports and generated sources stay readable by the user's group and tools.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .errors import AutodeployError


class OutputWriteError(AutodeployError):
    """An output file could not be written (full disk, permissions, read-only folder)."""


def current_umask() -> int:
    """The process umask, read without changing it: os.umask() sets it too, and another SCons
    worker thread could create a file in between."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # no /proc: the brief set-and-restore is the only way left
    os.umask(mask)
    return mask


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~current_umask())
            handle.write(data)
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputWriteError(
                f"could not write {path}: {exc.strerror or exc}; free disk space or fix the "
                "folder's permissions, then build again"
            ) from exc
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_json(path: str | os.PathLike, obj) -> None:
    write_text(path, json.dumps(obj, indent=2, sort_keys=False) + "\n")
