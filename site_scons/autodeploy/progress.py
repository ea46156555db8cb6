"""Progress lines of long steps: the inferences of a profile, the windows of a power run.

One format, `[<step>] <model>: <unit> <done>/<total>`, printed into the build log for people and
turned into progress bars by the `autodeploy` command, which parses it back with parse_progress.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LINE = re.compile(
    r"^\[(?P<step>[\w-]+)\] (?P<model>\w+): (?P<unit>[\w ]+?) (?P<done>\d+)/(?P<total>\d+)$"
)


@dataclass(frozen=True)
class Progress:
    step: str
    model: str
    unit: str
    done: int
    total: int


def progress_line(step: str, model: str, unit: str, done: int, total: int) -> str:
    return f"[{step}] {model}: {unit} {done}/{total}"


def parse_progress(line: str) -> Progress | None:
    match = _LINE.match(line.strip())
    if not match:
        return None
    return Progress(
        match["step"], match["model"], match["unit"], int(match["done"]), int(match["total"])
    )
