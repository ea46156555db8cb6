"""Where the reference tool's options put copies of the results: --resultlog-file (the run's
result-log row) and --profile-results-path (the per-layer CSV as <model>_stats.csv). Both are
left untouched when they already hold the same, so an unchanged command writes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..dataset import dataset_sha256
from ..results import KEY_COLUMNS, read_rows, upsert_rows
from ..run_record import tflite_sha256
from ..variants import Variant


def current_row(project: Path, spec, variant: Variant) -> dict | None:
    """The project's result-log row of `variant` on the current model file and inputs."""
    key = {
        "Model": spec.name,
        "Variant": variant.name,
        "Model SHA-256": tflite_sha256(spec.tflite.read_bytes()),
        "Seed": spec.seed,
        "Dataset SHA-256": dataset_sha256(spec.dataset) if spec.dataset else None,
    }
    for row in read_rows(project / "reports" / "results.csv"):
        if all(str(row.get(k)) == str(key[k]) for k in KEY_COLUMNS):
            return row
    return None


def add_to_result_log(path: Path, row: dict) -> bool:
    """Upsert `row` into the CSV at `path` unless it holds that row already (a missing column
    and an empty one are the same)."""

    def same(other: dict) -> bool:
        return all(row.get(k) == other.get(k) for k in {*row, *other})

    if any(same(other) for other in read_rows(path)):
        return False
    upsert_rows(path, [row])
    return True


def copy_profile_csv(project: Path, variant: Variant, folder: Path) -> bool:
    source = project / variant.report_dir / "profile.csv"
    target = folder / f"{variant.model}_stats.csv"
    if target.is_file() and target.read_bytes() == source.read_bytes():
        return False
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return True
