"""GNU ld script for one firmware variant: the platform's memories, the placement and the
firmware layout (platform `firmware:`) turned into MEMORY regions and SECTIONS.

Boot images: a flash tool writes only non-volatile memory, so every section with contents has
its load address there (autodeploy.memory.boot). The platform's boot memory starts with the
vector table and the start-up code (input sections `.vectors`, `.boot_text`); a section that
runs from volatile memory (code in ITCM, the model in TCM or SRAM, .data) is linked to run
there with its load image in the boot memory (`> ITCM AT > MRAM`), and the start-up copies it
before main() from the copy table at the end of the boot memory. A model in PSRAM is uploaded
by the host instead: it has no load image, and `adrt_upload_info` tells the validator where it
goes, how big it is and its CRC-32 (autodeploy.firmware.upload_image writes that in after
linking).

Symbols the script defines for the start-up code (firmware/board/common/startup.c, or a real
board's own): __boot_copy_start, __boot_copy_end (the copy table: records of load address, run
address and bytes, a multiple of 16), __bss_start, __bss_end, __stack_limit (the stack's lowest
word, its guard) and __stack_top; and adrt_upload_info (base, bytes, CRC-32) for the validator.
"""

from __future__ import annotations

from dataclasses import dataclass

from autodeploy.errors import AutodeployError
from autodeploy.memory.boot import (
    COPIED,
    RESIDENT,
    UPLOADED,
    model_image,
    no_link_reason,
    part_image,
)

MODEL_SECTIONS = ".rodata.adrt_model*"
ARENA_SECTIONS = ".bss.adrt_arena*"
STAGING_SECTION = ".bss.adrt_staging"
MODEL_OUTPUT_SECTION = ".adrt_model"  # the output section of the model's data
#: Where the image describes what the host uploads (run address, bytes, CRC-32), and the CRC-32
#: it holds until the build writes in the real one (autodeploy.firmware.upload_image).
UPLOAD_INFO_SYMBOL = "adrt_upload_info"
UNSEALED_CRC = 0xFFFFFFFF


class LinkerLayoutError(AutodeployError):
    """The platform's memory map cannot hold what the placement asks for."""


@dataclass(frozen=True)
class Region:
    """One MEMORY line: a platform memory at its address, with the real board's budget."""

    name: str
    origin: int
    length: int
    read_only: bool
    note: str = ""
    volatile: bool = True  # loses its contents at power-up: a flash tool does not write it


def memory_regions(platform, target: str) -> dict[str, Region]:
    """Every platform memory with an address on `target` ("emulator" or "board")."""
    regions = {}
    for name, memory in platform.memories.items():
        if target == "board":
            mapped = platform.board_support.memory_map.get(name)
            if mapped is None:
                continue
            base, size, read_only = mapped.base, mapped.size, mapped.read_only
        else:
            if memory.emulator_base is None:
                continue
            base, size = memory.emulator_base, memory.emulator_size
            read_only = memory.emulator_read_only
        note = ""
        if size < memory.size_bytes:
            note = f"the {target} maps only {size} of the board's {memory.size_bytes} bytes"
        regions[name] = Region(
            name, base, min(size, memory.size_bytes), read_only, note, memory.volatile
        )
    return regions


def default_target(platform) -> str:
    """A platform with board_support builds for its board, otherwise for its emulator."""
    return "board" if platform.board_support is not None else "emulator"


def used_regions(platform, placement: dict, target: str | None = None) -> dict[str, Region]:
    """The regions an image of `placement` uses (code, stack, model and arena memories).

    LinkerLayoutError when one has no address on `target` or a writable part would land in a
    read-only region."""
    target = target or default_target(platform)
    if target == "emulator" and platform.emulator is None:
        raise LinkerLayoutError(
            f"platform {platform.name} has no emulator: section; add one or board_support:"
        )
    regions = memory_regions(platform, target)
    layout = platform.firmware
    uses = {
        platform.boot_memory: "boot image",
        layout.code_memory: "code",
        layout.stack_memory: "stack, .data and .bss",
        placement["model_location"]: "model",
        placement["arena_location"]: "arena",
    }
    for memory, what in uses.items():
        if memory not in regions:
            raise LinkerLayoutError(
                f"platform {platform.name}: memory {memory} (the {what}) has no address on the "
                f"{target}; add it to {_map_key(target)} in {platform.file.name}"
            )
    written = [
        (layout.stack_memory, "the stack, .data and .bss"),
        (placement["arena_location"], "the arena"),
    ]
    if part_image(platform, layout.code_memory) == COPIED:
        written.append((layout.code_memory, "the code the start-up copies there"))
    if model_image(platform, placement["model_location"]) != RESIDENT:
        written.append((placement["model_location"], "the model copied or uploaded there"))
    for memory, what in written:
        if regions[memory].read_only:
            raise LinkerLayoutError(
                f"platform {platform.name}: {memory} is read-only on the {target} and cannot "
                f"hold {what}; only loaded constants (code, model data) can go there"
            )
    return {name: r for name, r in regions.items() if name in uses}


def require_link_for_upload(placement: dict, app: str, receives_upload: bool) -> None:
    """An image without a PC link cannot run a model whose data the host uploads."""
    if placement["model_image"] == UPLOADED and not receives_upload:
        raise LinkerLayoutError(no_link_reason(app))


def render_linker_script(platform, placement: dict, target: str | None = None) -> str:
    """The ld script text. `placement` is placement.json's "placement" dict."""
    target = target or default_target(platform)
    regions = used_regions(platform, placement, target)
    layout = platform.firmware
    boot = platform.boot_memory
    code, stack = layout.code_memory, layout.stack_memory
    model, arena = placement["model_location"], placement["arena_location"]
    code_load = boot if part_image(platform, code) == COPIED else None
    delivery = model_image(platform, model)
    model_load = boot if delivery == COPIED else None
    copied = [
        name
        for name, load in (
            (".text", code_load),
            (MODEL_OUTPUT_SECTION, model_load),
            (".rodata", code_load),
            (".ARM.extab", code_load),
            (".ARM.exidx", code_load),
            (".data", boot),
        )
        if load
    ]
    records = "\n".join(
        f"        LONG(LOADADDR({name})) LONG(ADDR({name})) LONG(SIZEOF({name}))" for name in copied
    )
    if delivery == UPLOADED:
        upload = (
            f"LONG(ADDR({MODEL_OUTPUT_SECTION})) LONG(SIZEOF({MODEL_OUTPUT_SECTION})) "
            f"LONG(0x{UNSEALED_CRC:08X})"
        )
    else:
        upload = "LONG(0) LONG(0) LONG(0)"
    memory = "\n".join(_memory_line(r) for r in regions.values())
    return f"""\
/* Generated by autodeploy for platform {platform.name} ({target} memory map). Do not edit.
 *
 * Boot image: the board boots from {boot}, the only memory here a flash tool writes (with any
 * other non-volatile one). Sections that run from volatile memory ({", ".join(copied)}) are
 * linked to run there with their load image in {boot}; the start-up copies them before main()
 * from the copy table at the end of {boot}. The model is {_model_note(delivery, model, boot)}.
 * LENGTHs are the real board's sizes (smaller than the emulator's regions), so an image that
 * links fits the board. Model data and arena budgets were checked by placement against the
 * usable sizes; here the whole memory is available.
 */
ENTRY(Reset_Handler)

MEMORY
{{
{memory}
}}

SECTIONS
{{
    /* The vector table and the start-up code first in the boot memory: they run before
     * anything is copied. */
    .boot :
    {{
        KEEP(*(.vectors))
        *(.boot_text)
    }} > {boot}
    ASSERT(ADDR(.boot) % 128 == 0, "the vector table (start of {boot}) must be 128-byte aligned")

    /* Every copied section starts and ends on 16 bytes: the start-up copies 16 at a time.
     * NOLOAD sections keep their load address at their run address ("AT >" their own
     * memory), so that no loader zero-fills the boot memory after a load image. */
    .text : ALIGN(16)
    {{
        *(.text .text.*)
        . = ALIGN(16);
    }} {_placed(code, code_load)}

    /* The main stack at the bottom of {stack}: an overflow runs off the memory's start and
     * faults (Armv8-M's MSPLIM catches it earlier) instead of corrupting data. */
    .stack (NOLOAD) :
    {{
        . = ALIGN(8);
        __stack_limit = .;
        . += {layout.stack_bytes};
        . = ALIGN(8);
        __stack_top = .;
    }} > {stack} AT > {stack}

    /* Model constants (weights, per-layer parameters): placed in {model}. These input
     * sections come before .rodata, which would otherwise take them (first match wins). */
    {MODEL_OUTPUT_SECTION} : ALIGN(16)
    {{
        *({MODEL_SECTIONS})
        . = ALIGN(16);
    }} {_placed(model, model_load)}

    /* The tensor arena and the input staging buffer in {arena}: NOLOAD, never zeroed. */
    .adrt_arena (NOLOAD) :
    {{
        . = ALIGN(16);
        *({ARENA_SECTIONS})
    }} > {arena} AT > {arena}

    .adrt_staging (NOLOAD) :
    {{
        . = ALIGN(16);
        *({STAGING_SECTION})
    }} > {arena} AT > {arena}

    .rodata : ALIGN(16)
    {{
        *(.rodata .rodata.*)
        . = ALIGN(16);
    }} {_placed(code, code_load)}

    .ARM.extab : ALIGN(16)
    {{
        *(.ARM.extab* .gnu.linkonce.armextab.*)
        . = ALIGN(16);
    }} {_placed(code, code_load)}

    .ARM.exidx : ALIGN(16)
    {{
        *(.ARM.exidx* .gnu.linkonce.armexidx.*)
        . = ALIGN(16);
    }} {_placed(code, code_load)}

    .data : ALIGN(16)
    {{
        *(.data .data.*)
        . = ALIGN(16);
    }} {_placed(stack, boot)}

    .bss (NOLOAD) :
    {{
        . = ALIGN(4);
        __bss_start = .;
        *(.bss .bss.* COMMON)
        . = ALIGN(4);
        __bss_end = .;
    }} > {stack} AT > {stack}

    /* The start-up's copy table: load address, run address and bytes of each section above
     * that runs from volatile memory. */
    .boot_copy_table : ALIGN(4)
    {{
        __boot_copy_start = .;
{records}
        __boot_copy_end = .;
    }} > {boot}

    /* What the host uploads before the first inference (all zero: nothing): run address,
     * bytes and CRC-32 (written into the image after linking). */
    .adrt_upload_info : ALIGN(4)
    {{
        {UPLOAD_INFO_SYMBOL} = .;
        {upload}
    }} > {boot}
}}
"""


def _memory_line(r: Region) -> str:
    attrs = "rx" if r.read_only else "rwx"
    note = f"  /* {r.note}: using the smaller size */" if r.note else ""
    return f"    {r.name} ({attrs}) : ORIGIN = 0x{r.origin:08x}, LENGTH = {r.length}{note}"


def _placed(run: str, load: str | None) -> str:
    """Where an output section runs, and where its load image goes when that differs."""
    return f"> {run} AT > {load}" if load else f"> {run}"


def _model_note(delivery: str, model: str, boot: str) -> str:
    if delivery == UPLOADED:
        return f"uploaded into {model} by the host: it has no load image"
    if delivery == COPIED:
        return f"copied from {boot} to {model}"
    return f"flashed into {model}, where it runs"


def _map_key(target: str) -> str:
    return "board_support.memory_map" if target == "board" else "emulator.memory_map"
