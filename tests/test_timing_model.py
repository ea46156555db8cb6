"""The timing model's data (autodeploy.timing.model): the shipped core files and platform
sections load, line fills cost whole cycles at each CPU mode's clock, and mistakes in the data are
errors that name the file and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autodeploy.config import load_config, load_platform
from autodeploy.errors import ConfigError
from autodeploy.timing.model import SCALAR_CLASSES

ROOT = Path(__file__).resolve().parent.parent
APOLLO510 = (ROOT / "platforms" / "apollo510_evb.yaml").read_text()


def test_shipped_models_cite_a_source_for_every_constant() -> None:
    for platform in load_config(ROOT).platforms.values():
        timing = platform.timing
        if timing is None:
            continue
        core = timing.core
        assert set(core.classes) == set(SCALAR_CLASSES)
        costs = [*core.classes.values(), core.taken_branch]
        if core.helium:
            h = core.helium
            costs += [h.beats_per_cycle, h.overlap_saving, h.chain_saving]
        assert all(len(cost.source) > 20 for cost in costs), platform.name
        assert set(timing.memories) == set(platform.memories)
        assert all(len(m.source) > 20 for m in timing.memories.values()), platform.name


def test_a_latency_in_ns_costs_whole_cycles_at_each_clock() -> None:
    timing = load_config(ROOT).platforms["apollo510_evb"].timing
    mram, tcm = timing.memories["MRAM"], timing.memories["TCM"]
    assert mram.at(250e6) == mram.cycles + -(-mram.ns * 250 // 1000)
    assert mram.at(96e6) < mram.at(250e6)  # the same ns are fewer cycles of a slower clock
    assert tcm.at(250e6) == tcm.at(96e6) == 0
    assert timing.data_cache.memories == ("SRAM", "MRAM", "PSRAM")


def _platform_error(tmp_path: Path, old: str, new: str) -> str:
    text = APOLLO510.replace(old, new, 1)
    assert text != APOLLO510
    path = tmp_path / "platforms" / "apollo510_evb.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_platform(path, "platforms/apollo510_evb.yaml")
    return str(err.value)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    PSRAM: {cycles: 8, ns: 160", "    PSRAM2: {cycles: 8, ns: 160",
         "timing.memories.PSRAM2: 'PSRAM2' is not a memory of this platform"),
        ("    TCM:   {cycles: 0, ns: 0, source", "    TCM:   {cycles: 0, ns: 0, sauce",
         "timing.memories.TCM.sauce: unknown key 'sauce'"),
        ("    line_bytes: 32", "    line_bytes: 24", "the line must be a power of two"),
        ("    memories: [SRAM, MRAM, PSRAM]", "    memories: [SRAM, FLASH]",
         "timing.data_cache.memories[1]: 'FLASH' is not a memory of this platform"),
        ("    MRAM:  {cycles: 8,", "    MRAM:  {cycles: -1,",
         "timing.memories.MRAM.cycles"),
    ],
)  # fmt: skip
def test_platform_timing_mistakes_name_the_field(tmp_path, old, new, expected) -> None:
    message = _platform_error(tmp_path, old, new)
    assert "platforms/apollo510_evb.yaml" in message
    assert expected in message


def test_a_memory_without_a_cost_is_named(tmp_path) -> None:
    start = APOLLO510.index("    PSRAM: {cycles:")
    line = APOLLO510[start : APOLLO510.index("\n", start) + 1]
    message = _platform_error(tmp_path, line, "")
    assert "timing.memories: no cost for PSRAM" in message


def test_core_file_mistakes_name_the_core_file(tmp_path) -> None:
    project = tmp_path / "project"
    (project / "platforms" / "cores").mkdir(parents=True)
    shutil.copy(ROOT / "platforms" / "apollo510_evb.yaml", project / "platforms")
    core = (ROOT / "platforms" / "cores" / "cortex-m55.yaml").read_text()
    path = project / "platforms" / "cores" / "cortex-m55.yaml"
    path.write_text(core.replace("  mul:  ", "  mult: ", 1))
    with pytest.raises(ConfigError) as err:
        load_platform(project / "platforms" / "apollo510_evb.yaml")
    assert "platforms/cores/cortex-m55.yaml" in str(err.value)
    assert "classes.mult: unknown instruction class 'mult'; did you mean 'mul'?" in str(err.value)
    path.write_text(core.replace("core: cortex-m55", "core: cortex-m4", 1))
    with pytest.raises(ConfigError, match="'cortex-m4' in a file for cortex-m55"):
        load_platform(project / "platforms" / "apollo510_evb.yaml")


def _window(classes: dict, memory: dict, taken=0, beats=0, overlapped=0, chained=0):
    from autodeploy.board.qemu_plugin import TRAFFIC, Counts

    names = [*SCALAR_CLASSES, "mve_load", "mve_store", "mve_mac", "mve_mul", "mve_other"]
    traffic = {name: dict.fromkeys(TRAFFIC, 0) | memory.get(name, {}) for name in memory}
    return Counts(
        classes={n: classes.get(n, 0) for n in names},
        taken_branches=taken,
        mve_beats=beats,
        mve_overlapped=overlapped,
        mve_chained=chained,
        memory=traffic,
    )


def test_estimate_adds_classes_beats_and_line_fills_by_hand() -> None:
    from autodeploy.timing.estimate import estimate

    timing = load_config(ROOT).platforms["apollo510_evb"].timing
    window = _window(
        {"alu": 100, "load8": 40, "loadm": 2, "mve_load": 10, "mve_mac": 10},
        {
            "TCM": {"reads": 500, "writes": 100},  # zero wait: costs nothing more
            "MRAM": {"reads": 64, "refills": 8},  # cached: 8 line fills
            "SRAM": {"writes": 32, "refills": 2, "writebacks": 1},
        },
        taken=5,
        beats=80,
        overlapped=11,
        chained=8,
    )
    core = timing.core
    scalar = 100 * core.classes["alu"].value + 40 * core.classes["load8"].value
    scalar += 2 * core.classes["loadm"].value + 5 * core.taken_branch.value
    h = core.helium
    helium = 80 / h.beats_per_cycle.value - 11 * h.overlap_saving.value - 8 * h.chain_saving.value
    for clock in (250e6, 96e6):
        mram, sram = timing.memories["MRAM"].at(clock), timing.memories["SRAM"].at(clock)
        result = estimate(window, timing, clock)
        assert result.core == scalar
        assert result.helium == helium
        assert result.memory == {"TCM": 0, "MRAM": 8 * mram, "SRAM": 3 * sram}
        assert result.cycles == scalar + helium + 8 * mram + 3 * sram


def test_estimate_charges_every_access_to_an_uncached_memory() -> None:
    from autodeploy.timing.estimate import estimate

    timing = load_config(ROOT).platforms["apollo4p_evb"].timing  # no data cache
    window = _window({"load32": 10}, {"MRAM": {"reads": 10, "refills": 0}, "SRAM": {"writes": 4}})
    result = estimate(window, timing, 192e6)
    assert result.memory["MRAM"] == 10 * timing.memories["MRAM"].at(192e6) > 0
    assert result.memory["SRAM"] == 4 * timing.memories["SRAM"].at(192e6)


def test_helium_on_a_core_without_a_helium_model_is_an_error() -> None:
    from autodeploy.timing.estimate import TimingModelError, estimate

    timing = load_config(ROOT).platforms["apollo4p_evb"].timing
    with pytest.raises(TimingModelError, match="cortex-m4.yaml has no helium section"):
        estimate(_window({"mve_mac": 3}, {}, beats=12), timing, 192e6)


def test_a_missing_plugin_says_how_to_build_it_or_do_without(monkeypatch, tmp_path) -> None:
    from autodeploy.board import qemu_plugin

    monkeypatch.setattr(qemu_plugin, "tool_root", lambda: tmp_path)
    with pytest.raises(qemu_plugin.PluginError) as err:
        qemu_plugin.plugin_library()
    assert "run scripts/build-qemu-plugin.sh" in str(err.value)
    assert "CYCLE_ESTIMATE=off" in str(err.value)
