"""Per-memory size report of a linked firmware image, read from the ELF's headers, and the
checks a bootable image must pass.

ROM bytes of a memory: what the flash tool writes there (text, rodata, model constants, the
copy table and the load images of what runs from RAM), found by load address, in non-volatile
memories. RAM bytes: what a volatile memory holds at run time (code copied to ITCM, a model
copied to TCM or SRAM or uploaded to PSRAM, data, bss, arena, input staging, stack), found by
run address. A copied section counts in both: its load image in the boot memory and its run
copy in RAM. `boot` lists the start-up's copies (read from the image's copy table) with their
cost, and what the host uploads.
"""

from __future__ import annotations

import struct

from autodeploy.errors import AutodeployError, PlacementError
from autodeploy.firmware.elf import Elf
from autodeploy.firmware.flash_image import stranded_sections
from autodeploy.firmware.linker import MODEL_OUTPUT_SECTION
from autodeploy.firmware.upload_image import upload_image
from autodeploy.memory.boot import COPY_COST, copy_instructions

NOTE = (
    "Boot image: a flash tool writes only the non-volatile memories (ROM bytes); what runs from "
    "volatile memory (RAM bytes) is copied there by the start-up from its load image in the "
    "boot memory, or uploaded by the host (a model in PSRAM). Lengths are the real board's sizes."
)

#: Output sections of our linker script, by what they hold.
CATEGORIES = {
    ".boot": "text",
    ".text": "text",
    ".ARM.extab": "text",
    ".ARM.exidx": "text",
    ".rodata": "rodata",
    ".boot_copy_table": "rodata",
    ".adrt_upload_info": "rodata",
    MODEL_OUTPUT_SECTION: "model",
    ".data": "data",
    ".bss": "bss",
    ".adrt_arena": "arena",
    ".adrt_staging": "staging",
    ".stack": "stack",
}
ROM_KINDS = ("text", "rodata", "model", "data", "other")
RAM_KINDS = ("text", "rodata", "model", "data", "bss", "arena", "staging", "stack", "other")
COPY_RECORD = struct.Struct("<3I")  # load address, run address, bytes (startup.c board_copy_t)


class BootImageError(AutodeployError):
    """The image would not survive a power cycle: contents with no load image in non-volatile
    memory."""


def size_report(elf: Elf, regions: dict) -> dict:
    """`regions`: name -> linker.Region. Returns a JSON-able dict (see module doc)."""
    out = {
        name: {
            "origin": r.origin,
            "length": r.length,
            "volatile": r.volatile,
            "rom": dict.fromkeys(ROM_KINDS, 0),
            "ram": dict.fromkeys(RAM_KINDS, 0),
        }
        for name, r in regions.items()
    }
    sections = []
    for s in elf.sections:
        if not s.allocated or s.size == 0:
            continue
        kind = CATEGORIES.get(s.name, "other")
        run_in = _region_of(regions, s.addr)
        load_in = _region_of(regions, s.load_addr) if s.loaded else None
        if load_in and not regions[load_in].volatile:
            out[load_in]["rom"][kind] += s.size
        if run_in and regions[run_in].volatile:
            out[run_in]["ram"][kind] += s.size
        sections.append(
            {
                "name": s.name,
                "kind": kind,
                "size": s.size,
                "run_address": s.addr,
                "load_address": s.load_addr if s.loaded else None,
                "run_region": run_in,
                "load_region": load_in,
            }
        )
    for entry in out.values():
        entry["rom_bytes"] = sum(entry["rom"].values())
        entry["ram_bytes"] = sum(entry["ram"].values())
        entry["used"] = entry["rom_bytes"] + entry["ram_bytes"]
        entry["free"] = entry["length"] - entry["used"]
    return {"note": NOTE, "regions": out, "sections": sections, "boot": _boot(elf, regions)}


def _boot(elf: Elf, regions: dict) -> dict:
    """The start-up's copies, as the image's copy table has them, and the upload."""
    copies = []
    has_table = "__boot_copy_start" in elf.symbols
    if has_table:
        start = elf.symbols["__boot_copy_start"].value
        size = elf.symbols["__boot_copy_end"].value - start
        table = elf.read(start, size) if size else b""
        for load, run, nbytes in COPY_RECORD.iter_unpack(table):
            section = next(
                (s.name for s in elf.sections if s.allocated and (s.addr, s.size) == (run, nbytes)),
                None,
            )
            copies.append(
                {
                    "section": section,
                    "from": _region_of(regions, load),
                    "to": _region_of(regions, run),
                    "load_address": load,
                    "run_address": run,
                    "bytes": nbytes,
                }
            )
    copied = sum(c["bytes"] for c in copies)
    upload = None
    image = upload_image(elf)
    if image:
        upload = {
            "to": _region_of(regions, image.address),
            "address": image.address,
            "bytes": image.size,
            "crc32": image.crc32,
        }
    return {
        "copies": copies,
        "copy_bytes": copied,
        "copy_instructions": copy_instructions(len(copies), copied) if has_table else 0,
        "upload": upload,
    }


def check_boot_image(elf: Elf, ranges: dict, image: str) -> None:
    """Every section with contents must have its load image in non-volatile memory (`ranges`:
    flash_image.nonvolatile_ranges), but for the model the host uploads."""
    upload = upload_image(elf)
    uploaded = (upload.address, upload.size) if upload else None
    lost = [s for s in stranded_sections(elf, ranges) if (s.addr, s.size) != uploaded]
    if lost:
        listed = ", ".join(f"{s.name} ({s.size:,} bytes at 0x{s.load_addr:08x})" for s in lost)
        memories = ", ".join(ranges) or "none"
        raise BootImageError(
            f"{image}: the image would not boot: {listed} would be lost at power-up, since "
            f"only the non-volatile memories ({memories}) keep what the flash tool writes. Give "
            "the section a load image there (`AT >` the boot memory) and a copy-table record, "
            "or move it."
        )


def linked_model_bytes(report: dict) -> int:
    """The model's weights and layer parameters as linked (each section counted once)."""
    return sum(s["size"] for s in report["sections"] if s["kind"] == "model")


class BudgetError(PlacementError):
    """The linked image puts more model data or arena in a memory than its usable budget."""


def check_budgets(report: dict, platform, image: str) -> None:
    """The real board's usable budgets (reserves subtracted), checked on the linked image.

    Placement checks them before the build from the analysis's estimate; this is the exact
    check, with the layer parameters and the app's input staging buffer included, and the
    model's load image counted in the boot memory beside whatever runs there.
    """
    problems = []
    for name, entry in report["regions"].items():
        memory = platform.memories.get(name)
        if memory is None:
            continue
        model = _model_bytes(report, lambda s, name=name: s["run_region"] == name)
        image_bytes = _model_bytes(
            report, lambda s, name=name: s["load_region"] == name != s["run_region"]
        )
        arena = entry["ram"]["arena"] + entry["ram"]["staging"]
        checks = (
            ("model data", model, memory.usable_for("model") if model else 0),
            ("arena and input staging", arena, memory.usable_for("arena") if arena else 0),
            ("model data, arena and input staging", model + arena, memory.usable_bytes),
            (
                "model data and the model's load image (copied to RAM at start-up)",
                model + image_bytes,
                memory.usable_bytes,
            ),
        )
        for what, used, budget in checks:
            if used > budget:
                problems.append(
                    f"{name}: {what} take {used:,} bytes, over the usable {budget:,} by "
                    f"{used - budget:,}"
                )
                break
    if problems:
        raise BudgetError(
            f"{image}: the image does not fit the board's budgets ({'; '.join(problems)}). "
            "Move the model or arena (model_location, arena_location in models.yaml), or lower "
            "the memory's reserve in the platform YAML if the board really has the room."
        )


def _model_bytes(report: dict, which) -> int:
    """Bytes of the model sections `which(section entry)` picks."""
    return sum(s["size"] for s in report["sections"] if s["kind"] == "model" and which(s))


def _region_of(regions: dict, address: int) -> str | None:
    for name, r in regions.items():
        if r.origin <= address < r.origin + r.length:
            return name
    return None


def size_markdown(report: dict, title: str) -> str:
    lines = [
        f"# Firmware size: {title}",
        "",
        report["note"],
        "",
        "| memory | origin | length | ROM bytes | RAM bytes | used | free |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in report["regions"].items():
        lines.append(
            f"| {name} | 0x{r['origin']:08x} | {r['length']:,} | {r['rom_bytes']:,} | "
            f"{r['ram_bytes']:,} | {r['used']:,} | {r['free']:,} |"
        )
    lines += [
        "",
        "| memory | ROM: text | rodata | model | data | RAM: text | rodata | model | data | bss "
        "| arena | staging | stack |",
        "|---|" + "---:|" * 12,
    ]
    for name, r in report["regions"].items():
        rom, ram = r["rom"], r["ram"]
        cells = [rom[k] for k in ("text", "rodata", "model", "data")]
        cells += [ram[k] for k in ("text", "rodata", "model", "data", "bss", "arena")]
        cells += [ram[k] for k in ("staging", "stack")]
        lines.append(f"| {name} | " + " | ".join(f"{c:,}" for c in cells) + " |")
    return "\n".join(lines + ["", *boot_lines(report["boot"])]) + "\n"


def boot_lines(boot: dict) -> list[str]:
    """The boot section of sizes.md: what the start-up copies and what the host uploads."""
    lines = ["## Boot", ""]
    if boot["copies"]:
        lines += [
            f"Before main() the start-up copies {boot['copy_bytes']:,} bytes in "
            f"{len(boot['copies'])} records: {boot['copy_instructions']:,} instructions "
            f"({COPY_COST}; cycles on a board depend on its memories).",
            "",
            "| section | from | to | load address | run address | bytes |",
            "|---|---|---|---|---|---:|",
        ]
        for c in boot["copies"]:
            lines.append(
                f"| {c['section'] or '-'} | {c['from']} | {c['to']} | "
                f"0x{c['load_address']:08x} | 0x{c['run_address']:08x} | {c['bytes']:,} |"
            )
    else:
        lines.append("Nothing is copied at start-up: everything runs where it is flashed.")
    upload = boot["upload"]
    lines.append("")
    if upload:
        lines.append(
            f"The image carries no model data: the host uploads {upload['bytes']:,} bytes to "
            f"{upload['to']} (0x{upload['address']:08x}, CRC-32 0x{upload['crc32']:08x}) "
            "before the first inference."
        )
    else:
        lines.append("Nothing is uploaded: the image carries all it runs.")
    return lines
