"""A dataset checked against the model's inputs and converted to what the model takes.

Each model input is fed by one array whose first axis is the samples: the array named after the
input tensor, or `input_<k>` (or NumPy's positional `arr_<k>`), or, for a one-input model, the
only array there is. A sample has the input's shape, with or without its leading batch of 1.
Float data is quantized with the input's scale and zero point as TFLite's QUANTIZE op does;
integer data must already have the input's type and is used as is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..codegen.generator import NP_DTYPES
from ..config.loader import DatasetSpec
from ..errors import DatasetError
from ..validation.classification import classifier_outputs
from .arrays import LABELS, Named, dataset_files, dataset_sha256, read_arrays


@dataclass(frozen=True)
class Dataset:
    runs: list[list[np.ndarray]]  # per sample, per model input: the array the model takes
    labels: np.ndarray | None  # class index per sample, for the first classifier output
    record: dict  # what reports and the result log say about it (file, samples, hash, ...)


def quantize(values: np.ndarray, scale: float, zero_point: int, dtype: str) -> np.ndarray:
    """TFLite's QUANTIZE from float: x / scale in float32, rounded half away from zero, plus the
    zero point, saturated to the integer type."""
    scaled = np.asarray(values, np.float32) / np.float32(scale)
    wide = scaled.astype(np.float64)  # exact: rounding the float32 quotient, as std::round does
    rounded = np.sign(wide) * np.floor(np.abs(wide) + 0.5) + zero_point
    limits = np.iinfo(NP_DTYPES[dtype])
    return np.clip(rounded, limits.min, limits.max).astype(NP_DTYPES[dtype])


def _describe(k: int, entry: dict) -> str:
    shape = "x".join(map(str, entry["shape"]))
    return f"input {k} ('{entry['name']}', {entry['dtype'].lower()} {shape})"


def _match(arrays: dict[str, Named], inputs: list[dict], shown: str) -> list[Named]:
    """The array feeding each input (see the module doc)."""
    chosen = []
    for k, entry in enumerate(inputs):
        names = [n for n in (entry["name"], f"input_{k}", f"arr_{k}") if n in arrays]
        chosen.append(names[0] if names else None)
    if None in chosen and len(inputs) == 1 and len(arrays) == 1:
        chosen = list(arrays)
    wanted = ", ".join(_describe(k, e) for k, e in enumerate(inputs))
    if None in chosen:
        missing = _describe(chosen.index(None), inputs[chosen.index(None)])
        raise DatasetError(
            f"dataset {shown}: no array feeds {missing}; the model takes {wanted}, the dataset "
            f"has {', '.join(a.origin for a in arrays.values())}: name each array after its "
            f"input (input_0, input_1, ...) and the labels '{LABELS}'"
        )
    unused = [a.origin for name, a in arrays.items() if name not in chosen]
    if unused:
        raise DatasetError(
            f"dataset {shown}: {', '.join(unused)} feed no input (the model takes {wanted}); "
            f"remove them, or name the labels array '{LABELS}'"
        )
    return [arrays[name] for name in chosen]


def _as_input(named: Named, k: int, entry: dict) -> np.ndarray:
    """The samples of `named` as input k takes them: samples x the input's shape, its dtype."""
    data, shape, dtype = named.array, tuple(entry["shape"]), entry["dtype"]
    what = f"{named.origin} (feeding {_describe(k, entry)})"
    sample_shapes = [shape] + ([shape[1:]] if shape and shape[0] == 1 else [])
    if data.ndim == 0 or data.shape[1:] not in sample_shapes:
        expected = " or ".join(str(("N", *s)).replace("'", "") for s in reversed(sample_shapes))
        raise DatasetError(
            f"{what}: shape {data.shape} does not match; expected {expected} with the N samples "
            "along the first axis"
        )
    data = data.reshape((len(data), *shape))
    if np.issubdtype(data.dtype, np.floating):
        if not np.all(np.isfinite(data)):
            bad = int(np.argwhere(~np.isfinite(data.reshape(len(data), -1)))[0][0])
            raise DatasetError(f"{what}: sample {bad} holds NaN or infinity")
        if dtype == "FLOAT32":
            return data.astype(np.float32)
        scale, zero_point = entry["scale"], entry["zero_point"]
        if dtype not in ("INT8", "UINT8", "INT16", "INT32") or len(scale) != 1 or not scale[0]:
            raise DatasetError(
                f"{what}: float data needs one scale and zero point to quantize with, and the "
                f"input has {len(scale)} scales; give {dtype.lower()} data as the model takes it"
            )
        return quantize(data, scale[0], zero_point[0], dtype)
    if dtype in NP_DTYPES and data.dtype == np.dtype(NP_DTYPES[dtype]):
        return data
    floats = " or float values to quantize" if entry["scale"] else ""
    raise DatasetError(
        f"{what}: dtype {data.dtype} does not fit; give {dtype.lower()} values as the model "
        f"takes them{floats}"
    )


def _labels(labels: Named, samples: int, outputs: list[dict], shown: str) -> np.ndarray:
    classifiers = classifier_outputs(outputs)
    if not classifiers:
        raise DatasetError(
            f"dataset {shown}: {labels.origin} gives labels, but no output of the model is a "
            "vector of class scores to check them against; leave the labels out"
        )
    data = labels.array
    if not np.issubdtype(data.dtype, np.integer) or data.reshape(len(data), -1).shape[1:] != (1,):
        raise DatasetError(
            f"{labels.origin}: labels must be integer class indices, shape (N,) or (N, 1); got "
            f"{data.dtype} {data.shape}"
        )
    data = data.reshape(-1)[:samples].astype(np.int64)
    classes = classifiers[0][1]
    bad = np.flatnonzero((data < 0) | (data >= classes))
    if bad.size:
        raise DatasetError(
            f"{labels.origin}: label {data[bad[0]]} of sample {bad[0]} is not a class of output "
            f"{classifiers[0][0]}, which has {classes} (0 to {classes - 1})"
        )
    return data


def load_dataset(spec: DatasetSpec, inputs: list[dict], outputs: list[dict]) -> Dataset:
    """Read, check and convert a dataset for a model whose inputs and outputs are described as
    in its analysis (name, shape, dtype, scale, zero_point). Raises DatasetError."""
    arrays, labels = read_arrays(spec)
    fed = _match(arrays, inputs, spec.shown)
    counted = [*fed, labels] if labels else fed
    counts = {a.origin: len(a.array) if a.array.ndim else 0 for a in counted}
    if len(set(counts.values())) != 1 or 0 in counts.values():
        listed = ", ".join(f"{origin}: {n}" for origin, n in counts.items())
        raise DatasetError(
            f"dataset {spec.shown}: every array needs the same number of samples along its first "
            f"axis, at least 1; got {listed}"
        )
    total = next(iter(counts.values()))
    samples = spec.samples or total
    if samples > total:
        raise DatasetError(f"dataset {spec.shown}: {samples} samples asked for, it has {total}")
    pairs = list(zip(fed, inputs, strict=True))
    converted = [_as_input(a, k, e)[:samples] for k, (a, e) in enumerate(pairs)]
    record = {
        "path": spec.shown,
        "files": [p.name for p in dataset_files(spec)],
        "sha256": dataset_sha256(spec),
        "samples": samples,
        "total_samples": total,
        "inputs": [f"{a.origin} -> {_conversion(a, e)}" for a, e in pairs],
        "labels": labels.origin if labels else None,
    }
    return Dataset(
        runs=[[x[n] for x in converted] for n in range(samples)],
        labels=_labels(labels, samples, outputs, spec.shown) if labels else None,
        record=record,
    )


def _conversion(named: Named, entry: dict) -> str:
    name = f"input '{entry['name']}'"
    if np.issubdtype(named.array.dtype, np.floating) and entry["dtype"] != "FLOAT32":
        return (
            f"{name}, {named.array.dtype} quantized to {entry['dtype'].lower()} (scale "
            f"{entry['scale'][0]:g}, zero point {entry['zero_point'][0]})"
        )
    return f"{name}, {entry['dtype'].lower()} as given"
