"""`<model>-vela`, `<model>-mlek`, NPU sweep axes and the variant page on the Alif E7, end to
end with SCons in a copy of the project (Vela runs for real; the CPU side on the emulator)."""

from __future__ import annotations

import csv
import json

import pytest

from tests.scons_project import SconsProject

VARIANT = "alif_e7_hp-gcc-auto-auto-HP"
SWEEP = """
  t_npu:
    models: [kws_e7_mram]
    axes:
      platform: [alif_e7_hp, alif_e7_he]
      memory_mode: [Shared_Sram, Sram_Only]
      optimise: [Performance, Size]
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> SconsProject:
    project = SconsProject(tmp_path_factory.mktemp("vela"))
    project.edit(
        "models.yaml",
        "  kws_e7_cpu_softmax:\n",
        "  kws_e7_mram:\n    tflite: models/mlperf_tiny_kws_dscnn_int8.tflite\n"
        "    platform: alif_e7_hp\n    model_location: MRAM\n  kws_e7_cpu_softmax:\n",
    )
    text = (project.root / "models.yaml").read_text()
    (project.root / "models.yaml").write_text(text.rstrip("\n") + "\n" + SWEEP)
    project.first = project.scons("kws_e7_cpu_softmax-vela", "kws_e7-mlek")
    return project


def test_vela_and_mlek_outputs(project) -> None:
    steps = {step for step, _ in project.steps(project.first)}
    assert {"vela", "vela-report", "mlek"} <= steps
    vela = json.loads(
        (project.root / f"reports/kws_e7_cpu_softmax/{VARIANT}/vela.json").read_text()
    )
    assert vela["label"] == "Vela estimate" and vela["setup"]["accelerator"] == "ethos-u55-256"
    assert [layer["op"] for layer in vela["cpu_layers"]] == ["SOFTMAX"]
    build = (
        project.root
        / "build/kws_e7_cpu_softmax/alif_e7_hp-gcc-auto-auto/vela-auto-auto-Performance"
    )
    names = {p.name for p in build.iterdir()}
    assert {"kws_e7_cpu_softmax_vela.tflite", "kws_e7_cpu_softmax_summary.csv",
            "kws_e7_cpu_softmax_per-layer.csv", "vela.log", "vela.json"} <= names  # fmt: skip
    mlek = project.root / f"build/kws_e7/{VARIANT}/mlek"
    facts = json.loads((mlek / "mlek.json").read_text())
    assert facts["buffer"]["activation_buf_sz"] > facts["buffer"]["vela_sram_bytes"]
    readme = (mlek / "README.md").read_text()
    assert (
        f"-Dinference_runner_ACTIVATION_BUF_SZ=0x{facts['buffer']['activation_buf_sz']:x}" in readme
    )
    assert f"-Dinference_runner_MODEL_TFLITE_PATH={mlek / 'kws_e7_vela.tflite'}" in readme
    assert (mlek / "kws_e7_vela.tflite").read_bytes() == (
        project.root
        / "build/kws_e7/alif_e7_hp-gcc-auto-auto/vela-auto-auto-Performance/kws_e7_vela.tflite"
    ).read_bytes()
    assert project.steps(project.scons("kws_e7_cpu_softmax-vela", "kws_e7-mlek")) == []


def test_a_vela_setting_reruns_only_vela(project) -> None:
    project.edit(
        "models.yaml",
        "    vela_ignore_ops: [SOFTMAX]\n",
        "    vela_ignore_ops: [SOFTMAX]\n    optimise: Size\n",
    )
    steps = project.steps(project.scons("kws_e7_cpu_softmax-vela"))
    assert {step for step, _ in steps} == {"vela", "vela-report"}
    md = project.root / f"reports/kws_e7_cpu_softmax/{VARIANT}-auto-auto-Size/vela.md"
    assert "| Optimise | Size |" in md.read_text()


def test_a_board_without_npu_says_so(project) -> None:
    result = project.scons("kws-vela", check=False)
    assert result.returncode != 0
    assert "platform 'apollo510_evb' has no NPU" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_board_log_goes_beside_velas_estimate(project, tmp_path) -> None:
    log = tmp_path / "board.log"
    log.write_text(
        "INFO - Profile for Inference:\nINFO - NPU ACTIVE cycles: 60000\n"
        "INFO - NPU IDLE cycles: 10\nINFO - NPU TOTAL cycles: 60010\n"
    )
    project.scons("kws_e7-mlek", f"MLEK_LOG={log}")
    measured = json.loads(
        (project.root / f"reports/kws_e7/{VARIANT}/npu_measured.json").read_text()
    )
    vela = json.loads((project.root / f"reports/kws_e7/{VARIANT}/vela.json").read_text())
    assert measured["measured"]["active_cycles"] == 60000
    assert measured["vela_estimate_cycles"] == vela["total_cycles"]


def test_npu_sweep_and_the_page_beside_the_cpu(project) -> None:
    result = project.scons("-j2", "sweep-t_npu")
    assert "[sweep t_npu] 8 variants, 4 to build" in result.stdout
    assert (
        "memory_mode Sram_Only keeps the weights in RAM, but model_location is MRAM"
        in result.stdout
    )
    rows = list(csv.DictReader((project.root / "reports/sweeps/t_npu/results.csv").open()))
    ok = [r for r in rows if r["Status"] == "ok"]
    assert len(ok) == 4 and all(float(r["NPU ms"]) > 0 for r in ok)
    assert all(r["NPU Source"] == "Vela estimate" for r in ok)
    he = [r for r in ok if r["Platform"] == "alif_e7_he"]
    hp = [r for r in ok if r["Platform"] == "alif_e7_hp"]
    assert min(float(r["NPU ms"]) for r in he) > max(float(r["NPU ms"]) for r in hp)
    # the CPU side was profiled once per board, not once per Vela setting
    profiles = [s for s in project.steps(result) if s[0] == "profile"]
    assert len(profiles) == 2
    page = (project.root / "reports/sweeps/t_npu/index.html").read_text()
    assert "npu.svg" in page and "NPU (Vela estimate)" in page
    variant = (
        project.root / "reports/kws_e7_mram" / "alif_e7_hp-gcc-MRAM-auto-HP-auto-Shared_Sram-Size"
    )
    html = (variant / "index.html").read_text()
    assert "NPU beside CPU" in html and "Vela estimate" in html and "faster" in html
