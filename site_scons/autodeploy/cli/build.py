"""Runs the project's SCons build as a child process and shows it: progress bars for the
profile's inferences and the power run's windows, the build's step lines by verbosity, and every
error. The failures the steps record say why the build failed (autodeploy.failures)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from .. import failures
from ..home import ENGINE_DIR
from ..progress import parse_progress

#: What a progress bar counts, per unit of a progress line.
_BAR_UNITS = {"run": "inferences", "window": "power windows"}


@dataclass(frozen=True)
class BuildResult:
    returncode: int
    failures: list[dict]  # autodeploy.failures records of the steps that failed
    steps: int  # build steps that ran (0: everything was up to date)


class Bars:
    """One tqdm bar per (step, model) of the progress lines; closed when complete."""

    def __init__(self, stream, disable: bool | None = None):
        self.stream = stream
        self.disable = disable
        self.bars: dict[tuple[str, str], tqdm] = {}

    def update(self, progress) -> None:
        key = (progress.step, progress.model)
        bar = self.bars.get(key)
        if bar is None or bar.total != progress.total:
            unit = _BAR_UNITS.get(progress.unit, progress.unit)
            bar = tqdm(
                total=progress.total,
                desc=f"{progress.model} {progress.step}: {unit}",
                unit="",
                file=self.stream,
                disable=self.disable,
                leave=True,
            )
            self.bars[key] = bar
        bar.update(progress.done - bar.n)
        if progress.done >= progress.total:
            bar.close()

    def write(self, line: str, stream) -> None:
        tqdm.write(line, file=stream)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()

    @property
    def showing(self) -> bool:
        """Whether bars are drawn (tqdm draws them only on a terminal unless told otherwise)."""
        return not (self.disable if self.disable is not None else not self.stream.isatty())


#: `[step] target`: one line per build step that runs (builders.common.step_action, [cc], ...).
_STEP_LINE = re.compile(r"^\[[\w-]+\] \S+$")


def scons_command(jobs: int, targets: list[str]) -> list[str]:
    return [sys.executable, "-m", "SCons", "-Q", f"-j{jobs}", *targets]


def run_scons(
    project: Path,
    targets: list[str],
    verbosity: int,
    *,
    jobs: int | None = None,
    out=None,
    err=None,
    bars: Bars | None = None,
) -> BuildResult:
    """Build `targets` in `project` with the tool's engine (this one: the child imports it from
    the same folder) and show the build as `verbosity` asks."""
    out, err = out or sys.stdout, err or sys.stderr
    bars = bars or Bars(err)
    jobs = jobs or os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="autodeploy-") as tmp:
        record = Path(tmp) / "failures.jsonl"
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env[failures.ENV] = str(record)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(ENGINE_DIR.parent), os.environ.get("PYTHONPATH")) if p
        )
        child = subprocess.Popen(
            scons_command(jobs, targets),
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        errors = threading.Thread(target=_echo_errors, args=(child.stderr, bars, err))
        errors.start()
        steps = 0
        try:
            for raw in child.stdout:
                line = raw.rstrip("\n")
                progress = parse_progress(line)
                if progress:
                    bars.update(progress)
                    if verbosity >= 2 and not bars.showing:
                        bars.write(line, out)
                elif _STEP_LINE.match(line):
                    steps += 1
                    if verbosity >= 1:
                        bars.write(line, out)
                elif verbosity >= 3:
                    bars.write(line, out)
            returncode = child.wait()
        finally:
            if child.poll() is None:  # Ctrl-C: scons got the terminal's SIGINT too
                child.wait()
            errors.join()
            bars.close()
        return BuildResult(returncode, failures.read(record), steps)


def _echo_errors(stream, bars: Bars, err) -> None:
    for raw in stream:
        bars.write(raw.rstrip("\n"), err)
