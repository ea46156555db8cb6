"""The product's promise: a build re-runs exactly the steps a change touches.

Runs real `scons` in a temporary copy of the project and reads which builders ran from the
build log (one `[step] target` line per builder run).
"""

import shutil

import pytest
from scons_project import SconsProject


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = SconsProject(tmp_path_factory.mktemp("project"))
    first = project.scons("analyze-all", "sources-all")
    project.first_steps = SconsProject.steps(first)
    return project


def test_first_build_runs_every_step_once_per_model(project):
    steps = project.first_steps
    models = {t.split("/")[1] for s, t in steps if s == "compile"}
    assert "kws" in models and "mnv3sm" in models and len(models) >= 11
    for step in ("place", "report", "sources"):
        assert sum(s == step for s, _ in steps) == len(models), step
    for name in ("analysis.md", "analysis.json", "layers.csv"):
        assert (project.root / "reports" / "kws" / name).stat().st_size > 0


def test_second_build_runs_nothing(project):
    assert SconsProject.steps(project.scons("analyze-all", "sources-all")) == []


def test_changed_tflite_reruns_only_that_model(project):
    models = project.root / "models"
    shutil.copyfile(
        models / "mlperf_tiny_kws_dscnn_int8_aligned.tflite",
        models / "mlperf_tiny_kws_dscnn_int8.tflite",
    )
    steps = SconsProject.steps(project.scons("analyze-all", "sources-all"))
    # the models declared on that file: kws, and the same file on the Alif E7 (two of them)
    expected = [
        step
        for model, board in (
            ("kws", "apollo510_evb"),
            ("kws_e7", "alif_e7_hp"),
            ("kws_e7_cpu_softmax", "alif_e7_hp"),
        )
        for step in (
            ("compile", f"build/{model}/mve/model_analysis.json"),
            ("place", f"build/{model}/{board}-gcc-auto-auto/placement.json"),
            ("report", f"reports/{model}/analysis.md"),
            ("sources", f"build/{model}/mve/src/{model}_model.h"),
        )
    ]
    assert sorted(steps) == sorted(expected)


def test_changed_placement_never_reparses_or_regenerates_the_model(project):
    kws_line = "tflite: models/mlperf_tiny_kws_dscnn_int8.tflite"
    project.edit("models.yaml", kws_line, kws_line + "\n    arena_location: SRAM")
    steps = SconsProject.steps(project.scons("analyze-all", "sources-all"))
    # the generated C names placement-independent sections; only the linker script maps them
    # a new placement is a new variant: its own placement (build/<model>/<variant key>/)
    assert sorted(steps) == [
        ("place", "build/kws/apollo510_evb-gcc-auto-SRAM/placement.json"),
        ("report", "reports/kws/analysis.md"),
    ]
    assert "arena in **SRAM**" in (project.root / "reports/kws/analysis.md").read_text()


def test_comment_in_config_changes_nothing(project):
    path = project.root / "models.yaml"
    path.write_text(path.read_text() + "\n# a comment changes no model\n")
    assert SconsProject.steps(project.scons("analyze-all", "sources-all")) == []


def test_single_model_target_builds_only_that_model(project):
    shutil.rmtree(project.root / "reports" / "hello_world")
    steps = SconsProject.steps(project.scons("hello_world-analyze"))
    assert steps == [("report", "reports/hello_world/analysis.md")]


def test_help_lists_models_platforms_and_targets(project):
    out = project.scons("-h").stdout
    for text in (
        "<model>-analyze", "analyze-all", "mnv3sm", "apollo510_evb", "apollo4p_evb",
        "<model>-vela", "<model>-mlek", "<model>-convert", "MLEK_LOG=",
        "cortex-m55; NPU ethos-u55-256",
    ):  # fmt: skip
        assert text in out
