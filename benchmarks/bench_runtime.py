#!/usr/bin/env python3
"""Runtime benchmark on the emulated boards: prints figures, asserts nothing.

For every shipped model on the emulated Apollo510 (Cortex-M55, QEMU mps3-an547) and Apollo4 Plus
(Cortex-M4, QEMU mps2-an386), with gcc and clang, through the real profile path (`scons
<model>-profile`): instructions per inference (run 1, after one warm-up; deterministic under
-icount) and per MAC, the speedup over the same board built with `kernels: portable` (plain C),
the runtime .text the validator image links, and the arena. Then KWS per layer beside the
TFLM + CMSIS-NN figures measured on the same emulated machines (../shared/docs/emulation.md).

The Apollo4 Plus's real memories cannot hold mnv2 or mnv3sm; the M4 rows run on a copy of its
platform whose SRAM is enlarged onto the an386's 16 MB RAM, and whose MRAM (the boot memory,
which holds the load image of weights copied to SRAM) fills the an386's 4 MB SSRAM1. On the
M55, MRAM is enlarged onto the an547's 8 MB QSPI so that mnv2 runs from MRAM instead of being
uploaded to PSRAM over the slow emulated UART. Instruction counts do not depend on which memory
holds what: the emulator models no memory speed.

Runs in a temporary copy of the project. Usage:
  .venv/bin/python benchmarks/bench_runtime.py [--models kws,vww] [--boards m55,m4]
      [--toolchains gcc,clang] [--no-portable] [-j 2]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "tests"))

from scons_project import copy_project  # noqa: E402  (the same copy the SCons tests build in)

BOARDS = {"m55": "apollo510_evb", "m4": "apollo4p_evb"}
# TFLM + CMSIS-NN on the same emulated machines, per KWS layer (../shared/docs/emulation.md)
CMSIS_NN_KWS = {
    "m55": [306_531] + [169_219, 203_200] * 4 + [13_438, 0, 1_000, 3_344],
    "m4": [1_118_440] + [561_480, 1_069_320] * 4 + [51_080, 0, 2_520, 3_120],
}
CMSIS_NN_KWS_TOTAL = {"m55": 1_814_406, "m4": 7_698_600}
ENLARGED = {
    "m4": (
        ("  SRAM:\n    size_kb: 1024\n", "  SRAM:\n    size_kb: 8192\n"),  # room for mnv2, mnv3sm
        ("SRAM: {region: SSRAM23, base: 0x20080000, size_kb: 1024}",
         "SRAM: {region: PSRAM,   base: 0x21000000, size_kb: 16384}"),
        # ...and for their load images in the boot memory
        ("    size_kb: 2000\n    reserve_percent: 20", "    size_kb: 4096\n    reserve_percent: 0"),
        ("MRAM: {region: SSRAM1,  base: 0x00000000, size_kb: 2048}",
         "MRAM: {region: SSRAM1,  base: 0x00000000, size_kb: 4096}"),
    ),
    "m55": (("size_kb: 4096\n    reserve_percent: 20", "size_kb: 8192\n    reserve_percent: 20"),),
}  # fmt: skip
MAP_TEXT = re.compile(r"^ (\.text\S*)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+)$")


def write_platforms(work: Path, boards, portable: bool) -> dict[str, str]:
    """Platform files of the benchmark: name -> board key; `<board>_portable` twins."""
    names = {}
    for key in boards:
        text = (work / "platforms" / f"{BOARDS[key]}.yaml").read_text()
        for old, new in ENLARGED[key]:
            assert old in text, old
            text = text.replace(old, new)
        for kernels in ("auto", "portable") if portable else ("auto",):
            name = f"bench_{key}_{kernels}"
            platform = text.replace(f"name: {BOARDS[key]}", f"name: {name}")
            platform = platform.replace("kernels: auto", f"kernels: {kernels}")
            (work / "platforms" / f"{name}.yaml").write_text(platform)
            names[name] = key
    return names


def write_models(work: Path, models, platforms, toolchains) -> list[tuple]:
    """models.yaml with one entry per (model, platform, toolchain); returns those tuples."""
    from autodeploy.config import load_config

    shipped = load_config(PROJECT).models
    entries, lines = [], ["defaults:", "  runs: 2", "  runs_power: 1", "  seed: 42", "models:"]
    for model in models:
        tflite = shipped[model].tflite.relative_to(PROJECT).as_posix()
        for platform in platforms:
            for toolchain in toolchains:
                name = f"{model}__{platform}__{toolchain}"
                entries.append((name, model, platform, toolchain))
                lines += [f"  {name}:", f"    tflite: {tflite}", f"    platform: {platform}"]
                lines += [f"    toolchain: {toolchain}", "    cpu_mode: HP"]
    (work / "models.yaml").write_text("\n".join(lines) + "\n")
    return entries


def runtime_text(map_file: Path) -> int:
    """Bytes of .text the image links from the runtime library (libadrt.a)."""
    total = 0
    lines = map_file.read_text().split("Linker script and memory map", 1)[1].splitlines()
    for i, line in enumerate(lines):
        match = MAP_TEXT.match(line)
        if not match and line.startswith(" .text") and i + 1 < len(lines):
            match = MAP_TEXT.match(line + lines[i + 1])  # long names wrap onto the next line
        if match and "libadrt.a(" in match[3]:
            total += int(match[2], 16)
    return total


def read_result(work: Path, name: str, platform: str, toolchain: str) -> dict | None:
    key = f"{platform}-{toolchain}-auto-auto"
    profile = work / "reports" / name / f"{key}-HP" / "profile.json"
    if not profile.exists():
        return None
    data = json.loads(profile.read_text())
    return {
        "instructions": data["total_instructions"],
        "macs": data["total_macs"],
        "arena": data["arena_bytes"],
        "layers": data["layer_profile"],
        "text": runtime_text(work / "build" / name / key / "validator.map"),
    }


def print_tables(results: dict, entries, boards) -> None:
    print(
        f"\n{'model':14} {'board':5} {'tc':5} {'instructions':>13} {'I/MAC':>7} {'speedup':>8} "
        f"{'runtime .text':>13} {'arena':>9}"
    )
    for name, model, platform, toolchain in entries:
        if not platform.endswith("_auto"):
            continue
        board = platform.split("_")[1]
        r = results.get(name)
        if r is None:
            print(f"{model:14} {board:5} {toolchain:5} {'failed (see the scons output)':>13}")
            continue
        portable = results.get(f"{model}__bench_{board}_portable__{toolchain}")
        speedup = f"{portable['instructions'] / r['instructions']:7.1f}x" if portable else "-"
        per_mac = f"{r['instructions'] / r['macs']:7.3f}" if r["macs"] else "-"
        print(
            f"{model:14} {board:5} {toolchain:5} {r['instructions']:>13,} {per_mac:>7} "
            f"{speedup:>8} {r['text']:>13,} {r['arena']:>9,}"
        )
    for board in boards:
        runs = {tc: results.get(f"kws__bench_{board}_auto__{tc}") for tc in ("gcc", "clang")}
        if not all(runs.values()):
            continue
        print(f"\nKWS per layer on {board} (instructions; CMSIS-NN: TFLM + CMSIS-NN, same machine)")
        print(f"{'layer':26} {'kernel':6} {'gcc':>10} {'clang':>10} {'CMSIS-NN':>10}")
        rows = zip(runs["gcc"]["layers"], runs["clang"]["layers"], CMSIS_NN_KWS[board], strict=True)
        for gcc, clang, cmsis in rows:
            print(
                f"{gcc['tag']:26} {gcc['kernel']:6} {gcc['count']:>10,} {clang['count']:>10,} "
                f"{cmsis:>10,}"
            )
        print(
            f"{'total':33} {runs['gcc']['instructions']:>10,} "
            f"{runs['clang']['instructions']:>10,} {CMSIS_NN_KWS_TOTAL[board]:>10,}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models", help="comma-separated model names (default: each .tflite models.yaml names)"
    )
    parser.add_argument("--boards", default="m55,m4")
    parser.add_argument("--toolchains", default="gcc,clang")
    parser.add_argument("--no-portable", action="store_true", help="skip the plain-C baseline")
    parser.add_argument("-j", default="2", help="parallel emulators")
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT / "site_scons"))
    from autodeploy.config import load_config

    first_by_file: dict[Path, str] = {}
    for name, spec in load_config(PROJECT).models.items():
        first_by_file.setdefault(spec.tflite, name)
    models = args.models.split(",") if args.models else list(first_by_file.values())
    boards, toolchains = args.boards.split(","), args.toolchains.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        copy_project(work)
        platforms = write_platforms(work, boards, not args.no_portable)
        entries = write_models(work, models, platforms, toolchains)
        start = time.perf_counter()
        targets = [f"{name}-profile" for name, *_ in entries]
        subprocess.run(
            [sys.executable, "-m", "SCons", "-Q", "-k", f"-j{args.j}", *targets],
            cwd=work,
            stdout=subprocess.DEVNULL,
        )
        print(f"{len(entries)} profiles in {time.perf_counter() - start:.0f} s")
        results = {name: read_result(work, name, p, tc) for name, _, p, tc in entries}
        print_tables({k: v for k, v in results.items() if v}, entries, boards)


if __name__ == "__main__":
    main()
