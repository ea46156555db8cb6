"""The `autodeploy` command for real: KWS on the emulated Apollo510 with the committed dataset
(every sample uploaded and run on the PC and the board), the same command again doing no work,
the project it wrote being the declarative build; and the tool installed from a wheel finding
its own files (SConstruct, builders, firmware, platforms) as package data."""

from __future__ import annotations

import json
import site
import subprocess
import sys
from pathlib import Path

import numpy as np

from autodeploy.cli.main import main
from autodeploy.config import DatasetSpec
from autodeploy.dataset import dataset_sha256
from autodeploy.reference import run_reference
from autodeploy.results import read_rows

ROOT = Path(__file__).resolve().parent.parent
KWS = ROOT / "models/mlperf_tiny_kws_dscnn_int8.tflite"
KWS_DATA = ROOT / "models/datasets/kws_espeak.npz"
VARIANT = "apollo510_evb-gcc-auto-auto-HP"


def _mtimes(folder: Path) -> dict:
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_one_shot_with_real_data_then_nothing_to_do(tmp_path, capsys) -> None:
    argv = [
        "--tflite-filename", str(KWS), "--model-name", "kws", "--dataset", str(KWS_DATA),
        "--destination-rootdir", str(tmp_path / "dest"), "--resultlog-file",
        str(tmp_path / "log.csv"), "--profile-results-path", str(tmp_path / "prof"),
    ]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    project = tmp_path / "dest/kws"
    profile = json.loads((project / "reports/kws" / VARIANT / "profile.json").read_text())

    # every sample ran on the board, byte-exact with the PC's reference
    validation = profile["validation"]
    assert validation["passed"] and profile["runs"] == 36
    assert validation["outputs"][0]["exact_runs"] == 36
    inputs = validation["inputs"]
    assert (inputs["kind"], inputs["samples"]) == ("dataset", 36)
    assert inputs["sha256"] == dataset_sha256(DatasetSpec(KWS_DATA, "x"))
    # the classifier figures are the reference's own, on the board too: recompute them here
    data = np.load(KWS_DATA)
    scale, zero = 0.5847029089927673, 83
    q = np.clip(np.floor(np.abs(data["input_0"] / np.float32(scale)) + 0.5)
                * np.sign(data["input_0"]) + zero, -128, 127).astype(np.int8)  # fmt: skip
    host = run_reference("litert", KWS.read_bytes(), [[x[None]] for x in q])
    predicted = np.array([int(np.argmax(run[0])) for run in host])
    correct = int(np.count_nonzero(predicted == data["labels"]))
    (figures,) = validation["classification"]
    assert figures["host_correct"] == figures["board_correct"] == correct
    assert figures["top1_agree"] == 36
    assert figures["distinct_top1_reference"] == len(set(predicted.tolist())) > 2
    assert correct > 36 / 12  # well above chance: the data crosses the decision boundaries

    assert "Characterization report for kws" in out
    assert f"{correct}/36" in out and "Accuracy (labels), PC | board" in out
    assert "Total estimated MACs:                2,656,768" in out
    (row,) = read_rows(tmp_path / "log.csv")
    assert row["Dataset"] == f"{KWS_DATA} (36 samples)" and row["Validation"] == "PASS"
    assert float(row["Accuracy Board"]) == round(correct / 36, 4)
    stats = (tmp_path / "prof/kws_stats.csv").read_text()
    assert stats == (project / "reports/kws" / VARIANT / "profile.csv").read_text()

    # the same command again: no build step runs and no file changes
    before = _mtimes(tmp_path)
    assert main(argv) == 0
    again = capsys.readouterr().out
    report = ("[Analysis]", "[Profile]", "[Validation]", "[Files]")
    steps = [line for line in again.splitlines() if line.startswith("[") and "] " in line]
    assert [line for line in steps if not line.startswith(report)] == []
    changed = {p for p, t in _mtimes(tmp_path).items() if before.get(p) != t}
    assert changed <= {project / ".sconsign.dblite"}

    # the project is the declarative build: scons there finds everything up to date
    scons = subprocess.run(
        [sys.executable, "-m", "SCons", "-Q", "kws-profile"],
        cwd=project, capture_output=True, text=True, timeout=300,
        env={"PYTHONPATH": str(ROOT / "site_scons"), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert scons.returncode == 0 and "is up to date" in scons.stdout, scons.stderr


def test_installed_tool_finds_its_files(tmp_path) -> None:
    """pip install of a wheel of the project into a fresh venv (the pinned dependencies come from
    this environment): the command, `init` and scons in the project use the installed copy."""
    wheels, venv = tmp_path / "wheels", tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    (venv_site,) = (venv / "lib").glob("python3*/site-packages")
    (venv_site / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    (wheel,) = wheels.glob("*.whl")
    pip = [str(venv / "bin/python"), "-m", "pip", "install", "-q", "--no-deps", str(wheel)]
    subprocess.run(pip, check=True, capture_output=True, timeout=300)
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}

    def run(*args, cwd=tmp_path):
        done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    tool = venv_site / "autodeploy/tool"
    assert str(tool) in run("autodeploy", "--version")
    (tmp_path / "kws.tflite").write_bytes(KWS.read_bytes())
    run("autodeploy", "init", "p", "--tflite-filename", "kws.tflite")
    built = run(str(venv / "bin/python"), "-m", "SCons", "-Q", "kws-firmware", cwd=tmp_path / "p")
    assert "[link] build/kws/apollo510_evb-gcc-auto-auto/validator.elf" in built
    assert (tmp_path / "p/build/kws/apollo510_evb-gcc-auto-auto/validator.elf").is_file()
    # the firmware's C, the engine and the builders came from the installed copy
    sconsign = run(str(venv / "bin/python"), "-m", "SCons.Utilities.sconsign", cwd=tmp_path / "p")
    assert f"=== {tool}/firmware/runtime/src:" in sconsign
    assert f"=== {venv_site}/autodeploy/codegen:" in sconsign and str(ROOT) not in sconsign
