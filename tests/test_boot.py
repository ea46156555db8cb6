"""Images that boot like a board: on the emulated boards QEMU loads only the flash image, so
what runs from RAM is there only if the start-up copied it (or the host uploaded it).

Through the real SConstruct: kws as shipped (code copied to ITCM, weights to TCM) and kws with
its weights in PSRAM, uploaded by the host before profiling. A kws image whose copy table is
deliberately broken fails validation; an image with contents no flash tool would write fails
its build check; the power app refuses a model it cannot receive.
"""

from __future__ import annotations

import json
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from scons_project import SconsProject

from autodeploy.config import load_config
from autodeploy.firmware.elf import read_elf
from autodeploy.firmware.flash_image import nonvolatile_ranges, write_flash_image
from autodeploy.firmware.size_report import BootImageError, check_boot_image
from autodeploy.profile.run import ProfileRequest, ValidationError, profile_variant

KWS = "  kws:\n    tflite: models/mlperf_tiny_kws_dscnn_int8.tflite\n"
KWS_PSRAM = "  kws_psram:\n    tflite: models/mlperf_tiny_kws_dscnn_int8.tflite\n"
COPIED = "build/kws/apollo510_evb-gcc-auto-auto"
UPLOADED = "build/kws_psram/apollo510_evb-gcc-PSRAM-auto"
PSRAM_REPORT = "reports/kws_psram/apollo510_evb-gcc-PSRAM-auto-HP"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> SconsProject:
    project = SconsProject(tmp_path_factory.mktemp("boot"))
    project.edit("models.yaml", KWS, KWS + KWS_PSRAM + "    model_location: PSRAM\n    runs: 3\n")
    project.result = project.scons("-j2", "kws-firmware", "kws_psram-profile")
    return project


def test_weights_in_psram_are_uploaded_then_validated(project) -> None:
    elf = read_elf(project.root / UPLOADED / "validator.elf")
    model = elf.section(".adrt_model")
    size = model.size  # weights and layer parameters, as packed for the target's kernels
    chunks = -(-size // 4064)  # the link's largest payload
    assert f"[profile] kws_psram: uploading {size:,} bytes of model data in {chunks} chunks" in (
        project.result.stdout
    )
    report = json.loads((project.root / PSRAM_REPORT / "profile.json").read_text())
    assert report["validation"]["passed"] and report["model_location"] == "PSRAM"
    upload = report["upload"]
    assert upload["bytes"] == size and upload["seconds"] > 0 and not upload["already_there"]
    assert upload["chunks"] == chunks and upload["resumes"] == 0
    assert f"| Model data uploaded | {size:,} bytes to PSRAM: " in (
        (project.root / PSRAM_REPORT / "profile.md").read_text()
    )
    sizes = json.loads((project.root / UPLOADED / "sizes.json").read_text())
    assert sizes["boot"]["upload"]["bytes"] == size and sizes["boot"]["upload"]["to"] == "PSRAM"
    assert sizes["regions"]["MRAM"]["rom"]["model"] == 0  # the image carries no weights
    assert sizes["regions"]["PSRAM"]["ram"]["model"] == size
    assert model.addr == model.load_addr == 0x60000000  # no load image
    info = struct.unpack("<3I", elf.read(elf.symbols["adrt_upload_info"].value, 12))
    assert info == (0x60000000, size, zlib.crc32(elf.contents(model)))  # sealed by the build


def test_the_flash_image_holds_only_the_boot_memory(project, tmp_path) -> None:
    platform = load_config(project.root).platforms["apollo510_evb"]
    flashed = {}
    for folder in (COPIED, UPLOADED):
        write_flash_image(
            read_elf(project.root / folder / "validator.elf"),
            tmp_path / "flash.elf",
            nonvolatile_ranges(platform, "emulator"),
        )
        flashed[folder] = read_elf(tmp_path / "flash.elf")
        addresses = [s.addr for s in flashed[folder].sections if s.allocated]
        assert addresses and all(0x28000000 <= a < 0x28400000 for a in addresses), folder
    model = read_elf(project.root / COPIED / "validator.elf").section(".adrt_model")
    assert flashed[COPIED].section(".adrt_model").size == model.size  # its load image, in MRAM
    assert flashed[UPLOADED].section(".adrt_model") is None  # PSRAM: uploaded, not flashed


def _broken_copy(elf: Path, section: str, out: Path) -> None:
    """A copy of `elf` whose copy-table record for `section` copies nothing."""
    image = read_elf(elf)
    run = image.section(section).addr
    table = image.symbols["__boot_copy_start"].value
    end = image.symbols["__boot_copy_end"].value
    for record in range(table, end, 12):
        if struct.unpack("<3I", image.read(record, 12))[1] == run:
            data = bytearray(image.data)
            struct.pack_into("<I", data, image.file_offset(record) + 8, 0)
            out.write_bytes(bytes(data))
            return
    raise AssertionError(f"no copy record for {section}")


def _profile(project, elf: Path, folder: Path) -> dict:
    root = project.root
    config = load_config(root)
    request = ProfileRequest(
        model="kws",
        variant="apollo510_evb-gcc-auto-auto-HP",
        analysis=json.loads((root / "build/kws/mve/model_analysis.json").read_text()),
        placement=json.loads((root / COPIED / "placement.json").read_text()),
        tflite=config.models["kws"].tflite.read_bytes(),
        platform=config.platforms["apollo510_evb"],
        cpu_mode="HP",
        runs=2,
        seed=42,
        elf=elf,
        log_path=folder / "board.log",
        image_sizes=json.loads((root / COPIED / "sizes.json").read_text()),
    )
    paths = [folder / f"profile.{ext}" for ext in ("csv", "md", "json")]
    return profile_variant(request, paths, lambda line: None)


def test_a_broken_copy_table_fails_validation(project, tmp_path) -> None:
    """The weights run from TCM: with their copy record emptied, TCM holds zeros where they
    should be, and the outputs differ from the reference (on a board that boots from MRAM; an
    emulator that loaded the whole ELF would never notice)."""
    elf = project.root / COPIED / "validator.elf"
    placed = json.loads((project.root / COPIED / "placement.json").read_text())["placement"]
    assert (placed["model_location"], placed["model_image"]) == ("TCM", "copied")
    profile = _profile(project, elf, tmp_path)
    assert profile["validation"]["passed"]
    sizes = json.loads((project.root / COPIED / "sizes.json").read_text())["boot"]
    assert profile["boot"]["copy_bytes"] == sizes["copy_bytes"] > 33_392  # weights, code, data
    assert profile["boot"]["copy_instructions"] == sizes["copy_instructions"]
    assert (
        f"| Boot copy | {sizes['copy_bytes']:,} bytes in " in (tmp_path / "profile.md").read_text()
    )
    broken = tmp_path / "broken.elf"
    _broken_copy(elf, ".adrt_model", broken)
    with pytest.raises(ValidationError, match="outputs differ from the litert reference"):
        _profile(project, broken, tmp_path)


def test_contents_no_flash_tool_writes_fail_the_build_check(project, tmp_path) -> None:
    """A section linked to run from TCM without a load image in MRAM would be lost at power-up."""
    (tmp_path / "fw.c").write_text(
        '__attribute__((section(".in_ram"))) unsigned lost = 1;\nvoid reset(void) {}\n'
    )
    (tmp_path / "fw.ld").write_text(
        "ENTRY(reset) SECTIONS { . = 0x28000000; .text : { *(.text*) } "
        ".in_ram 0x20000000 : { KEEP(*(.in_ram)) } }\n"
    )
    subprocess.run(
        ["arm-none-eabi-gcc", "-mcpu=cortex-m55", "-mthumb", "-nostdlib", "-T",
         str(tmp_path / "fw.ld"), str(tmp_path / "fw.c"), "-o", str(tmp_path / "fw.elf")],
        check=True,
    )  # fmt: skip
    platform = load_config(project.root).platforms["apollo510_evb"]
    ranges = nonvolatile_ranges(platform, "emulator")
    with pytest.raises(BootImageError) as err:
        check_boot_image(read_elf(tmp_path / "fw.elf"), ranges, "fw.elf")
    assert str(err.value).startswith(
        "fw.elf: the image would not boot: .in_ram (4 bytes at 0x20000000) would be lost at "
        "power-up, since only the non-volatile memories (MRAM) keep what the flash tool writes."
    )
    check_boot_image(read_elf(project.root / COPIED / "validator.elf"), ranges, "validator.elf")


def test_the_power_app_cannot_run_a_model_it_cannot_receive(project) -> None:
    result = project.scons("kws_psram-power", check=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert (
        f"error: [ldscript] {UPLOADED}/power/firmware.ld: the power app has no PC link to "
        "receive the weights, and with the model in PSRAM the image carries none"
    ) in result.stderr


def test_the_page_of_a_model_in_psram_says_why_it_has_no_power(project) -> None:
    """report-all builds the page without power; power-all and lib-all leave the model out."""
    result = project.scons("kws_psram-report")
    assert "[power]" not in result.stdout
    page = (project.root / PSRAM_REPORT / "index.html").read_text()
    assert "No power figures for this variant: the power app has no PC link" in page
    planned = project.scons("-n", "power-all", "lib-all").stdout
    assert "[power] reports/kws/" in planned and "kws_psram" not in planned
