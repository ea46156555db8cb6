"""Parallel builds are as trustworthy as serial ones: `scons -j4` from clean writes every analysis
and generated source byte for byte as `scons -j1` does.

SCons runs Python actions on several worker threads, so any lazily filled engine state (the
lowering registry, template environments, caches) is exercised here from several threads at once.
Copies of shipped models under new names make more first-use races per build.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from scons_project import SconsProject

COPIES = {
    "copy_kws": "models/mlperf_tiny_kws_dscnn_int8.tflite",
    "copy_ic": "models/mlperf_tiny_ic_resnet8_cifar10_int8.tflite",
    "copy_vww": "models/mlperf_tiny_vww_mobilenetv1_025_96_int8.tflite",
    "copy_ad": "models/mlperf_tiny_ad_fc_autoencoder_int8.tflite",
}
PARALLEL_RUNS = 3


def _outputs(root: Path) -> dict[str, bytes]:
    files = [p for folder in ("build", "reports") for p in (root / folder).rglob("*")]
    return {str(p.relative_to(root)): p.read_bytes() for p in files if p.is_file()}


def _clean(root: Path) -> None:
    for folder in ("build", "reports"):
        shutil.rmtree(root / folder, ignore_errors=True)
    for sconsign in root.glob(".sconsign*"):
        sconsign.unlink()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = SconsProject(tmp_path_factory.mktemp("parallel"))
    entries = "".join(f"  {name}:\n    tflite: {path}\n" for name, path in COPIES.items())
    project.edit("models.yaml", "\nmodels:\n", "\nmodels:\n" + entries)
    return project


def test_j4_from_clean_equals_j1_byte_for_byte(project):
    project.scons("-j1", "analyze-all", "sources-all")
    serial = _outputs(project.root)
    models = {Path(name).parts[1] for name in serial if name.startswith("reports/")}
    assert len(models) >= 8 and set(COPIES) <= models
    assert any(name.endswith("_model.c") for name in serial)
    for run in range(PARALLEL_RUNS):
        _clean(project.root)
        project.scons("-j4", "analyze-all", "sources-all")
        parallel = _outputs(project.root)
        assert sorted(parallel) == sorted(serial), f"-j4 run {run}: different files"
        differing = sorted(name for name in serial if parallel[name] != serial[name])
        assert not differing, f"-j4 run {run}: outputs differ from -j1: {differing}"
