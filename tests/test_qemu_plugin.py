"""Our QEMU plugin (emulator/plugin/, autodeploy.board.qemu_plugin): instruction classes on a
hand-written sequence with known counts, layer windows that agree with the firmware's own
counter on a KWS validator image, and memory accesses that follow the weights from TCM to MRAM.

The plugin is built first (scripts/build-qemu-plugin.sh); when that fails, for instance because
the header of the installed QEMU cannot be fetched, every test here fails with its output.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from scons_project import SconsProject

from autodeploy.board.qemu_plugin import read_counts, run_with_plugin, with_plugin
from autodeploy.config import load_config
from autodeploy.profile.run import ProfileRequest, profile_variant

ROOT = Path(__file__).resolve().parent.parent
CLASSES_IMAGE = ROOT / "tests" / "firmware" / "plugin_classes"
INSTRUCTIONS_PER_TICK = 31.25  # the an547's 32 MHz counter under -icount shift=0
KWS = "  kws:\n    tflite: models/mlperf_tiny_kws_dscnn_int8.tflite\n"
KWS_MRAM = "  kws_mram:\n    tflite: models/mlperf_tiny_kws_dscnn_int8.tflite\n"
VARIANTS = {"kws": "apollo510_evb-gcc-auto-auto", "kws_mram": "apollo510_evb-gcc-MRAM-auto"}


@pytest.fixture(scope="module", autouse=True)
def plugin() -> None:
    build = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build-qemu-plugin.sh")], capture_output=True, text=True
    )
    if build.returncode != 0:
        pytest.fail(f"the QEMU plugin did not build:\n{build.stdout}\n{build.stderr}")


@pytest.fixture(scope="module")
def platform():
    return load_config(ROOT).platforms["apollo510_evb"]


def _zero_classes(**counts: int) -> dict[str, int]:
    names = [
        "alu", "mul", "load8", "load16", "load32", "load64", "loadm", "store8", "store16",
        "store32", "store64", "storem", "branch", "fp", "mve_load", "mve_store", "mve_mac",
        "mve_mul", "mve_other", "other",
    ]  # fmt: skip
    return {name: counts.get(name, 0) for name in names}


def test_classes_of_a_hand_written_sequence(platform, tmp_path) -> None:
    elf = tmp_path / "classes.elf"
    subprocess.run(
        ["arm-none-eabi-gcc", "-mcpu=cortex-m55", "-mthumb", "-mfloat-abi=hard", "-nostdlib",
         "-T", str(CLASSES_IMAGE / "link.ld"), str(CLASSES_IMAGE / "classes.S"), "-o", str(elf)],
        check=True,
    )  # fmt: skip
    counts = run_with_plugin(platform, elf, tmp_path / "counts.json")
    assert len(counts.layers) == 1
    layer = counts.layers[0]
    # 100 loop iterations (classes.S), plus the window's edges: the hook's return (bx lr),
    # `movs r5, #100`, the second `bl profile_hook`, its literal load and its counter read
    assert layer.classes == _zero_classes(
        alu=3 * 100 + 1, mul=300, load8=100, load16=100, load32=100 + 2, load64=100,
        loadm=100, store8=100, store16=100, store32=100, store64=100, storem=100,
        branch=100 + 2, fp=300, mve_load=200, mve_store=100, mve_mac=200, mve_mul=100,
        mve_other=100,
    )  # fmt: skip
    assert layer.taken_branches == 99 + 2  # bne back to the loop, bx lr, bl
    # per iteration: LDRB, LDRH, LDR, LDRD (2 words), POP (2), VLDRW (4 words), VLDRB.S16 (8
    # bytes); STRB, STRH, STR, STRD (2), PUSH (2), VSTRW (4)
    tcm = layer.memory["TCM"]
    assert (tcm["reads"], tcm["read_bytes"]) == (1900, 100 * (1 + 2 + 4 + 8 + 8 + 16 + 8))
    assert (tcm["writes"], tcm["write_bytes"]) == (1100, 100 * (1 + 2 + 4 + 8 + 8 + 16))
    assert layer.memory["MRAM"]["reads"] == 1  # the literal pool: code runs from QSPI
    assert layer.memory["other"] == {"reads": 1, "read_bytes": 4, "writes": 0, "write_bytes": 0}
    # outside: the 12 instructions up to the first counter read, and the hook's return,
    # `movs`, `ldr` and `bkpt` after the second
    assert counts.outside.classes == _zero_classes(alu=5, load32=5, store32=1, branch=2, other=3)
    assert counts.instructions == layer.instructions + 16


def _profile(project: SconsProject, model: str, platform, folder: Path) -> tuple[dict, object]:
    root = project.root
    config = load_config(root)
    build = root / "build" / model / VARIANTS[model]
    out = folder / f"{model}-counts.json"
    request = ProfileRequest(
        model=model,
        variant=VARIANTS[model] + "-HP",
        analysis=json.loads((root / f"build/{model}/mve/model_analysis.json").read_text()),
        placement=json.loads((build / "placement.json").read_text()),
        tflite=config.models[model].tflite.read_bytes(),
        platform=with_plugin(platform, build / "validator.elf", out),
        cpu_mode="HP",
        runs=2,
        seed=42,
        elf=build / "validator.elf",
        log_path=folder / f"{model}-board.log",
    )
    paths = [folder / f"{model}-profile.{ext}" for ext in ("csv", "md", "json")]
    return profile_variant(request, paths, lambda line: None), read_counts(out)


@pytest.fixture(scope="module")
def kws_profiles(tmp_path_factory, platform) -> dict:
    root = tmp_path_factory.mktemp("plugin")
    project = SconsProject(root)
    project.edit("models.yaml", KWS, KWS + KWS_MRAM + "    model_location: MRAM\n")
    project.scons("-j2", "kws-firmware", "kws_mram-firmware")
    return {model: _profile(project, model, platform, root) for model in VARIANTS}


def test_layer_windows_agree_with_the_firmware_counter(kws_profiles) -> None:
    """The firmware reads the counter (1 tick = 31.25 instructions) at the same two points the
    plugin opens and closes a layer, so each layer's plugin total is the firmware's to within
    one tick: the icount total at the counter's resolution."""
    for profile, counts in kws_profiles.values():
        rows = profile["layer_profile"]
        assert len(counts.layers) == len(rows) == 13  # one profiled invoke
        for row, layer in zip(rows, counts.layers, strict=True):
            assert abs(layer.instructions - row["count"]) <= INSTRUCTIONS_PER_TICK, row["tag"]
        assert counts.outside.instructions > 0


def test_weights_moved_to_mram_are_read_from_mram(kws_profiles) -> None:
    _, in_tcm = kws_profiles["kws"]
    _, in_mram = kws_profiles["kws_mram"]
    for tcm_layer, mram_layer in zip(in_tcm.layers, in_mram.layers, strict=True):
        assert tcm_layer.classes == mram_layer.classes  # the same code ran
        assert tcm_layer.memory["MRAM"]["reads"] == 0
        # the same loads, some of them now served by MRAM instead of TCM
        assert (
            mram_layer.memory["TCM"]["reads"] + mram_layer.memory["MRAM"]["reads"]
            == tcm_layer.memory["TCM"]["reads"]
        )
    first_conv = in_mram.layers[0]
    assert first_conv.memory["MRAM"]["read_bytes"] >= 10 * 4 * 64  # its 10x4x64 weights
    assert first_conv.memory["MRAM"]["writes"] == 0
