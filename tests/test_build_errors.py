"""Bad input stops the build with the tool's own message: no traceback, no half-written output."""

import pytest
from scons_project import SconsProject
from support.tflite_builder import ModelBuilder


@pytest.fixture
def project(tmp_path):
    return SconsProject(tmp_path)


def assert_clean_failure(result, *expected):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    for text in expected:
        assert text in result.stderr, result.stderr


def test_broken_yaml_names_file_and_line(project):
    project.edit("models.yaml", "\nmodels:\n", "\nmodels: [\n")
    result = project.scons("kws-analyze", check=False)
    assert_clean_failure(result, "models.yaml:")
    assert result.returncode == 2


def test_misspelt_location_suggests_the_right_one(project):
    kws_line = "tflite: models/mlperf_tiny_kws_dscnn_int8.tflite"
    project.edit("models.yaml", kws_line, kws_line + "\n    arena_location: SRM")
    result = project.scons("kws-analyze", check=False)
    assert_clean_failure(result, "models.kws.arena_location", "did you mean 'SRAM'")


def test_corrupt_tflite_fails_only_its_model(project):
    path = project.root / "models" / "mlperf_tiny_kws_dscnn_int8.tflite"
    path.write_bytes(path.read_bytes()[:5000])
    result = project.scons("-k", "kws-analyze", "ic-analyze", check=False)
    assert_clean_failure(result, "models/mlperf_tiny_kws_dscnn_int8.tflite")
    assert not (project.root / "build" / "kws" / "mve" / "model_analysis.json").exists()
    assert not (project.root / "reports" / "kws").exists()
    assert (project.root / "reports" / "ic" / "analysis.md").exists()  # -k: others still build


def test_explicit_placement_that_does_not_fit(project):
    mnv2_line = "tflite: models/armmlzoo_mobilenet_v2_1.0_224_int8.tflite"
    project.edit("models.yaml", mnv2_line, mnv2_line + "\n    arena_location: TCM")
    result = project.scons("mnv2-analyze", check=False)
    # the arena plan (1,505,280) plus the 224x224x3 input's staging buffer (150,528)
    assert_clean_failure(result, "mnv2", "TCM", "1,660,336", "370,688")
    assert not (project.root / "reports" / "mnv2" / "analysis.md").exists()
    # the failed step and its target name the model and the variant
    assert "error: [place] build/mnv2/apollo510_evb-gcc-PSRAM-TCM/placement.json: model 'mnv2'" in (
        result.stderr
    )


def test_sweep_over_a_corrupt_tflite_names_the_file(project):
    path = project.root / "models" / "mlperf_tiny_kws_dscnn_int8.tflite"
    path.write_bytes(path.read_bytes()[:5000])
    result = project.scons("sweep-kws_placement", check=False)
    assert_clean_failure(result, "error: ", "mlperf_tiny_kws_dscnn_int8.tflite")
    assert result.returncode == 2
    assert not (project.root / "reports" / "sweeps").exists()


def test_an_arena_no_memory_holds_fails_in_placement_before_its_c_compiles(project):
    builder = ModelBuilder()
    x = builder.tensor([1, 100000, 100000, 3], "INT8", 0.05, 0)
    y = builder.tensor([1, 100000, 100000, 3], "INT8", 0.05, 0)
    builder.op("RELU", [x], [y])
    (project.root / "models" / "huge.tflite").write_bytes(builder.build([x], [y]))
    project.edit(
        "models.yaml", "\nmodels:\n", "\nmodels:\n  huge:\n    tflite: models/huge.tflite\n"
    )
    result = project.scons("huge-firmware", check=False)
    assert_clean_failure(result, "error: [place]", "huge", "more than any memory of apollo510_evb")
    assert "need 90,000,000,000 bytes" in result.stderr  # two tensors and the input staging
    assert "[cc] build/huge" not in result.stdout and "too large" not in result.stderr
