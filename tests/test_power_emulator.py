"""`scons <model>-power` on the emulator: the power firmware runs every CPU mode under QEMU and
the energy is modelled from the platform's power model."""

from __future__ import annotations

import json

import pytest
from scons_project import PROJECT, SconsProject

from autodeploy.config import load_config


def test_power_target_models_each_cpu_mode(tmp_path) -> None:
    project = SconsProject(tmp_path)
    project.edit("models.yaml", "  kws:\n", "  kws:\n    runs_power: 5\n")
    first = project.scons("kws-power")
    out = tmp_path / "reports/kws/apollo510_evb-gcc-auto-auto"  # one report for every CPU mode
    assert ("power", f"{out.relative_to(tmp_path)}/power.json") in project.steps(first)
    assert (tmp_path / "build/kws/apollo510_evb-gcc-auto-auto/power/power.elf").is_file()
    report = json.loads((out / "power.json").read_text())
    assert report["source"] == "modelled (platform power model)"
    assert report["runs_power"] == 5 and set(report["modes"]) == {"LP", "HP"}
    modes = load_config(PROJECT).platforms["apollo510_evb"].cpu_modes
    lp, hp = report["modes"]["LP"], report["modes"]["HP"]
    # Same image, same instructions in either mode (-icount): only the clock differs.
    assert lp["instructions_per_inference"] == pytest.approx(
        hp["instructions_per_inference"], rel=1e-3
    )
    # KWS DS-CNN: 2.66 M MACs; the M55 runtime needs some instructions per MAC.
    assert 2.66e6 / 4 < hp["instructions_per_inference"] < 2.66e6 * 10
    for name, m in report["modes"].items():
        mode = modes[name]
        # time from the cycle estimate (model) of the mode's window; Helium costs beats
        assert m["time_source"] == "cycle estimate (model)"
        assert m["time_ms"] == pytest.approx(m["cycles_per_inference"] / mode.clock_hz * 1e3, 1e-3)
        assert m["cycles_per_inference"] > m["instructions_per_inference"]
        assert m["power_mw"] == mode.power_mw
        assert m["energy_uj"] == pytest.approx(mode.power_mw * m["time_ms"])
    assert report["summary"]["HP ms"] == pytest.approx(hp["time_ms"], rel=1e-3)
    md = (out / "power.md").read_text()
    assert md.count("modelled") >= 3 and "| LP |" in md and "| HP |" in md
    assert project.steps(project.scons("kws-power")) == []
    project.edit("models.yaml", "    runs_power: 5\n", "    runs_power: 3\n")
    assert [s for s, _ in project.steps(project.scons("kws-power"))] == ["power", "log"]
    assert json.loads((out / "power.json").read_text())["runs_power"] == 3
