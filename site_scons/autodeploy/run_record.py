"""What identifies one measurement: a run ID, its date, and the inputs it measured.

Profile and power reports both carry this record. The result log keys its rows by variant and
these inputs (the model file's SHA-256, the input seed and the dataset's SHA-256, if any), so a
re-measurement of the same inputs replaces its row while a changed model adds a new one.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime


def tflite_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run_record(tflite_sha: str, seed: int, dataset_sha: str | None = None) -> dict:
    """dataset_sha: the SHA-256 of the dataset whose samples were the inputs (None: seeded)."""
    now = datetime.now(UTC)
    return {
        "id": f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}",
        "date": now.isoformat(timespec="seconds"),
        "tflite_sha256": tflite_sha,
        "seed": seed,
        "dataset_sha256": dataset_sha,
    }
