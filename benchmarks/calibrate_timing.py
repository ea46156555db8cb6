#!/usr/bin/env python3
"""The cycle estimate against Ambiq's published Apollo510 figures: prints figures, asserts nothing.

The anchors are TFLM + CMSIS-NN on the real board; that runtime cannot be built here (its sources
are not on the package registries this machine reaches), so the comparable code is our own
runtime on the same model, placement and core: the comparison is in cycles per instruction,
published cycles / TFLM's instructions on our emulated M55 (../shared/docs/emulation.md) against
the model's cycles / our instructions. Per anchor and CPU mode it prints both and the model's
error. `--fit` also prints the two calibrated constants that make the 250 MHz figures match:
the M55's Helium `chain_saving` (KWS in TCM: no memory costs; at most 1 cycle, the most a
dual-beat core can save on a 2-cycle instruction) and the MRAM line fill's `ns`
(MobileNetV3-small, weights in MRAM, arena in SRAM, with the SRAM cost as assumed); the 96 MHz
figures are then the check. Calibrate per class and per memory, never per model.

Each model's validator is profiled once (one warm-up, one profiled invoke, like a profile's
first run) under the QEMU plugin, in a temporary copy of the project.
Usage: .venv/bin/python benchmarks/calibrate_timing.py [--fit]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "tests"))
sys.path.insert(0, str(PROJECT / "site_scons"))

from scons_project import SconsProject  # noqa: E402

from autodeploy.board import run_on_board  # noqa: E402
from autodeploy.config import load_config  # noqa: E402
from autodeploy.profile.cycles import profile_estimate  # noqa: E402
from autodeploy.rpc.client import BoardClient  # noqa: E402
from autodeploy.rpc.inputs import analysis_inputs  # noqa: E402
from autodeploy.timing.capture import PluginCapture  # noqa: E402

MAX_CHAIN_SAVING = 1.0
VARIANT = "apollo510_evb-gcc-auto-auto"  # KWS: weights and arena in TCM; mnv3sm: MRAM, SRAM
#: Published Apollo510 EVB figures (TFLM + CMSIS-NN, GCC 13; reference.md and the seeds) and the
#: instructions TFLM + CMSIS-NN executes for them on our emulated M55 (emulation.md, issue 18).
ANCHORS = {
    "kws": {"instructions": 1_814_406, "ms": {"HP": 7.856, "LP": 20.495}},
    "mnv3sm": {"instructions": 153_900_000, "ms": {"HP": 849.883, "LP": 2182.874}},
}


def plugin_counts(work: Path, model: str):
    """The plugin's counts of one profiled invoke after a warm-up, and the invoke's
    instructions from the firmware's counter (hooks excluded)."""
    platform = load_config(work).platforms["apollo510_evb"]
    elf = work / "build" / model / VARIANT / "validator.elf"
    analysis = json.loads((work / f"build/{model}/mve/model_analysis.json").read_text())
    inputs = analysis_inputs(analysis, 42, 0)

    def invoke(board):
        with BoardClient(board.url, baud=board.baud) as client:
            info = client.info()
            for k, array in enumerate(inputs):
                client.set_input(k, array.tobytes())
            ticks = client.invoke(warmup=1, profile=True, timeout_s=600)
            return ticks * 1e9 / info.counter_hz

    with PluginCapture(platform, elf, None, True) as capture:
        _, instructions = run_on_board(capture.platform, elf, work / "board.log", None, invoke)
        counts = capture.counts()
    return platform, counts, instructions


def model_cycles(platform, counts, instructions: float, clock_hz: float) -> float:
    """The profile's estimate: the layer windows by the model, the rest at one cycle each."""
    layers = len(counts.layers)
    return profile_estimate(counts, platform, layers, instructions, clock_hz).cycles


def report(platform, runs: dict) -> None:
    print("anchor   mode  published cyc/instr  model cyc/instr  error   (model cycles)")
    for model, (counts, instructions) in runs.items():
        for mode_name in ANCHORS[model]["ms"]:
            clock = platform.cpu_modes[mode_name].clock_hz
            published = _published_cpi(model, mode_name, clock)
            cycles = model_cycles(platform, counts, instructions, clock)
            ours = cycles / instructions
            print(
                f"{model:8} {mode_name:4}  {published:19.3f}  {ours:15.3f}  "
                f"{100 * (ours / published - 1):+5.1f} %  ({cycles:,.0f} for {instructions:,.0f} "
                "instructions)"
            )


def fit(platform, runs: dict) -> None:
    """The chain_saving and MRAM ns that zero the 250 MHz errors (other constants as they are)."""
    helium = platform.timing.core.helium
    hp = platform.cpu_modes["HP"].clock_hz
    counts, instructions = runs["kws"]
    target = _published_cpi("kws", "HP", hp) * instructions
    now = model_cycles(platform, counts, instructions, hp)
    chained = sum(window.mve_chained for window in counts.layers)
    exact = helium.chain_saving.value + (now - target) / chained
    # a dual-beat core issues at most one instruction per cycle: a chained Helium instruction
    # (2 cycles alone) cannot save more than one
    saving = min(exact, MAX_CHAIN_SAVING)
    print(
        f"fit: chain_saving = {saving:.3f} cycles (exact fit {exact:.3f}, at most "
        f"{MAX_CHAIN_SAVING}; {chained:,} chained Helium instructions)"
    )
    counts, instructions = runs["mnv3sm"]
    target = _published_cpi("mnv3sm", "HP", hp) * instructions
    mram = platform.timing.memories["MRAM"]
    now = model_cycles(platform, counts, instructions, hp)
    chained = sum(window.mve_chained for window in counts.layers)
    now_cycles = now - chained * (saving - helium.chain_saving.value)
    fills = sum(w.memory["MRAM"]["refills"] + w.memory["MRAM"]["writebacks"] for w in counts.layers)
    per_fill = mram.at(hp) + (target - now_cycles) / fills
    ns = (per_fill - mram.cycles) / (hp / 1e9)
    print(
        f"fit: MRAM line fill = {per_fill:.1f} cycles at {hp / 1e6:g} MHz = {mram.cycles} cycles + "
        f"{ns:.1f} ns ({fills:,} MRAM line fills; with chain_saving as fitted)"
    )
    lp = platform.cpu_modes["LP"].clock_hz
    print(f"     (whole cycles at {lp / 1e6:g} MHz: {mram.cycles + math.ceil(ns * lp / 1e9)})")


def _published_cpi(model: str, mode: str, clock_hz: float) -> float:
    """Published cycles (time x clock) per instruction TFLM + CMSIS-NN executes."""
    anchor = ANCHORS[model]
    return anchor["ms"][mode] * 1e-3 * clock_hz / anchor["instructions"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="print the fitted constants too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        SconsProject(work).scons("-j2", *(f"{model}-firmware" for model in ANCHORS))
        runs = {}
        for model in ANCHORS:
            platform, counts, instructions = plugin_counts(work, model)
            runs[model] = (counts, instructions)
        report(platform, runs)
        if args.fit:
            fit(platform, runs)


if __name__ == "__main__":
    main()
