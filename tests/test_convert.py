"""Keras and ONNX float models converted to int8 by `<model>-convert` (TensorFlow post-training
quantization, onnx2tf) in the conversion tool environment, then compiled and profiled on the
emulated board like any declared model, incrementally. Bad calibration data is named.

The tool environment (.tools/convert, ~2.6 GB) is created on first use: the first run of these
tests installs it from the package index (about 1.5 minutes here); later runs reuse it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from autodeploy.convert.run import tool_python
from tests.scons_project import SconsProject

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".tools"


@pytest.fixture(scope="module")
def float_models(tmp_path_factory) -> Path:
    os.environ.setdefault("AUTODEPLOY_TOOLS_DIR", str(TOOLS))  # one environment for every test
    python = tool_python(ROOT)
    folder = tmp_path_factory.mktemp("float_models")
    for kind in ("keras", "onnx"):
        subprocess.run(
            [str(python), str(ROOT / "tests" / "support" / "float_models.py"), kind, folder / kind],
            check=True,
            capture_output=True,
        )
    return folder


def declare(project: SconsProject, models: dict[str, dict]) -> None:
    entries = "".join(
        f"  {name}:\n" + "".join(f"    {k}: {v}\n" for k, v in keys.items())
        for name, keys in models.items()
    )
    text = (project.root / "models.yaml").read_text()
    (project.root / "models.yaml").write_text(
        text.replace("\nmodels:\n", f"\nmodels:\n{entries}", 1)
    )


@pytest.fixture(scope="module")
def project(float_models, tmp_path_factory) -> SconsProject:
    project = SconsProject(tmp_path_factory.mktemp("convert"))
    declare(
        project,
        {
            "small_keras": {
                "source": float_models / "keras" / "model.keras",
                "calibration": float_models / "keras" / "calibration.npy",
            },
            "small_onnx": {
                "source": float_models / "onnx" / "model.onnx",
                "calibration": float_models / "onnx" / "calibration.npy",
            },
        },
    )
    project.first = project.scons("-j2", "small_keras-profile", "small_onnx-profile")
    return project


def test_both_convert_and_run_on_the_emulated_board(project) -> None:
    steps = project.steps(project.first)
    assert sorted(target for step, target in steps if step == "convert") == [
        f"build/{m}/convert/{m}.tflite" for m in ("small_keras", "small_onnx")
    ]
    for model, inputs in (("small_keras", [1, 16, 16, 1]), ("small_onnx", [1, 8, 8, 3])):
        report = json.loads((project.root / f"build/{model}/convert/convert.json").read_text())
        assert report["quantize"] == "int8" and report["calibration_samples"] == 32
        [out] = report["outputs"]
        assert out["cosine"] > 0.999 and out["top1_agreement"] >= 0.9, out
        assert out["max_abs_error"] < 0.05
        analysis = json.loads((project.root / f"build/{model}/mve/model_analysis.json").read_text())
        assert analysis["inputs"][0]["shape"] == inputs  # ONNX NCHW became NHWC
        assert analysis["inputs"][0]["dtype"] == "INT8"
        profile = json.loads(
            (
                project.root / f"reports/{model}/apollo510_evb-gcc-auto-auto-HP/profile.json"
            ).read_text()
        )
        assert profile["validation"]["passed"], profile["validation"]
        md = (project.root / f"reports/{model}/convert.md").read_text()
        assert "Max abs error" in md and "Top-1 agreement" in md


def test_an_unchanged_model_converts_nothing_again(project) -> None:
    again = project.scons("small_keras-profile", "small_onnx-profile")
    assert project.steps(again) == []


def test_new_calibration_data_reconverts_and_rebuilds_downstream(project, float_models) -> None:
    calibration = float_models / "keras" / "calibration.npy"
    data = np.load(calibration)
    np.save(calibration, data[:16] * 0.5)
    steps = [s for s, _ in project.steps(project.scons("small_keras-analyze"))]
    assert steps[0] == "convert" and "compile" in steps
    report = json.loads((project.root / "build/small_keras/convert/convert.json").read_text())
    assert report["calibration_samples"] == 16


def test_calibration_of_the_wrong_shape_names_file_input_and_shape(float_models, tmp_path) -> None:
    bad = tmp_path / "bad.npy"
    np.save(bad, np.zeros((4, 16, 16, 3), np.float32))
    (tmp_path / "p").mkdir()
    project = SconsProject(tmp_path / "p")
    declare(
        project,
        {"bad_keras": {"source": float_models / "keras" / "model.keras", "calibration": bad}},
    )
    result = project.scons("bad_keras-convert", check=False)
    assert result.returncode != 0
    assert (
        f"calibration file {bad}: input 'image' expects an array of shape (N, 16, 16, 1) "
        "(N samples first), got (4, 16, 16, 3)"
    ) in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (project.root / "build/bad_keras/convert/bad_keras.tflite").exists()
