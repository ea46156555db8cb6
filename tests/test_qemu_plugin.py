"""Our QEMU plugin (emulator/plugin/, autodeploy.board.qemu_plugin): instruction classes, Helium
beats and overlaps, data-cache refills and write-backs, and instruction fetches per memory on
hand-written sequences with known counts; layer windows that agree with the firmware's own
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

from autodeploy.board.qemu_plugin import (
    PluginError,
    plugin_arguments,
    read_counts,
    run_with_plugin,
    with_plugin,
)
from autodeploy.config import load_config
from autodeploy.profile.run import ProfileRequest, profile_variant
from autodeploy.timing.model import DataCache

ROOT = Path(__file__).resolve().parent.parent
CLASSES_IMAGE = ROOT / "tests" / "firmware" / "plugin_classes"
INSTRUCTIONS_PER_TICK = 31.25  # the an547's 32 MHz counter under -icount shift=0
CACHE = DataCache(
    size_bytes=4096, ways=2, line_bytes=32, memories=("SRAM",)
)  # 64 sets, as classes.S expects
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
        "store32", "store64", "storem", "branch", "fp", "fp_load", "fp_store", "mve_load",
        "mve_store", "mve_mac", "mve_mul", "mve_other", "other",
    ]  # fmt: skip
    return {name: counts.get(name, 0) for name in names}


@pytest.fixture(scope="module")
def hand_written(platform, tmp_path_factory):
    """classes.S run once under the plugin with CACHE in front of SRAM: its seven layers."""
    folder = tmp_path_factory.mktemp("classes")
    elf = folder / "classes.elf"
    subprocess.run(
        ["arm-none-eabi-gcc", "-mcpu=cortex-m55", "-mthumb", "-mfloat-abi=hard", "-nostdlib",
         "-T", str(CLASSES_IMAGE / "link.ld"), str(CLASSES_IMAGE / "classes.S"), "-o", str(elf)],
        check=True,
    )  # fmt: skip
    counts = run_with_plugin(platform, elf, folder / "counts.json", data_cache=CACHE)
    assert len(counts.layers) == 7
    return counts


def test_classes_of_a_hand_written_sequence(hand_written) -> None:
    counts = hand_written
    layer = counts.layers[0]
    # 100 loop iterations (classes.S), plus the window's edges: the hook's return (bx lr),
    # `movs r5, #100`, the second `bl profile_hook`, its literal load and its counter read
    assert layer.classes == _zero_classes(
        alu=3 * 100 + 1, mul=300, load8=100, load16=100, load32=100 + 2, load64=100,
        loadm=100, store8=100, store16=100, store32=100, store64=100, storem=100,
        branch=100 + 2, fp=300, fp_load=100, fp_store=100, mve_load=200, mve_store=100,
        mve_mac=200, mve_mul=100, mve_other=100,
    )  # fmt: skip
    assert layer.taken_branches == 99 + 2  # bne back to the loop, bx lr, bl
    # loads: 5 scalar and VLDR.32 per iteration, 2 VLDRs, plus the edges' 2 LDRs; stores: 5
    # scalar, VSTR.32 and VSTRW
    assert (layer.mve_instructions, layer.loads, layer.stores) == (700, 600 + 200 + 2, 700)
    # per iteration: LDRB, LDRH, LDR, LDRD (2 words), POP (2), VLDR.32, VLDRW (4 words),
    # VLDRB.S16 (8 bytes); STRB, STRH, STR, STRD (2), PUSH (2), VSTR.32, VSTRW (4)
    tcm = layer.memory["TCM"]
    assert (tcm["reads"], tcm["read_bytes"]) == (2000, 100 * (1 + 2 + 4 + 8 + 8 + 4 + 16 + 8))
    assert (tcm["writes"], tcm["write_bytes"]) == (1200, 100 * (1 + 2 + 4 + 8 + 8 + 4 + 16))
    assert layer.memory["MRAM"]["reads"] == 1  # the literal pool: code runs from QSPI
    assert layer.memory["other"] == dict.fromkeys(layer.memory["other"], 0) | {
        "reads": 1, "read_bytes": 4,
    }  # fmt: skip
    # outside: the 12 instructions up to the first counter read; between two layers the hook's
    # return, the set-up (classes.S), `bl`, the literal load and the counter read; after the
    # last the hook's return, `movs`, `ldr` and `bkpt`
    assert counts.outside.classes == _zero_classes(
        alu=8, load32=20, store32=2, branch=14, mve_other=2, other=5
    )
    assert counts.instructions == sum(layer.instructions for layer in counts.layers) + 51


def test_helium_beats_and_overlaps(hand_written) -> None:
    classes, helium = hand_written.layers[:2]
    # 7 Helium instructions of 4 beats per iteration; overlapped: VMLADAVA after VLDRB.S16,
    # VSTRW after VADD; chained (after one of the same group): VLDRB.S16, VMLA, VMUL, VADD
    assert (classes.mve_beats, classes.mve_overlapped) == (100 * 7 * 4, 100 * 2)
    assert classes.mve_chained == 100 * 4
    # 50 iterations of VLDRB, VMLADAVA, VLDRB, VMLADAVA (4 beats each, the last three
    # overlapped), a byte gather (16 beats, overlapped) and a vector-base word gather (4, a load
    # after a load)
    assert helium.mve_instructions == 50 * 6
    assert (helium.mve_beats, helium.mve_overlapped) == (50 * (4 * 4 + 16 + 4), 50 * 4)
    assert helium.mve_chained == 50  # the word gather after the byte gather
    # set-up outside layers: VMOV.I32 and VDUP (chained: the second of the two)
    outside = hand_written.outside
    assert (outside.mve_beats, outside.mve_overlapped, outside.mve_chained) == (8, 0, 1)


def test_data_cache_refills_and_writebacks(hand_written) -> None:
    def cache(layer):
        sram = layer.memory["SRAM"]
        return sram["refills"], sram["writebacks"]

    read, read_again, write, across_lines = hand_written.layers[2:6]
    assert read.memory["SRAM"]["read_bytes"] == read_again.memory["SRAM"]["read_bytes"] == 2048
    assert cache(read) == (2048 // 32, 0)
    assert cache(read_again) == (0, 0)  # 2 KiB fits the 4 KiB cache
    # 8 KiB written, 4 lines per set: the 1st fills the empty way, the 2nd evicts the clean
    # line read before, the 3rd and 4th evict the dirty 1st and 2nd
    assert write.memory["SRAM"]["write_bytes"] == 8192
    assert cache(write) == (8192 // 32, 64 * 2)
    # one word across the lines of sets 0 and 1, whose least recently used lines are dirty
    assert cache(across_lines) == (2, 2)
    for counts in (hand_written.outside, *hand_written.layers):
        for name, traffic in counts.memory.items():
            if name != "SRAM":  # only SRAM is cached
                assert traffic["refills"] == traffic["writebacks"] == 0, name


def test_fetches_per_memory(hand_written) -> None:
    for counts in (hand_written.outside, *hand_written.layers):
        assert sum(t["fetches"] for t in counts.memory.values()) == counts.instructions
    itcm_calls = hand_written.layers[6]
    # 10 calls of `adds; bx lr` copied to ITCM; everything else runs from QSPI (MRAM)
    assert (itcm_calls.memory["ITCM"]["fetches"], itcm_calls.memory["ITCM"]["fetch_bytes"]) == (
        20, 40,
    )  # fmt: skip
    assert itcm_calls.memory["MRAM"]["fetches"] == itcm_calls.instructions - 20
    # the Helium layer: 50 x (six 32-bit Helium instructions, `subs`, `bne`), and the edges:
    # `bx lr`, `movs`, `bl` (32-bit), the literal load and the counter read
    helium = hand_written.layers[1]
    assert helium.memory["MRAM"]["fetch_bytes"] == 50 * (6 * 4 + 2 + 2) + (2 + 2 + 4 + 2 + 2)


@pytest.mark.parametrize(
    ("cache", "message"),
    [
        (DataCache(4096, 3, 32, ("SRAM",)), "multiple of ways \\* line"),
        (DataCache(4096, 2, 24, ("SRAM",)), "power of two"),
        (DataCache(4096, 2, 32, ()), "caches no memory"),
        (DataCache(4096, 2, 32, ("SRAM", "FLASH")), "'FLASH' is not a memory"),
    ],
)
def test_a_bad_data_cache_is_a_clear_error(platform, cache, message) -> None:
    with pytest.raises(PluginError, match=message):
        plugin_arguments(platform, "unused.elf", "counts.json", data_cache=cache)


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
        for window in (counts.outside, *counts.layers):
            fetches = sum(traffic["fetches"] for traffic in window.memory.values())
            assert fetches == window.instructions
            # no dcache=: no cache counts
            assert not any(t["refills"] or t["writebacks"] for t in window.memory.values())


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
