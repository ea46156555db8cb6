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
            costs += [core.helium.beats_per_cycle, core.helium.overlap_saving]
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
        ("    MRAM:  {cycles: 8, ns: 40", "    MRAM:  {cycles: -1, ns: 40",
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
