"""The user's dataset files: which files a dataset is, their arrays by name, and their hash."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config.loader import DATASET_SUFFIXES, DatasetSpec
from ..errors import DatasetError

#: The array holding the labels when no separate labels file is given.
LABELS = "labels"


@dataclass(frozen=True)
class Named:
    """One array of the dataset and where it came from ("kws.npz:input_0", "mfcc.npy")."""

    array: np.ndarray
    origin: str


def dataset_files(spec: DatasetSpec) -> list[Path]:
    """Every file the dataset reads: the file, or a folder's .npy/.npz files in name order,
    then the labels file if it is separate."""
    if spec.path.is_dir():
        files = sorted(p for p in spec.path.iterdir() if p.suffix in DATASET_SUFFIXES)
    else:
        files = [spec.path]
    return files + ([spec.labels] if spec.labels else [])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dataset_sha256(spec: DatasetSpec) -> str:
    """SHA-256 of the dataset's file (what `sha256sum` prints); of several files (a folder, or a
    separate labels file), of one '<name> <sha256>' line per file in dataset_files' order."""
    files = dataset_files(spec)
    if len(files) == 1:
        return _sha256(files[0])
    lines = "".join(f"{p.name} {_sha256(p)}\n" for p in files)
    return hashlib.sha256(lines.encode()).hexdigest()


def _load(path: Path) -> dict[str, Named]:
    """The arrays of one file: a .npy's under its file name (without .npy), a .npz's by key."""
    try:
        if path.suffix == ".npy":
            return {path.stem: Named(np.load(path, allow_pickle=False), path.name)}
        with np.load(path, allow_pickle=False) as archive:
            return {k: Named(archive[k], f"{path.name}:{k}") for k in archive.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise DatasetError(
            f"{path}: cannot read it as a NumPy {path.suffix} file ({err}); save arrays with "
            "numpy.save / numpy.savez (object arrays and pickles are not read)"
        ) from None


def read_arrays(spec: DatasetSpec) -> tuple[dict[str, Named], Named | None]:
    """(input arrays by name, the labels or None)."""
    arrays: dict[str, Named] = {}
    for path in dataset_files(spec)[: -1 if spec.labels else None]:
        for name, named in _load(path).items():
            if name in arrays:
                raise DatasetError(
                    f"dataset {spec.shown}: two arrays are named '{name}' ({arrays[name].origin} "
                    f"and {named.origin}); rename one"
                )
            arrays[name] = named
    if not arrays:
        raise DatasetError(f"dataset {spec.shown}: no arrays in it")
    labels = arrays.pop(LABELS, None)
    if spec.labels:
        if labels is not None:
            raise DatasetError(
                f"dataset {spec.shown}: labels given twice, in {labels.origin} and in "
                f"{spec.labels.name}; keep one"
            )
        (labels,) = _load(spec.labels).values()
    return arrays, labels
