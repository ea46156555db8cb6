"""Sweep expansion and feasibility (autodeploy.sweeps), on the shipped config and models."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from autodeploy.analysis.model_analysis import analyze_bytes
from autodeploy.config import load_config
from autodeploy.config.loader import Sweep
from autodeploy.sweeps import INFEASIBLE, OK, UNAVAILABLE, check, expand
from autodeploy.target import PORTABLE
from autodeploy.variants import declared_variant

ROOT = Path(__file__).resolve().parent.parent
CONFIG = load_config(ROOT)


def sweep(models, axes, exclude=()) -> Sweep:
    return Sweep("t", tuple(models), {k: tuple(v) for k, v in axes.items()}, tuple(exclude), 1)


@pytest.fixture(scope="module")
def analyses() -> dict[str, dict]:
    return {
        name: analyze_bytes(CONFIG.models[name].tflite.read_bytes(), name, PORTABLE)
        for name in ("kws", "mnv3sm", "ad")
    }


def test_expand_is_the_product_of_the_axes_per_model_minus_exclusions() -> None:
    variants = expand(
        sweep(
            ["kws", "ic"],
            {"toolchain": ["gcc", "clang"], "model_location": ["TCM", "SRAM", "MRAM"]},
            [{"model_location": "SRAM", "toolchain": "clang"}, {"model": "ic", "toolchain": "gcc"}],
        ),
        CONFIG,
    )
    # kws: 2 x 3 - 1 = 5; ic: clang only (gcc excluded) minus clang+SRAM = 2
    assert len(variants) == 7
    assert [v.model for v in variants] == ["kws"] * 5 + ["ic"] * 2
    assert all(v.arena_location == CONFIG.models[v.model].arena_location for v in variants)
    assert not any(v.model_location == "SRAM" and v.toolchain == "clang" for v in variants)
    assert {v.toolchain for v in variants if v.model == "ic"} == {"clang"}


def test_expand_keeps_unswept_settings_and_has_no_repeats() -> None:
    spec = CONFIG.models["kws"]
    variants = expand(sweep(["kws", "kws"], {"toolchain": [spec.toolchain]}), CONFIG)
    assert variants == [declared_variant(spec)]  # the model's own variant: same nodes, reused


def test_shipped_sweeps_expand_to_what_models_yaml_says() -> None:
    counts = {name: len(expand(s, CONFIG)) for name, s in CONFIG.sweeps.items()}
    assert counts == {"placement": 12, "kws_placement": 10, "boards": 24, "npu": 16}


def test_a_model_too_big_for_the_memory_is_infeasible_with_the_reason(analyses) -> None:
    platform = CONFIG.platforms["apollo510_evb"]
    base = declared_variant(CONFIG.models["mnv3sm"])
    point = check(replace(base, model_location="TCM"), platform, analyses["mnv3sm"], None, None)
    assert point.status == INFEASIBLE
    assert "TCM" in point.reason and "mnv3sm" in point.reason
    needed = analyses["mnv3sm"]["totals"]["model_data_bytes"]
    assert f"{needed:,}" in point.reason
    ok = check(replace(base, model_location="MRAM"), platform, analyses["mnv3sm"], None, None)
    assert ok.status == OK and ok.reason is None


def test_the_shipped_boards_sweep_reports_ad_in_the_apollo4_tcm_as_infeasible(analyses) -> None:
    points = [
        check(v, CONFIG.platforms[v.platform], analyses[v.model], None, None)
        for v in expand(CONFIG.sweeps["boards"], CONFIG)
        if v.model in analyses
    ]
    bad = [p for p in points if p.status != OK]
    assert {(p.variant.model, p.variant.platform, p.variant.model_location) for p in bad} == {
        ("ad", "apollo4p_evb", "TCM")
    }
    assert len(bad) == 2  # both CPU modes


def test_weights_uploaded_into_psram_are_infeasible_in_a_sweep(analyses) -> None:
    """A sweep measures power, and the power image has no link to receive weights: the shipped
    placement sweep's PSRAM variants are infeasible, the others are not."""
    points = [
        check(v, CONFIG.platforms[v.platform], analyses[v.model], None, None)
        for v in expand(CONFIG.sweeps["placement"], CONFIG)
    ]
    bad = [p for p in points if p.status != OK]
    assert {p.variant.model_location for p in bad} == {"PSRAM"} and len(bad) == 4
    assert len(points) == 12
    reason = bad[0].reason
    assert reason.startswith(f"{bad[0].variant.model} {bad[0].variant.name}: the power app has no")
    assert "PC link to receive the weights, and with the model in PSRAM" in reason


def test_what_the_board_lacks_is_named(analyses) -> None:
    apollo4 = CONFIG.platforms["apollo4p_evb"]
    base = replace(declared_variant(CONFIG.models["kws"]), platform="apollo4p_evb")
    no_psram = check(replace(base, model_location="PSRAM"), apollo4, analyses["kws"], None, None)
    assert no_psram.status == INFEASIBLE
    assert "apollo4p_evb cannot put the model in PSRAM; memories that can" in no_psram.reason
    lacks_toolchain = replace(base, toolchain="armclang")
    if "armclang" not in apollo4.toolchains:
        point = check(lacks_toolchain, apollo4, analyses["kws"], None, None)
        assert point.status == INFEASIBLE and "armclang" in point.reason
    capped = check(base, apollo4, analyses["kws"], 1024, None)
    assert capped.status == INFEASIBLE and "max_arena_size" in capped.reason


def test_a_compiler_that_is_not_installed_is_unavailable(tmp_path, analyses) -> None:
    platform = CONFIG.platforms["apollo510_evb"]
    variant = replace(declared_variant(CONFIG.models["kws"]), toolchain="armclang")
    point = check(variant, platform, analyses["kws"], None, str(tmp_path))  # empty PATH
    assert point.status == UNAVAILABLE and "armclang is not installed" in point.reason


def test_sweep_named_all_is_refused(tmp_path) -> None:
    from test_config import BASE_MODELS, config_error

    text = BASE_MODELS + "sweeps:\n  all:\n    models: [kws]\n    axes: {toolchain: [gcc]}\n"
    assert "sweeps.all: 'all' is reserved" in config_error(tmp_path, text)


def test_sweep_descriptions_are_read() -> None:
    assert "gcc and clang" in CONFIG.sweeps["placement"].description
    assert json.dumps(CONFIG.sweeps["placement"].axes)  # plain data, for the sweep page


def test_declarations_whose_targets_collide_are_refused_with_both_lines(tmp_path) -> None:
    from test_config import BASE_MODELS, config_error, line_of

    text = BASE_MODELS.replace("  ic:\n", "  sweep:\n") + (
        "sweeps:\n  profile:\n    models: [kws]\n    axes: {toolchain: [gcc]}\n"
    )
    message = config_error(tmp_path, text)
    model_line, sweep_line = line_of(text, "  sweep:"), line_of(text, "  profile:")
    assert f"model 'sweep' (line {model_line}) and sweep 'profile' (line {sweep_line})" in message
    assert "`scons sweep-profile`" in message and f"models.yaml:{sweep_line}:" in message


def test_a_model_named_like_a_step_group_is_fine(tmp_path) -> None:
    from test_config import BASE_MODELS, make_project

    project = make_project(tmp_path, BASE_MODELS.replace("  ic:\n", "  profile:\n"))
    assert "profile" in load_config(project).models  # profile-analyze, not profile-all
