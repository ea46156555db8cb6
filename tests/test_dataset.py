"""Real-data validation: reading a dataset's .npy/.npz files, checking them against the model's
inputs (each mistake a clear error naming the file, the input and the expected shape),
quantizing float data as TFLite does, the `dataset:` key of models.yaml, and the classifier
figures (top-1 agreement, accuracy) the profile adds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autodeploy.analysis.model_analysis import io_entry
from autodeploy.config import DatasetSpec, load_config
from autodeploy.dataset import (
    dataset_sha256,
    load_dataset,
    quantize,
    read_converted,
    write_converted,
)
from autodeploy.errors import ConfigError, DatasetError
from autodeploy.tflite.reader import read_model
from autodeploy.validation.classification import classification, classifier_outputs

ROOT = Path(__file__).resolve().parent.parent
KWS = ROOT / "models/mlperf_tiny_kws_dscnn_int8.tflite"
KWS_DATA = ROOT / "models/datasets/kws_espeak.npz"


def io(tflite: Path) -> tuple[list[dict], list[dict]]:
    main = read_model(tflite).main
    return [io_entry(main.tensors[i]) for i in main.inputs], [
        io_entry(main.tensors[i]) for i in main.outputs
    ]


INPUTS, OUTPUTS = io(KWS)  # int8 1x49x10x1, scale 0.5847, zero point 83 -> int8 1x12


def spec(path: Path, **kw) -> DatasetSpec:
    return DatasetSpec(path=path, shown=path.name, **kw)


def load(path: Path, **kw):
    return load_dataset(spec(path, **kw), INPUTS, OUTPUTS)


def features(n: int = 4, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(-20, 30, (n, 49, 10, 1)).astype(np.float32)


def test_quantize_rounds_half_away_from_zero_and_saturates() -> None:
    scale, zero = 0.5, -10
    x = np.array([1.25, -1.25, 0.25, -0.25, 0.2, 100.0, -100.0, 0.0], np.float32)
    # x / 0.5 = 2.5, -2.5, 0.5, -0.5, 0.4, 200, -200, 0: ties go away from zero (numpy's
    # round would give 2, -2, 0, 0), then + zero point, then int8 saturation
    assert quantize(x, scale, zero, "INT8").tolist() == [-7, -13, -9, -11, -10, 127, -128, -10]
    assert quantize(np.array([-1.0, 300.0]), 1.0, 0, "UINT8").tolist() == [0, 255]
    assert quantize(np.array([3.0]), 0.5, 0, "INT16").dtype == np.int16


def test_float_npz_is_quantized_with_the_inputs_scale_and_zero_point(tmp_path) -> None:
    data = features()
    np.savez(tmp_path / "d.npz", input_0=data, labels=np.array([0, 5, 11, 3]))
    dataset = load(tmp_path / "d.npz")
    scale, zero = INPUTS[0]["scale"][0], INPUTS[0]["zero_point"][0]
    assert len(dataset.runs) == 4 and dataset.runs[0][0].shape == (1, 49, 10, 1)
    assert dataset.runs[2][0].dtype == np.int8
    expected = quantize(data[2], scale, zero, "INT8").reshape(1, 49, 10, 1)
    assert np.array_equal(dataset.runs[2][0], expected)
    assert dataset.labels.tolist() == [0, 5, 11, 3]
    record = dataset.record
    assert record["samples"] == 4 and record["total_samples"] == 4
    assert record["sha256"] == dataset_sha256(spec(tmp_path / "d.npz"))
    assert "quantized to int8 (scale 0.584703, zero point 83)" in record["inputs"][0]
    assert record["labels"] == "d.npz:labels"


def test_int8_data_is_used_as_is_with_or_without_the_batch_axis(tmp_path) -> None:
    data = np.random.default_rng(1).integers(-128, 128, (3, 1, 49, 10, 1), dtype=np.int8)
    np.save(tmp_path / "input_0.npy", data)
    dataset = load(tmp_path / "input_0.npy")
    assert all(np.array_equal(run[0], data[n]) for n, run in enumerate(dataset.runs))
    assert dataset.labels is None
    assert dataset.record["inputs"][0].endswith("int8 as given")


def test_a_folder_of_npy_files_with_samples_limit_and_separate_labels(tmp_path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    np.save(folder / "input_0.npy", features(5))
    np.save(tmp_path / "y.npy", np.array([1, 2, 3, 4, 5]))
    dataset = load(folder, labels=tmp_path / "y.npy", samples=3)
    assert len(dataset.runs) == 3 and dataset.labels.tolist() == [1, 2, 3]
    assert dataset.record["files"] == ["input_0.npy", "y.npy"]
    assert dataset.record["samples"] == 3 and dataset.record["total_samples"] == 5


def test_converted_dataset_round_trips(tmp_path) -> None:
    dataset = load(KWS_DATA)
    write_converted(dataset, str(tmp_path / "c.npz"), str(tmp_path / "c.json"))
    again = read_converted(tmp_path / "c.npz", tmp_path / "c.json")
    assert len(again.runs) == 36 and again.record == dataset.record
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(again.runs, dataset.runs, strict=True))
    assert np.array_equal(again.labels, dataset.labels)


def _error(tmp_path, arrays: dict, match: str, **kw) -> str:
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(DatasetError, match=match) as err:
        load(tmp_path / "bad.npz", **kw)
    return str(err.value)


def test_wrong_shape_names_the_file_the_input_and_the_expected_shape(tmp_path) -> None:
    text = _error(tmp_path, {"input_0": features()[..., 0]}, "does not match")
    assert "bad.npz:input_0" in text and "input 0 ('input_1', int8 1x49x10x1)" in text
    assert "shape (4, 49, 10)" in text and "(N, 49, 10, 1) or (N, 1, 49, 10, 1)" in text


def test_wrong_dtype(tmp_path) -> None:
    text = _error(tmp_path, {"input_0": features().astype(np.int16)}, "dtype int16 does not fit")
    assert "give int8 values as the model takes them or float values to quantize" in text


@pytest.mark.parametrize(
    ("arrays", "kw", "match"),
    [
        (
            {"input_0": features(4), "labels": np.arange(3)},
            {},
            "bad.npz:input_0: 4, bad.npz:labels: 3",
        ),
        ({"input_0": features(0)}, {}, "at least 1"),
        ({"input_0": features(4)}, {"samples": 5}, "5 samples asked for, it has 4"),
        ({"input_0": features(2), "labels": np.array([0, 12])}, {}, "label 12 of sample 1"),
        ({"input_0": features(2), "labels": np.array([0.0, 1.0])}, {}, "integer class indices"),
        ({"x": features(2), "y": features(2)}, {}, "no array feeds input 0"),
        ({"input_0": features(2), "extra": features(2)}, {}, r"bad.npz:extra feed no input"),
        ({"input_0": np.full((2, 49, 10, 1), np.nan, np.float32)}, {}, "sample 0 holds NaN"),
    ],
    ids=["count", "empty", "samples", "label-range", "label-dtype", "unmatched", "extra", "nan"],
)
def test_dataset_errors(tmp_path, arrays, kw, match) -> None:
    _error(tmp_path, arrays, match, **kw)


def test_unreadable_and_pickled_files_are_refused(tmp_path) -> None:
    (tmp_path / "input_0.npy").write_bytes(b"not numpy at all")
    with pytest.raises(DatasetError, match="input_0.npy: cannot read it as a NumPy .npy file"):
        load(tmp_path / "input_0.npy")
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(DatasetError, match="object arrays and pickles are not read"):
        load(tmp_path / "obj.npy")


def test_labels_given_twice_or_for_a_model_without_class_scores(tmp_path) -> None:
    np.savez(tmp_path / "d.npz", input_0=features(2), labels=np.array([0, 1]))
    np.save(tmp_path / "y.npy", np.array([0, 1]))
    with pytest.raises(DatasetError, match="labels given twice"):
        load(tmp_path / "d.npz", labels=tmp_path / "y.npy")
    sine_inputs, sine_outputs = io(ROOT / "models/tflm_hello_world_int8.tflite")  # 1x1 -> 1x1
    np.savez(tmp_path / "x.npz", input_0=np.zeros((2, 1), np.float32), labels=np.zeros(2, int))
    with pytest.raises(DatasetError, match="no output of the model is a vector of class scores"):
        load_dataset(spec(tmp_path / "x.npz"), sine_inputs, sine_outputs)


def test_classifier_figures() -> None:
    outputs = [{"shape": [1, 3]}, {"shape": [1, 4, 4, 2]}, {"shape": [5]}]
    assert classifier_outputs(outputs) == [(0, 3), (2, 5)]
    ref = [[np.array([[1, 9, 2]]), None, np.array([0, 0, 0, 0, 1])] for _ in range(2)]
    ref[1][0] = np.array([[7, 1, 2]])
    board = [
        [np.array([[1, 9, 2]]), None, np.arange(5)],
        [np.array([[1, 9, 2]]), None, np.arange(5)],
    ]
    figures = classification(outputs, board, ref, labels=np.array([1, 1]))
    assert figures[0] | {} == {
        "output": 0, "classes": 3, "runs": 2, "top1_agree": 1, "distinct_top1_reference": 2,
        "host_correct": 1, "board_correct": 2,
    }  # fmt: skip
    assert figures[1]["top1_agree"] == 2 and figures[1]["host_correct"] is None


# --- models.yaml ------------------------------------------------------------------------------


def project(tmp_path: Path, dataset_yaml: str) -> Path:
    (tmp_path / "platforms").mkdir(exist_ok=True)
    platform = (ROOT / "platforms/apollo510_evb.yaml").read_text()
    (tmp_path / "platforms/apollo510_evb.yaml").write_text(platform)
    (tmp_path / "models.yaml").write_text(
        f"models:\n  kws:\n    tflite: {KWS}\n    platform: apollo510_evb\n{dataset_yaml}"
    )
    return tmp_path


def test_dataset_key_short_and_long_forms(tmp_path) -> None:
    np.save(tmp_path / "y.npy", np.zeros(36, int))
    spec_ = load_config(project(tmp_path, f"    dataset: {KWS_DATA}\n")).models["kws"].dataset
    assert spec_ == DatasetSpec(path=KWS_DATA, shown=str(KWS_DATA))
    long = f"    dataset: {{path: {KWS_DATA}, labels: y.npy, samples: 20}}\n"
    spec_ = load_config(project(tmp_path, long)).models["kws"].dataset
    assert (spec_.labels, spec_.samples) == (tmp_path / "y.npy", 20)
    assert load_config(project(tmp_path, "")).models["kws"].dataset is None


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("nowhere.npz", r"models.yaml:5: models.kws.dataset: 'nowhere.npz': file does not exist"),
        ("data.csv", "not a .npy or .npz file, nor a folder of them"),
        ("empty", "the folder has no .npy or .npz files"),
        ("{path: d.npz, labels: y.csv}", "models.kws.dataset.labels: 'y.csv': no such .npy file"),
        ("{path: d.npz, samples: 0}", r"models.kws.dataset.samples: 0 is too small"),
        ("{path: d.npz, sample: 3}", "unknown key 'sample'; did you mean 'samples'"),
    ],
)
def test_dataset_key_errors(tmp_path, value, match) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "data.csv").write_text("1,2\n")
    np.savez(tmp_path / "d.npz", input_0=features(1))
    with pytest.raises(ConfigError, match=match):
        load_config(project(tmp_path, f"    dataset: {value}\n"))
