"""`scons sweep-<name>` end to end on the emulator: feasible variants build and run in parallel,
infeasible ones are reported, a model's own targets are the same nodes as the sweep's, the result
log gets one row per measured variant, and a changed .tflite re-runs only that model's variants.
"""

from __future__ import annotations

import shutil

import pytest
from scons_project import SconsProject

from autodeploy.results import read_rows

SWEEP = """
sweeps:
  t:
    models: [hello_world, kws, mnv3sm]
    axes:
      toolchain: [gcc, clang]
      model_location: [auto, TCM]
    exclude:
      - {model: mnv3sm, model_location: auto}
"""
KWS_TFLITE = "models/mlperf_tiny_kws_dscnn_int8.tflite"
OWN = "reports/kws/apollo510_evb-gcc-auto-auto-HP"  # kws's own variant (models.yaml)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> SconsProject:
    project = SconsProject(tmp_path_factory.mktemp("sweep"))
    text = (project.root / "models.yaml").read_text()
    text = text[: text.index("\nsweeps:\n")] + SWEEP
    text = text.replace("  runs: 10\n", "  runs: 2\n").replace("runs_power: 200", "runs_power: 2")
    (project.root / "models.yaml").write_text(text)
    project.own = project.scons("kws-profile")
    project.first = project.scons("-j2", "sweep-t")
    return project


def test_infeasible_variants_are_reported_not_built(project) -> None:
    out = project.first.stdout
    assert "[sweep t] 10 variants, 8 to build" in out
    assert "[sweep t] infeasible: mnv3sm apollo510_evb-gcc-TCM-auto-HP:" in out
    rows = read_rows(project.root / "reports/sweeps/t/results.csv")
    assert len(rows) == 10
    bad = [r for r in rows if r["Status"] != "ok"]
    assert [(r["Model"], r["Compiler"]) for r in bad] == [("mnv3sm", "gcc"), ("mnv3sm", "clang")]
    assert all("TCM" in r["Reason"] and "bytes" in r["Reason"] for r in bad)
    assert not (project.root / "build/mnv3sm").exists()  # not even analysed by a build step


def test_every_feasible_variant_was_measured_and_validated(project) -> None:
    rows = [
        r for r in read_rows(project.root / "reports/sweeps/t/results.csv") if r["Status"] == "ok"
    ]
    assert len(rows) == 8
    assert {r["Validation"] for r in rows} == {"PASS"}
    assert all(float(r["Inference ms"]) > 0 and float(r["HP uJ"]) > 0 for r in rows)
    assert {r["Compiler"] for r in rows} == {"gcc", "clang"}
    assert {r["Model Location"] for r in rows} == {"TCM"}  # auto picks TCM for both models
    for r in rows:
        page = project.root / "reports" / r["Model"] / r["Variant"] / "index.html"
        assert page.is_file()
    assert "[sweep t] 8/8 variants done" in project.first.stdout


def test_the_model_target_and_the_sweep_share_nodes(project) -> None:
    steps = project.steps(project.first)
    # kws's own variant was profiled by `scons kws-profile`; the sweep only added its power
    assert ("profile", f"{OWN}/profile.csv") in project.steps(project.own)
    assert not [t for s, t in steps if s == "profile" and t.startswith(OWN)]
    assert ("power", "reports/kws/apollo510_evb-gcc-auto-auto/power.json") in steps
    # gcc and clang runtime libraries were each built once for the whole sweep
    assert len([t for s, t in steps if s == "ar" and t.endswith("libadrt.a")]) == 1  # clang's


def test_result_log_has_one_row_per_measured_variant(project) -> None:
    log = read_rows(project.root / "reports/results.csv")
    assert len(log) == 8
    assert len({(r["Model"], r["Variant"]) for r in log}) == 8
    own = next(
        r for r in log if r["Variant"] == "apollo510_evb-gcc-auto-auto-HP" and r["Model"] == "kws"
    )
    assert own["Inference ms"] and own["HP ms"]  # profile and power in one row
    assert own["Sizes Of"] == "power image"


def test_no_change_rebuilds_nothing_and_adds_no_row(project) -> None:
    log = (project.root / "reports/results.csv").read_text()
    again = project.scons("-j2", "sweep-t")
    assert project.steps(again) == []
    assert (project.root / "reports/results.csv").read_text() == log


def test_changed_tflite_reruns_only_that_models_variants(project) -> None:
    before = read_rows(project.root / "reports/results.csv")
    shutil.copyfile(
        project.root / "models/mlperf_tiny_kws_dscnn_int8_aligned.tflite", project.root / KWS_TFLITE
    )
    result = project.scons("-j2", "sweep-t")
    steps = project.steps(result)
    profiled = sorted(t for s, t in steps if s == "profile")
    assert len(profiled) == 4 and all(t.startswith("reports/kws/") for t in profiled)
    assert not [t for _, t in steps if "hello_world" in t]
    after = read_rows(project.root / "reports/results.csv")
    # a changed model is new input: its 4 variants get new rows, the old rows stay
    assert len(after) == len(before) + 4
    assert len({r["Model SHA-256"] for r in after if r["Model"] == "kws"}) == 2


def test_remeasuring_replaces_rows(project) -> None:
    before = read_rows(project.root / "reports/results.csv")
    project.edit("models.yaml", "  runs: 2\n", "  runs: 3\n")  # hello_world sets its own runs
    result = project.scons("-j2", "sweep-t")
    assert len([s for s, _ in project.steps(result) if s == "profile"]) == 4
    after = read_rows(project.root / "reports/results.csv")
    assert len(after) == len(before)
    remeasured = [r for r in after if r["Runs"] == "3"]
    assert len(remeasured) == 4 and {r["Model"] for r in remeasured} == {"kws"}
    old = {(r["Variant"], r["Model SHA-256"]): r["Run ID"] for r in before}
    assert all(old[(r["Variant"], r["Model SHA-256"])] != r["Run ID"] for r in remeasured)
