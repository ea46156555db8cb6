"""`scons <model>-lib`: the static library package and its example project.

One SCons run builds kws's package for the Apollo510 (Cortex-M55, mps3-an547) and, through a
second model entry, for the Apollo4 Plus (Cortex-M4F, mps2-an386), both with gcc, and the 16x8
model's (int16 input and output) for the Apollo510. The tests
copy each package elsewhere, build its example with plain `make` from the copy (so it needs
nothing outside the package), run it under QEMU, and check PASS and exit 0; a copy whose
expected output is corrupted must print FAIL and exit 1.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from scons_project import SconsProject
from support.qemu import run_qemu

from autodeploy.firmware.elf import read_elf

KWS_ENTRY = "  kws:\n    tflite: models/mlperf_tiny_kws_dscnn_int8.tflite\n"
M4_ENTRY = (
    "  kws_m4:\n    tflite: models/mlperf_tiny_kws_dscnn_int8.tflite\n    platform: apollo4p_evb\n"
)
PACKAGES = {  # model -> (package folder, platform)
    "kws": ("build/kws/apollo510_evb-gcc-auto-auto/package", "apollo510_evb"),
    "kws_m4": ("build/kws_m4/apollo4p_evb-gcc-auto-auto/package", "apollo4p_evb"),
    "cnn16x8": ("build/cnn16x8/apollo510_evb-gcc-auto-auto/package", "apollo510_evb"),
}
RESULT = re.compile(r"example: (\w+) (PASS|FAIL)")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = SconsProject(tmp_path_factory.mktemp("library"))
    project.edit("models.yaml", KWS_ENTRY, KWS_ENTRY + M4_ENTRY)
    project.first = project.scons("-j2", "kws-lib", "kws_m4-lib", "cnn16x8-lib")
    return project


def example_elf(project, model: str) -> Path:
    """The example image SCons built with the package's Makefile (outside the package)."""
    return project.root / Path(PACKAGES[model][0]).parent / "example" / "example.elf"


def standalone_copy(project, model: str, dest: Path) -> Path:
    """The package copied to `dest`: it ships sources only, so nothing needs cleaning."""
    package = dest / model
    shutil.copytree(project.root / PACKAGES[model][0], package)
    return package


@pytest.mark.parametrize("model", PACKAGES)
def test_package_ships_no_build_leftovers(project, model):
    package = project.root / PACKAGES[model][0]
    files = {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()}
    leftovers = sorted(f for f in files if f.endswith((".o", ".d", ".elf", ".map")))
    assert leftovers == [] and example_elf(project, model).is_file()


def make(example: Path) -> Path:
    result = subprocess.run(["make", "-C", str(example)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return example / "example.elf"


@pytest.mark.parametrize("model", PACKAGES)
def test_example_builds_from_the_package_alone_and_passes(project, model, tmp_path):
    package = standalone_copy(project, model, tmp_path)
    assert not (package / "example" / "example.elf").exists()
    result = run_qemu(PACKAGES[model][1], make(package / "example"))
    assert RESULT.search(result.output).groups() == (model, "PASS"), result.output
    assert result.returncode == 0


@pytest.mark.parametrize("model", PACKAGES)
def test_corrupted_expected_output_fails(project, model, tmp_path):
    package = standalone_copy(project, model, tmp_path)
    data = package / "example" / "example_data.c"
    text = data.read_text()
    match = re.search(r"expected0\[\] = \{\s+0x([0-9a-f]{2})", text)
    flipped = f"0x{int(match[1], 16) ^ 0x01:02x}"
    data.write_text(text[: match.start(1) - 2] + flipped + text[match.end(1) :])
    result = run_qemu(PACKAGES[model][1], make(package / "example"))
    assert RESULT.search(result.output).groups() == (model, "FAIL"), result.output
    assert "output 0 byte 0" in result.output
    assert result.returncode == 1


def test_library_holds_the_model_and_its_kernels(project):
    lib = project.root / PACKAGES["kws"][0] / "libkws.a"
    members = subprocess.run(
        ["arm-none-eabi-ar", "t", str(lib)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert {"kws_model.o", "kws_model_data.o", "conv.o", "softmax.o"} <= set(members)
    symbols = subprocess.run(
        ["arm-none-eabi-nm", "--defined-only", str(lib)], capture_output=True, text=True
    ).stdout
    for name in ("kws_init", "kws_invoke", "kws_input", "kws_output", "kws_model"):
        assert re.search(rf" [TDR] {name}$", symbols, re.M), name


def test_headers_and_readme(project):
    package = project.root / PACKAGES["kws"][0]
    header = (package / "include" / "kws_model.h").read_text()
    assert '#include "adrt/model_api.h"' in header
    assert "adrt_model_t" in (package / "include" / "adrt" / "model_api.h").read_text()
    placed = project.root / "build/kws/apollo510_evb-gcc-auto-auto/placement.json"
    placement = json.loads(placed.read_text())["placement"]
    readme = (package / "README.md").read_text()
    for text in (
        "kws_init();",
        "kws_invoke();",
        "| input 0 (`KWS_INPUT0_BYTES`) | `input_1` | INT8 | 1x49x10x1 | 490 |",
        "| output 0 (`KWS_OUTPUT0_BYTES`) | `Identity` | INT8 | 1x12 | 12 |",
        f"`.rodata.adrt_model*` | {placement['model_bytes']} | {placement['model_location']} |",
        f"`.bss.adrt_arena*` | {placement['arena_bytes']} | {placement['arena_location']} |",
        f"*(.bss.adrt_arena*)\n    }} > {placement['arena_location']}",
        # the weights run from TCM: linked there, loaded from MRAM, copied by the start-up
        "*(.rodata.adrt_model*)\n        . = ALIGN(16);\n    } > TCM AT > MRAM",
        "your start-up must copy `SIZEOF(.adrt_model)` bytes from\n`LOADADDR(.adrt_model)`",
        "qemu-system-arm -M mps3-an547",
        "host reference\n(litert)",
    ):
        assert text in readme, text


@pytest.mark.parametrize("model", PACKAGES)
def test_the_readme_runs_the_example_as_the_board_boots(project, model, tmp_path):
    """The README's emulator command, run as written in a copy of the package: QEMU loads only
    example.hex (the flash image) and the example passes."""
    package = standalone_copy(project, model, tmp_path)
    readme = (package / "README.md").read_text()
    block = re.search(r"```sh\ncd example && make\n(.*?)```", readme, re.S)[1]
    assert "-device loader,file=example.hex" in block and "-kernel" not in block
    make(package / "example")
    result = subprocess.run(
        ["bash", "-c", block], cwd=package / "example", capture_output=True, text=True, timeout=60
    )
    assert RESULT.search(result.stdout + result.stderr).groups() == (model, "PASS")


def test_example_sizes_per_region_come_from_its_elf(project):
    example = project.root / PACKAGES["kws_m4"][0] / "example"
    report = json.loads((example / "sizes.json").read_text())
    elf = read_elf(example_elf(project, "kws_m4"))
    arena = elf.section(".adrt_arena")
    regions = report["regions"]
    arena_region = next(
        name for name, r in regions.items() if r["origin"] <= arena.addr < r["origin"] + r["length"]
    )
    assert regions[arena_region]["ram"]["arena"] == arena.size > 0
    assert sum(r["rom"]["model"] for r in regions.values()) == elf.section(".adrt_model").size
    sizes_md = (example / "sizes.md").read_text()
    assert f"| {arena_region} | 0x{regions[arena_region]['origin']:08x} |" in sizes_md


def test_second_build_does_nothing_and_a_seed_change_recaptures(project):
    assert project.steps(project.scons("kws-lib")) == []
    project.edit("models.yaml", "  seed: 42", "  seed: 7")
    steps = {step for step, _ in project.steps(project.scons("kws-lib"))}
    assert steps == {"capture", "readme", "example"}
    result = run_qemu("apollo510_evb", example_elf(project, "kws"))
    assert "example: kws PASS" in result.output
