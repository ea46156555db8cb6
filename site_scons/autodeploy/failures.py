"""Failed build steps, recorded for the `autodeploy` command, which runs scons as a child process
and must tell a board whose outputs differ (exit 1) from a wrong input (exit 2) and from a tool,
build or board failure (exit 3). SCons' own exit status cannot: it is 2 for any failure.

The command names a file in $AUTODEPLOY_FAILURES; each failure adds one JSON line to it. Steps
run on several threads under -j, so lines are appended under a lock.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from .errors import InputError, ValidationError

ENV = "AUTODEPLOY_FAILURES"
_lock = threading.Lock()


def category(err: BaseException) -> str:
    """ "validation" (outputs differ), "input" (the user's input is wrong) or "failure"."""
    if isinstance(err, ValidationError):
        return "validation"
    if isinstance(err, InputError):
        return "input"
    return "failure"


def record(step: str, target: str, err: BaseException) -> None:
    """Add a failure to the file $AUTODEPLOY_FAILURES names, if it names one."""
    path = os.environ.get(ENV)
    if not path:
        return
    line = json.dumps(
        {"step": step, "target": target, "category": category(err), "message": str(err)}
    )
    with _lock, open(path, "a") as out:
        out.write(line + "\n")


def read(path: str | os.PathLike) -> list[dict]:
    path = Path(path)
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
