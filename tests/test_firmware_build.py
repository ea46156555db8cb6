"""Firmware images: linker script from the placement, builds with gcc and clang through SCons,
the smoke app on both emulated boards, size report, region overflow, faults, armclang missing,
incremental rebuilds.

The SCons runs use tests/firmware/SConstruct.firmware_test, which declares the smoke app (or the
fault app) for models on every platform and toolchain through builders/firmware.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scons_project import SconsProject
from support.generated_program import GeneratedProgram
from support.qemu import run_qemu

from autodeploy.config import load_config
from autodeploy.config.loader import BoardSupport, MappedMemory
from autodeploy.firmware.elf import read_elf
from autodeploy.firmware.linker import (
    LinkerLayoutError,
    render_linker_script,
    require_link_for_upload,
)
from autodeploy.firmware.size_report import BudgetError, check_budgets
from autodeploy.firmware.toolchains import ToolchainUnavailableError, toolchain
from autodeploy.memory.boot import copy_instructions

ROOT = Path(__file__).resolve().parent.parent
TEST_SCONSTRUCT = "SConstruct.firmware_test"
KB = 1024
KWS = ROOT / "models" / "mlperf_tiny_kws_dscnn_int8.tflite"
SMOKE_LINE = re.compile(
    r"smoke: board=(?P<board>\S+) model=(?P<model>\S+) out_bytes=(?P<bytes>\d+) "
    r"crc32=0x(?P<crc>[0-9a-f]{8}) sum=(?P<sum>\d+) ticks=(?P<ticks>\d+)"
)
MACHINES = {"apollo510_evb": "mps3-an547", "apollo4p_evb": "mps2-an386"}
VARIANTS = {  # alias -> (build dir under build/kws, platform)
    "kws-firmware": ("apollo510_evb-gcc-auto-auto", "apollo510_evb"),
    "kws-apollo510_evb-clang": ("apollo510_evb-clang-auto-auto", "apollo510_evb"),
    "kws-apollo4p_evb-gcc": ("apollo4p_evb-gcc-auto-auto", "apollo4p_evb"),
    "kws-apollo4p_evb-clang": ("apollo4p_evb-clang-auto-auto", "apollo4p_evb"),
    # Weights in MRAM: flashed where they run (the emulated an547's read-only QSPI).
    "kws-apollo510_evb-clang-MRAM-SRAM": ("apollo510_evb-clang-MRAM-SRAM", "apollo510_evb"),
    "kws-apollo4p_evb-gcc-MRAM-SRAM": ("apollo4p_evb-gcc-MRAM-SRAM", "apollo4p_evb"),
}
PLACEMENTS = "placements=MRAM-SRAM"
HEX = r"(0x[0-9a-f]{8})"
BOOT_COST_LINE = re.compile(rf"boot_cost: (\w+) records={HEX} bytes={HEX} ticks={HEX} ok={HEX}")


def firmware_project(root: Path) -> SconsProject:
    project = SconsProject(root)
    shutil.copytree(ROOT / "tests" / "firmware", root / "tests" / "firmware")
    shutil.copy(ROOT / "tests" / "firmware" / TEST_SCONSTRUCT, root / TEST_SCONSTRUCT)
    return project


def scons(project: SconsProject, *args: str, check: bool = True):
    return project.scons("-f", TEST_SCONSTRUCT, *args, check=check)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """kws's smoke firmware for both boards x gcc/clang, plus armclang (not installed) in the
    same `scons -k` run."""
    project = firmware_project(tmp_path_factory.mktemp("firmware"))
    result = scons(
        project, PLACEMENTS, "-k", "-j2", *VARIANTS, "kws-apollo510_evb-armclang", check=False
    )
    project.first = result
    return project


# -------------------------------------------------------------------------------------------------
# Linker script


@pytest.fixture(scope="module")
def config():
    return load_config(ROOT)


def memory_lines(script: str) -> dict[str, tuple[str, int, int]]:
    found = re.findall(
        r"^\s+(\w+) \((\w+)\) : ORIGIN = 0x([0-9a-f]+), LENGTH = (\d+)", script, re.M
    )
    return {name: (attrs, int(origin, 16), int(length)) for name, attrs, origin, length in found}


def output_section(script: str, name: str) -> str:
    """The text of output section `name` up to and including its `> REGION` line."""
    match = re.search(rf"^    {re.escape(name)}(?=[ :]).*?^    }}[^\n]*", script, re.M | re.S)
    assert match, f"no output section {name}"
    return match.group(0)


def placement(model: str, arena: str, image: str = "copied") -> dict:
    return {"model_location": model, "arena_location": arena, "model_image": image}


def copy_records(script: str) -> list[str]:
    """The sections the script's copy table copies, in order."""
    table = output_section(script, ".boot_copy_table")
    return re.findall(
        r"LONG\(LOADADDR\(([.\w]+)\)\) LONG\(ADDR\(\1\)\) LONG\(SIZEOF\(\1\)\)", table
    )


def test_linker_script_puts_model_and_arena_in_their_memories(config) -> None:
    board = config.platforms["apollo510_evb"]
    script = render_linker_script(board, placement("MRAM", "SRAM", "resident"))
    regions = memory_lines(script)
    # Only the memories the image uses, at the emulator's addresses, with the board's sizes.
    assert regions == {
        "MRAM": ("rx", 0x28000000, 4096 * KB),  # emulated QSPI is 8 MB: the board has 4 MB
        "SRAM": ("rwx", 0x21000000, 3072 * KB),  # emulated ISRAM is 4 MB
        "TCM": ("rwx", 0x20000000, 512 * KB),
        "ITCM": ("rwx", 0x00000000, 256 * KB),  # emulated ITCM is 512 KB
    }
    assert "*(.rodata.adrt_model*)" in output_section(script, ".adrt_model")
    assert output_section(script, ".adrt_model").endswith("} > MRAM")  # flashed where it runs
    arena = output_section(script, ".adrt_arena (NOLOAD)")
    assert "*(.bss.adrt_arena*)" in arena and arena.endswith("} > SRAM AT > SRAM")
    staging = output_section(script, ".adrt_staging (NOLOAD)")
    assert "*(.bss.adrt_staging)" in staging and staging.endswith("} > SRAM AT > SRAM")
    # The board boots from MRAM: vectors and start-up code first there, code copied to ITCM.
    boot = output_section(script, ".boot")
    assert boot.endswith("} > MRAM") and boot.index("KEEP(*(.vectors))") < boot.index("boot_text")
    assert script.index(".boot :") < script.index(".text :")
    assert output_section(script, ".text").endswith("} > ITCM AT > MRAM")
    stack = output_section(script, ".stack (NOLOAD)")
    assert "__stack_limit = .;" in stack and f". += {16 * KB};" in stack
    assert stack.endswith("} > TCM AT > TCM")
    assert output_section(script, ".data").endswith("} > TCM AT > MRAM")
    assert copy_records(script) == [".text", ".rodata", ".ARM.extab", ".ARM.exidx", ".data"]
    assert output_section(script, ".boot_copy_table").endswith("} > MRAM")
    assert "adrt_upload_info = .;\n        LONG(0) LONG(0) LONG(0)" in script  # nothing to upload
    # First match wins in ld: the model and arena sections must be claimed before .rodata/.bss.
    assert script.index("*(.rodata.adrt_model*)") < script.index("*(.rodata .rodata.*)")
    assert script.index("*(.bss.adrt_arena*)") < script.index("*(.bss .bss.* COMMON)")


def test_linker_script_apollo4p_code_in_mram(config) -> None:
    script = render_linker_script(config.platforms["apollo4p_evb"], placement("TCM", "TCM"))
    assert memory_lines(script) == {
        "MRAM": ("rwx", 0x00000000, 2000 * KB),  # emulated: 2048 KB of SSRAM1 at the boot address
        "TCM": ("rwx", 0x20000000, 384 * KB),  # emulated: 512 KB
    }
    assert output_section(script, ".adrt_model").endswith("} > TCM AT > MRAM")
    assert output_section(script, ".text").endswith("} > MRAM")  # runs where it is flashed
    assert copy_records(script) == [".adrt_model", ".data"]


def test_linker_script_for_a_model_the_host_uploads(config) -> None:
    script = render_linker_script(
        config.platforms["apollo510_evb"], placement("PSRAM", "SRAM", "uploaded")
    )
    assert memory_lines(script)["PSRAM"] == ("rwx", 0x60000000, 32168 * KB)
    assert output_section(script, ".adrt_model").endswith("} > PSRAM")  # no load image
    assert ".adrt_model" not in copy_records(script)
    assert (
        "adrt_upload_info = .;\n        LONG(ADDR(.adrt_model)) LONG(SIZEOF(.adrt_model)) "
        "LONG(0xFFFFFFFF)" in script
    )
    with pytest.raises(LinkerLayoutError, match="the power app has no PC link"):
        require_link_for_upload(placement("PSRAM", "SRAM", "uploaded"), "power app", False)
    require_link_for_upload(placement("TCM", "SRAM"), "power app", False)


def test_linker_script_for_a_board_memory_map(config) -> None:
    base = config.platforms["apollo4p_evb"]
    support = BoardSupport(
        sources=("vendor",),
        include=(),
        flash="flash {elf}",
        memory_map={
            "MRAM": MappedMemory(0x00018000, 1900 * KB, read_only=True),  # less than 2000 KB
            "TCM": MappedMemory(0x10000000, 384 * KB),
            "SRAM": MappedMemory(0x10060000, 1024 * KB),
        },
    )
    board = replace(base, board_support=support)
    script = render_linker_script(board, placement("MRAM", "SRAM", "resident"))
    assert memory_lines(script) == {
        "MRAM": ("rx", 0x00018000, 1900 * KB),
        "SRAM": ("rwx", 0x10060000, 1024 * KB),
        "TCM": ("rwx", 0x10000000, 384 * KB),
    }
    assert "the board maps only 1945600 of the board's 2048000 bytes" in script
    with pytest.raises(LinkerLayoutError, match="TCM is read-only on the board"):
        ro = dict(support.memory_map, TCM=MappedMemory(0x10000000, 384 * KB, read_only=True))
        render_linker_script(
            replace(base, board_support=replace(support, memory_map=ro)),
            placement("MRAM", "SRAM", "resident"),
        )
    no_sram = {k: v for k, v in support.memory_map.items() if k != "SRAM"}
    with pytest.raises(LinkerLayoutError) as info:
        render_linker_script(
            replace(base, board_support=replace(support, memory_map=no_sram)),
            placement("MRAM", "SRAM", "resident"),
        )
    assert "memory SRAM (the arena) has no address on the board" in str(info.value)
    assert "board_support.memory_map in apollo4p_evb.yaml" in str(info.value)


# -------------------------------------------------------------------------------------------------
# Builds and runs


def host_native_outputs() -> bytes:
    program = GeneratedProgram([KWS.read_bytes()], names=["kws"])
    sub = program.subgraphs[0]
    zeros = [np.zeros(sub.tensors[i].shape, dtype=np.int8) for i in sub.inputs]
    return b"".join(out.tobytes() for out in program.run(0, [zeros])[0])


def test_smoke_app_runs_on_both_boards_with_gcc_and_clang(built) -> None:
    expected = host_native_outputs()
    results = {}
    for alias, (folder, platform) in VARIANTS.items():
        elf = built.root / "build" / "kws" / folder / "smoke.elf"
        assert elf.is_file(), f"{alias} was not built:\n{built.first.stderr}"
        run = run_qemu(platform, elf)
        assert run.returncode == 0, run.output
        match = SMOKE_LINE.search(run.output)
        assert match, run.output
        assert match["board"] == MACHINES[platform] and match["model"] == "kws"
        assert int(match["bytes"]) == len(expected)
        assert int(match["ticks"]) > 0
        results[alias] = match
    assert {m["crc"] for m in results.values()} == {f"{zlib.crc32(expected):08x}"}
    assert {int(m["sum"]) for m in results.values()} == {sum(expected)}
    # -icount makes the counts deterministic: a second run gives the same ticks.
    again = SMOKE_LINE.search(
        run_qemu(
            "apollo510_evb", built.root / "build/kws/apollo510_evb-gcc-auto-auto/smoke.elf"
        ).output
    )
    assert again["ticks"] == results["kws-firmware"]["ticks"]


def test_armclang_missing_fails_only_its_target(built) -> None:
    if toolchain("armclang").available():
        pytest.skip("armclang is installed here: this test covers machines without it")
    assert built.first.returncode != 0
    assert (
        "armclang (Arm Compiler 6) is not installed (not found on PATH); install it, "
        "or use toolchain gcc or clang in models.yaml" in built.first.stderr
    )
    assert "Traceback" not in built.first.stderr
    assert not (built.root / "build/kws/apollo510_evb-armclang-auto-auto/smoke.elf").exists()
    with pytest.raises(ToolchainUnavailableError, match="Arm Compiler 6"):
        toolchain("armclang").require()


def section_sizes(elf: Path) -> dict[str, tuple[int, int]]:
    """name -> (address, size) of allocated sections, as binutils' readelf lists them."""
    text = subprocess.run(
        ["arm-none-eabi-readelf", "-SW", str(elf)], capture_output=True, text=True, check=True
    ).stdout
    found = {}
    for m in re.finditer(
        r"\]\s+(\S+)\s+\w+\s+([0-9a-f]{8}) [0-9a-f]+ ([0-9a-f]+) \d\d\s+(\w*)", text
    ):
        if "A" in m[4]:
            found[m[1]] = (int(m[2], 16), int(m[3], 16))
    return found


def test_size_report_matches_the_elf(built) -> None:
    folder = built.root / "build/kws/apollo510_evb-gcc-auto-auto"
    report = json.loads((folder / "sizes.json").read_text())
    placed = json.loads((folder / "placement.json").read_text())["placement"]
    assert (placed["model_location"], placed["arena_location"]) == ("TCM", "TCM")
    sections = section_sizes(folder / "smoke.elf")
    mram, tcm, itcm = (report["regions"][m] for m in ("MRAM", "TCM", "ITCM"))
    assert set(report["regions"]) == {"MRAM", "TCM", "ITCM"}
    assert tcm["ram"]["arena"] == placed["arena_bytes"] == sections[".adrt_arena"][1]
    assert tcm["ram"]["stack"] == 16 * KB == sections[".stack"][1]
    # placement's figure (weights + estimated layer parameters) is on the safe side of the image
    model = sections[".adrt_model"][1]
    assert model <= placed["model_bytes"]
    assert sections[".adrt_model"][0] >= 0x20000000  # linked to run from TCM...
    assert tcm["ram"]["model"] == mram["rom"]["model"] == model  # ...loaded from MRAM
    code = sum(sections.get(n, (0, 0))[1] for n in (".text", ".rodata", ".ARM.exidx"))
    assert itcm["ram"]["text"] + itcm["ram"]["rodata"] == itcm["ram_bytes"] == code
    assert itcm["rom_bytes"] == tcm["rom_bytes"] == 0  # a flash tool writes only MRAM
    tables = sections[".boot_copy_table"][1] + sections[".adrt_upload_info"][1]
    assert mram["rom_bytes"] == sections[".boot"][1] + code + model + sections[".data"][1] + tables
    assert mram["ram_bytes"] == 0
    assert tcm["ram"]["bss"] == sections[".bss"][1]
    assert sections[".data"][1] >= 4  # the smoke app's smoke_crc_polynomial
    assert mram["rom"]["data"] == tcm["ram"]["data"] == sections[".data"][1]
    assert tcm["used"] == tcm["ram_bytes"] and tcm["free"] == 512 * KB - tcm["used"]
    elf = read_elf(folder / "smoke.elf")
    assert elf.symbols["__stack_top"].value == 0x20000000 + 16 * KB
    # The copies, as the image's copy table has them, and what they cost.
    boot = report["boot"]
    copied = {c["section"]: (c["from"], c["to"], c["bytes"]) for c in boot["copies"]}
    assert copied[".text"] == ("MRAM", "ITCM", sections[".text"][1])
    assert copied[".adrt_model"] == ("MRAM", "TCM", model)
    assert copied[".data"] == ("MRAM", "TCM", sections[".data"][1])
    assert boot["copy_bytes"] == code + model + sections[".data"][1]
    assert boot["copy_instructions"] == copy_instructions(len(boot["copies"]), boot["copy_bytes"])
    assert boot["upload"] is None
    split = built.root / "build/kws/apollo510_evb-clang-MRAM-SRAM"
    report = json.loads((split / "sizes.json").read_text())
    sections = section_sizes(split / "smoke.elf")
    assert set(report["regions"]) == {"MRAM", "SRAM", "TCM", "ITCM"}
    assert report["regions"]["MRAM"]["rom"]["model"] == sections[".adrt_model"][1]
    assert report["regions"]["MRAM"]["ram_bytes"] == 0
    assert 0x28000000 < sections[".adrt_model"][0] < 0x28000000 + 4096 * KB  # runs from MRAM
    assert ".adrt_model" not in {c["section"] for c in report["boot"]["copies"]}
    assert report["regions"]["SRAM"]["ram"]["arena"] == placed["arena_bytes"]
    assert report["regions"]["TCM"]["ram"]["arena"] == 0
    markdown = (folder / "sizes.md").read_text()
    assert "Boot image: a flash tool writes only the non-volatile memories" in markdown
    assert f"| TCM | 0x20000000 | 524,288 | 0 | {tcm['ram_bytes']:,} |" in markdown
    assert (
        f"copies {boot['copy_bytes']:,} bytes in {len(boot['copies'])} records: "
        f"{boot['copy_instructions']:,} instructions" in markdown
    )
    assert "| .adrt_model | MRAM | TCM | " in markdown


def test_boot_copy_costs_the_instructions_the_build_reports(built) -> None:
    """The start-up's copy loop timed on both emulated boards (under -icount the counter counts
    instructions) for copy tables of known shape: one big record, many records, empty records.
    Each costs what autodeploy.memory.boot.copy_instructions says, to the counter's resolution
    (31.25 instructions a tick on the an547, 40 on the an386)."""
    images = {p: f"kws-{p}-gcc-TCM-SRAM" for p in ("apollo510_evb", "apollo4p_evb")}
    scons(built, "app=boot_cost", "placements=TCM-SRAM", "-j2", *images.values())
    for platform, alias in images.items():
        elf = built.root / "build/kws" / alias.removeprefix("kws-") / "boot_cost.elf"
        run = run_qemu(platform, elf)
        assert run.returncode == 0, run.output
        per_tick = 1e9 / int(re.search(rf"counter_hz={HEX}", run.output)[1], 16)
        lines = [
            (name, *(int(field, 16) for field in fields))
            for name, *fields in BOOT_COST_LINE.findall(run.output)
        ]
        assert [line[0] for line in lines] == ["empty", "one", "many", "zero"], run.output
        assert all(line[4] == 1 for line in lines), run.output  # every copy arrived
        measured = {name: ticks * per_tick for name, _, _, ticks, _ in lines}
        overhead = measured["empty"] - copy_instructions(0, 0)  # reading the counter
        for name, records, nbytes, _, _ in lines[1:]:
            expected = copy_instructions(records, nbytes) + overhead
            assert abs(measured[name] - expected) <= 2 * per_tick, (platform, name, expected)


def test_second_build_does_nothing_and_a_new_model_reuses_the_runtime(built) -> None:
    assert SconsProject.steps(scons(built, PLACEMENTS, *VARIANTS)) == []
    both = ("models=kws,hello_world", "kws-firmware", "hello_world-firmware")
    steps = SconsProject.steps(scons(built, *both))
    assert ("link", "build/hello_world/apollo510_evb-gcc-auto-auto/smoke.elf") in steps
    assert not [t for s, t in steps if s == "ar" or "build/lib/" in t or "build/kws/" in t]
    built.edit(
        "models.yaml",
        "tflite: models/tflm_hello_world_int8.tflite",
        "tflite: models/mlperf_tiny_ad_fc_autoencoder_int8.tflite",
    )
    steps = SconsProject.steps(scons(built, *both))
    compiled = {t for s, t in steps if s == "cc"}
    assert "build/hello_world/obj/apollo510_evb/gcc/hello_world_model.o" in compiled
    assert not [t for t in compiled if t.startswith(("build/lib/", "build/kws/"))]
    assert "ar" not in {s for s, _ in steps}
    assert [t for s, t in steps if s == "link"] == [
        "build/hello_world/apollo510_evb-gcc-auto-auto/smoke.elf"
    ]


def test_fault_handler_prints_registers_and_exits_3(tmp_path) -> None:
    project = firmware_project(tmp_path)
    scons(project, "app=fault", "-j2", "kws-firmware", "kws-apollo4p_evb-gcc")
    for folder, platform in (
        ("apollo510_evb-gcc-auto-auto", "apollo510_evb"),
        ("apollo4p_evb-gcc-auto-auto", "apollo4p_evb"),
    ):
        run = run_qemu(platform, project.root / "build/kws" / folder / "fault.elf")
        assert run.returncode == 3, run.output
        assert "fault app: reading 0xF0000000" in run.output
        fault = re.search(r"fault: (\w+) PC=0x([0-9a-f]{8}) LR=0x[0-9a-f]{8} .*CFSR=0x", run.output)
        assert fault and fault[1] in ("BusFault", "HardFault"), run.output
        assert "BFAR=0xf0000000" in run.output


def test_region_overflow_names_the_region_and_bytes(built, tmp_path) -> None:
    fits = json.loads((built.root / "build/kws/apollo510_evb-gcc-auto-auto/sizes.json").read_text())
    project = firmware_project(tmp_path)
    # Placement counts model, arena, staging and stack; the code is only known at link time:
    # a 4 KB ITCM cannot hold the code that fitted in 256 KB.
    project.edit(
        "platforms/apollo510_evb.yaml", "  ITCM:\n    size_kb: 256", "  ITCM:\n    size_kb: 4"
    )
    result = scons(project, "kws-firmware", check=False)
    assert result.returncode != 0
    # The linker counts the alignment gaps between sections too: the end of the last one.
    itcm = [s for s in fits["sections"] if s["run_region"] == "ITCM"]
    end = max(s["run_address"] + s["size"] for s in itcm)
    over = end - fits["regions"]["ITCM"]["origin"] - 4 * KB
    assert (
        "build/kws/apollo510_evb-gcc-auto-auto/smoke.elf: the firmware does not fit: memory ITCM "
        f"overflowed by {over:,} bytes" in result.stderr
    ), result.stderr
    assert "lower firmware.stack_kb" in result.stderr and "Traceback" not in result.stderr


def test_board_support_sources_and_memory_map_build_the_image(tmp_path) -> None:
    """A platform with board_support compiles its listed C folders and links with its memory
    map. Here the "vendor" code is the emulated board's own, so the image still runs on QEMU."""
    project = firmware_project(tmp_path)
    support = """
board_support:
  sources: [firmware/board/mps3_an547, firmware/board/common]
  include: [firmware/board/common]
  flash: "true {elf}"
  memory_map:
    ITCM: {base: 0x00000000, size_kb: 256}
    TCM:  {base: 0x20000000, size_kb: 256}   # smaller than the board's 512 KB
    MRAM: {base: 0x28000000, size_kb: 4096, read_only: true}
"""
    with open(project.root / "platforms/apollo510_evb.yaml", "a") as handle:
        handle.write(support)
    scons(project, "kws-firmware")
    folder = project.root / "build/kws/apollo510_evb-gcc-auto-auto"
    script = (folder / "firmware.ld").read_text()
    assert "board memory map" in script
    assert "TCM (rwx) : ORIGIN = 0x20000000, LENGTH = 262144" in script
    report = json.loads((folder / "sizes.json").read_text())
    assert report["regions"]["TCM"]["length"] == 256 * KB
    run = run_qemu("apollo510_evb", folder / "smoke.elf")
    assert run.returncode == 0 and SMOKE_LINE.search(run.output), run.output


def _image(model_in: str, model: int, load_in: str | None = None, **arena: tuple) -> dict:
    """A size report holding a model of `model` bytes running from `model_in` (loaded from
    `load_in`), and per memory arena=(arena bytes, staging bytes)."""
    regions = {name: {"ram": {"arena": a, "staging": s}} for name, (a, s) in arena.items()} | {
        m: {"ram": {"arena": 0, "staging": 0}} for m in (model_in, load_in) if m not in arena
    }
    section = {"kind": "model", "size": model, "run_region": model_in}
    return {"regions": regions, "sections": [section | {"load_region": load_in or model_in}]}


def test_linked_image_over_a_usable_budget_is_refused() -> None:
    """The exact check on the linked image: layer parameters and the input staging buffer count,
    and the message names the memory, the bytes and the overflow."""
    platform = load_config(ROOT).platforms["apollo510_evb"]
    tcm = platform.memories["TCM"].usable_bytes  # 370,688: 512 KB less the 150 KB reserve
    check_budgets(_image("TCM", tcm - 1000, "MRAM", TCM=(900, 100)), platform, "fw.elf")
    with pytest.raises(BudgetError) as err:
        check_budgets(_image("TCM", tcm - 1000, "MRAM", TCM=(900, 101)), platform, "fw.elf")
    assert "fw.elf" in str(err.value)
    assert f"TCM: model data, arena and input staging take {tcm + 1:,} bytes" in str(err.value)
    assert f"over the usable {tcm:,} by 1" in str(err.value)
    psram_arena = platform.memories["PSRAM"].usable_for("arena")  # the 12000 KB arena limit
    with pytest.raises(BudgetError, match="PSRAM: arena and input staging take"):
        check_budgets(_image("MRAM", 100, PSRAM=(psram_arena + 16, 0)), platform, "x")


def test_a_load_image_counts_in_the_boot_memory() -> None:
    """A model copied to SRAM also occupies MRAM as its load image: MRAM's budget counts it."""
    base = load_config(ROOT).platforms["apollo510_evb"]
    small = replace(base.memories["MRAM"], usable_bytes=1000 * KB)
    platform = replace(base, memories={**base.memories, "MRAM": small})
    check_budgets(_image("SRAM", 1000 * KB, "MRAM"), platform, "fw.elf")
    with pytest.raises(BudgetError) as err:
        check_budgets(_image("SRAM", 1000 * KB + 16, "MRAM"), platform, "fw.elf")
    assert (
        "MRAM: model data and the model's load image (copied to RAM at start-up) take "
        f"{1000 * KB + 16:,} bytes, over the usable {1000 * KB:,} by 16" in str(err.value)
    )
