"""GNU ld script for one firmware variant: the platform's memories, the placement and the
firmware layout (platform `firmware:`) turned into MEMORY regions and SECTIONS.

Images are load-and-run: every loaded section sits at its run address and whoever loads the ELF
fills it (QEMU's ELF loader on the emulator; the flash tool or debugger on a board). The one
exception is .data, which keeps the standard copy: its load image sits in the code memory and
the startup copies it to RAM, so a board's flashed image is correct too.

Symbols the script defines for the startup code (firmware/board/common/startup.c, or a real
board's own): __data_load, __data_start, __data_end, __bss_start, __bss_end, __stack_limit (the
stack's lowest word, its guard) and __stack_top. The vector table goes first in the code
memory from input section `.vectors`.
"""

from __future__ import annotations

from dataclasses import dataclass

from autodeploy.errors import AutodeployError

MODEL_SECTIONS = ".rodata.adrt_model*"
ARENA_SECTIONS = ".bss.adrt_arena*"
STAGING_SECTION = ".bss.adrt_staging"


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
        regions[name] = Region(name, base, min(size, memory.size_bytes), read_only, note)
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
    for memory, what in (
        (layout.stack_memory, "the stack, .data and .bss"),
        (placement["arena_location"], "the arena"),
    ):
        if regions[memory].read_only:
            raise LinkerLayoutError(
                f"platform {platform.name}: {memory} is read-only on the {target} and cannot "
                f"hold {what}; only loaded constants (code, model data) can go there"
            )
    return {name: r for name, r in regions.items() if name in uses}


def render_linker_script(platform, placement: dict, target: str | None = None) -> str:
    """The ld script text. `placement` is placement.json's "placement" dict."""
    target = target or default_target(platform)
    regions = used_regions(platform, placement, target)
    layout = platform.firmware
    return _script(
        platform,
        target,
        list(regions.values()),
        layout.code_memory,
        layout.stack_memory,
        placement["model_location"],
        placement["arena_location"],
        layout.stack_bytes,
    )


def _map_key(target: str) -> str:
    return "board_support.memory_map" if target == "board" else "emulator.memory_map"


def _script(platform, target, regions, code, stack, model, arena, stack_bytes) -> str:
    memory_lines = []
    for r in regions:
        attrs = "rx" if r.read_only else "rwx"
        note = f"  /* {r.note}: using the smaller size */" if r.note else ""
        memory_lines.append(
            f"    {r.name} ({attrs}) : ORIGIN = 0x{r.origin:08x}, LENGTH = {r.length}{note}"
        )
    memory = "\n".join(memory_lines)
    return f"""\
/* Generated by autodeploy for platform {platform.name} ({target} memory map). Do not edit.
 *
 * Load-and-run image: every loaded section sits at its run address and the ELF loader (QEMU,
 * or a board's flash tool/debugger) fills it. Only .data keeps the standard copy: its image
 * sits in {code} (the code memory) and the startup copies it to {stack}.
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
    /* Vector table first: the core boots from the start of the code memory. */
    .text :
    {{
        KEEP(*(.vectors))
        *(.text .text.*)
    }} > {code}

    /* The main stack at the bottom of {stack}: an overflow runs off the memory's start and
     * faults (Armv8-M's MSPLIM catches it earlier) instead of corrupting data. */
    .stack (NOLOAD) :
    {{
        . = ALIGN(8);
        __stack_limit = .;
        . += {stack_bytes};
        . = ALIGN(8);
        __stack_top = .;
    }} > {stack}

    /* Model constants (weights, per-layer parameters): placed in {model}. These input
     * sections come before .rodata, which would otherwise take them (first match wins). */
    .adrt_model :
    {{
        . = ALIGN(16);
        *({MODEL_SECTIONS})
    }} > {model}

    /* The tensor arena and the input staging buffer in {arena}: NOLOAD, never zeroed. */
    .adrt_arena (NOLOAD) :
    {{
        . = ALIGN(16);
        *({ARENA_SECTIONS})
    }} > {arena}

    .adrt_staging (NOLOAD) :
    {{
        . = ALIGN(16);
        *({STAGING_SECTION})
    }} > {arena}

    .rodata :
    {{
        *(.rodata .rodata.*)
    }} > {code}

    .ARM.extab : {{ *(.ARM.extab* .gnu.linkonce.armextab.*) }} > {code}
    .ARM.exidx : {{ *(.ARM.exidx* .gnu.linkonce.armexidx.*) }} > {code}

    .data :
    {{
        . = ALIGN(4);
        __data_start = .;
        *(.data .data.*)
        . = ALIGN(4);
        __data_end = .;
    }} > {stack} AT > {code}
    __data_load = LOADADDR(.data);

    .bss (NOLOAD) :
    {{
        . = ALIGN(4);
        __bss_start = .;
        *(.bss .bss.* COMMON)
        . = ALIGN(4);
        __bss_end = .;
    }} > {stack}
}}
"""
