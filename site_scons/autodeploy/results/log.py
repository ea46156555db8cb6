"""CSV files of result rows, and the result log's keyed update.

The log (reports/results.csv) lives across builds: measurements add rows, and a new measurement
of the same variant on the same inputs (KEY_COLUMNS) replaces its row. Parallel builds (-j)
update it from several threads, so every update holds an exclusive lock on a side file and
rewrites the CSV atomically.
"""

from __future__ import annotations

import csv
import fcntl
import io
from contextlib import contextmanager
from pathlib import Path

from .. import atomic
from .columns import KEY_COLUMNS, LOG_COLUMNS


def read_rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(newline="") as f:
        return [{k: v if v != "" else None for k, v in row.items()} for row in csv.DictReader(f)]


def write_rows(path: Path, rows: list[dict], leading: tuple[str, ...] = LOG_COLUMNS) -> None:
    """Write rows with `leading` columns first, then any others (per-memory sizes), sorted."""
    extra = sorted({k for row in rows for k in row} - set(leading) - {"href"})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*leading, *extra], extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    atomic.write_text(str(path), out.getvalue())


def _key(row: dict) -> tuple[str, ...]:
    return tuple(str(row.get(k)) for k in KEY_COLUMNS)


@contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def upsert_rows(path: Path, rows: list[dict]) -> None:
    """Add `rows` to the log at `path`, replacing rows with the same key, keeping the order."""
    with _locked(path):
        kept = {_key(r): r for r in read_rows(path)}
        for row in rows:
            kept[_key(row)] = row
        write_rows(path, list(kept.values()))
