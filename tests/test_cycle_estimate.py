"""The cycle estimate end to end (autodeploy.timing through `scons <model>-profile`): a placement
sweep of one model orders TCM <= SRAM <= MRAM <= PSRAM in estimated time, the reports carry the
estimate and the emulated events with their labels, the power step takes its time from the
estimate, and CYCLE_ESTIMATE=off goes back to instructions / clock.

ResNet-8's weights (about 80 KB) outgrow the 64 KB data cache, so every placement refills lines from
where the weights are; its arena stays in TCM in every variant."""

from __future__ import annotations

import csv
import json

import pytest
from scons_project import SconsProject

TFLITE = "    tflite: models/mlperf_tiny_ic_resnet8_cifar10_int8.tflite\n"
IC = "  ic:\n" + TFLITE
PLACES = ("TCM", "SRAM", "MRAM", "PSRAM")


def _variant(place: str) -> str:
    return (
        f"  ic_{place.lower()}:\n{TFLITE}"
        f"    model_location: {place}\n    arena_location: TCM\n    runs: 2\n"
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> SconsProject:
    project = SconsProject(tmp_path_factory.mktemp("cycles"))
    project.edit("models.yaml", IC, IC + "".join(_variant(p) for p in PLACES))
    project.scons("-j2", *(f"ic_{p.lower()}-profile" for p in PLACES), "ic_tcm-power")
    return project


def _profile(project: SconsProject, place: str) -> dict:
    model = f"ic_{place.lower()}"
    return json.loads(next((project.root / "reports" / model).glob("*/profile.json")).read_text())


def test_placement_sweep_orders_memories_by_estimated_time(project) -> None:
    profiles = {place: _profile(project, place) for place in PLACES}
    times = [profiles[place]["inference_us"] for place in PLACES]
    assert times == sorted(times), dict(zip(PLACES, times, strict=True))
    assert times[0] < times[-1]  # the placements differ, not just tie
    instructions = {p["total_instructions"] for p in profiles.values()}
    assert max(instructions) - min(instructions) < 0.01 * min(instructions)  # the same code ran
    tcm, mram = profiles["TCM"]["cycle_estimate"], profiles["MRAM"]["cycle_estimate"]
    assert tcm["parts"]["memory"].get("MRAM", 0) == 0
    assert mram["parts"]["memory"]["MRAM"] > 0  # the weights' line fills, from MRAM
    assert mram["events"]["L1D_CACHE_REFILL"] > tcm["events"]["L1D_CACHE_REFILL"]


def test_reports_label_the_estimate_and_the_emulated_events(project) -> None:
    profile = _profile(project, "MRAM")
    assert profile["timing_source"].startswith("cycle estimate (model)")
    assert "not measured" in profile["timing_source"]
    estimate = profile["cycle_estimate"]
    total_us = estimate["cycles"] / profile["cpu_mode"]["clock_hz"] * 1e6
    assert profile["inference_us"] == pytest.approx(total_us, rel=1e-6)
    layer_us = sum(row["us"] for row in profile["layer_profile"])
    assert layer_us < profile["inference_us"]  # the layers, without the invoke's glue
    events = estimate["events"]
    assert events["INST_RETIRED"] == sum(
        row["emulated_events"]["INST_RETIRED"] for row in profile["layer_profile"]
    )
    assert 0 < events["MVE_INT_MAC_RETIRED"] < events["MVE_INST_RETIRED"] < events["INST_RETIRED"]
    report = next((project.root / "reports" / "ic_mram").glob("*/profile.csv"))
    rows = list(csv.DictReader(report.open()))
    assert {"Est cycles (model)", "MVE_INST_RETIRED (emulated)", "MRAM_READS (emulated)"} <= set(
        rows[0]
    )
    assert sum(int(r["Est cycles (model)"]) for r in rows) > sum(
        int(r["Instructions"]) for r in rows
    )


def test_power_takes_its_time_from_the_estimate(project) -> None:
    power = json.loads(next((project.root / "reports" / "ic_tcm").glob("*/power.json")).read_text())
    profile = _profile(project, "TCM")
    hp = power["modes"]["HP"]
    assert hp["time_source"] == "cycle estimate (model)"
    assert "cycle estimate (model)" in power["note"]
    # the power app's inference costs what the profile's does, give or take its input copy
    assert hp["time_ms"] * 1000 == pytest.approx(profile["inference_us"], rel=0.05)
    assert hp["energy_uj"] == pytest.approx(hp["power_mw"] * hp["time_ms"])
    lp = power["modes"]["LP"]
    assert lp["cycles_per_inference"] <= hp["cycles_per_inference"]  # TCM: no wait at any clock


def test_cycle_estimate_off_counts_instructions_as_cycles(project) -> None:
    project.scons("ic_tcm-profile", "CYCLE_ESTIMATE=off")
    profile = _profile(project, "TCM")
    assert profile["cycle_estimate"] is None
    assert profile["timing_source"].startswith("estimated on the emulator")
    clock = profile["cpu_mode"]["clock_hz"]
    assert profile["inference_us"] == pytest.approx(profile["total_instructions"] / clock * 1e6)
    bad = project.scons("ic_tcm-profile", "CYCLE_ESTIMATE=maybe", check=False)
    assert bad.returncode != 0
    assert "CYCLE_ESTIMATE=maybe: use on (the default) or off" in bad.stdout + bad.stderr


def test_cortex_m4_estimate_charges_its_uncached_mram(tmp_path) -> None:
    """The Apollo4 Plus (Cortex-M4, no data cache modelled): the same code costs more cycles
    than instructions (its loads take 2), and weights in MRAM cost every access's wait."""
    project = SconsProject(tmp_path)
    kws = "  kws:\n    tflite: models/mlperf_tiny_kws_dscnn_int8.tflite\n"
    variants = "".join(
        f"  kws_{p.lower()}:\n    tflite: models/mlperf_tiny_kws_dscnn_int8.tflite\n"
        f"    platform: apollo4p_evb\n    model_location: {p}\n    runs: 2\n"
        for p in ("TCM", "MRAM")
    )
    project.edit("models.yaml", kws, kws + variants)
    project.scons("-j2", "kws_tcm-profile", "kws_mram-profile")
    tcm, mram = (
        json.loads(next((tmp_path / "reports" / m).glob("*/profile.json")).read_text())
        for m in ("kws_tcm", "kws_mram")
    )
    for profile in (tcm, mram):
        assert "platforms/cores/cortex-m4.yaml" in profile["timing_source"]
        assert profile["cycle_estimate"]["cycles"] > profile["total_instructions"]
        assert profile["cycle_estimate"]["events"]["MVE_INST_RETIRED"] == 0
    assert mram["cycle_estimate"]["parts"]["memory"]["MRAM"] > 0
    assert mram["inference_us"] > tcm["inference_us"]
