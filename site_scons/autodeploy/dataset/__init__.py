"""Real inputs for validation: a model's dataset (`dataset:` in models.yaml, `--dataset`).

arrays.py reads the user's .npy/.npz files; convert.py checks them against the model's inputs
and turns them into the bytes the model takes (float data quantized as TFLite does); this module
saves and loads the converted form the profile step runs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np

from .. import atomic
from .arrays import dataset_files, dataset_sha256
from .convert import Dataset, load_dataset, quantize

__all__ = [
    "Dataset",
    "dataset_files",
    "dataset_sha256",
    "load_dataset",
    "quantize",
    "read_converted",
    "write_converted",
]


def write_converted(dataset: Dataset, npz_path: str, json_path: str) -> None:
    """The converted samples (input_<k>: samples x the input's shape; labels) and the record."""
    inputs = range(len(dataset.runs[0]))
    arrays = {f"input_{k}": np.stack([run[k] for run in dataset.runs]) for k in inputs}
    if dataset.labels is not None:
        arrays["labels"] = dataset.labels
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    atomic.write_bytes(npz_path, buffer.getvalue())
    atomic.write_json(json_path, dataset.record)


def read_converted(npz_path: str | Path, json_path: str | Path) -> Dataset:
    with np.load(npz_path, allow_pickle=False) as data:
        count = sum(name.startswith("input_") for name in data.files)
        stacked = [data[f"input_{k}"] for k in range(count)]
        labels = data["labels"] if "labels" in data.files else None
    runs = [[inputs[n] for inputs in stacked] for n in range(len(stacked[0]))]
    return Dataset(runs=runs, labels=labels, record=json.loads(Path(json_path).read_text()))
