"""The flash image of a linked firmware: what a flash tool writes, and nothing else.

A board keeps only its non-volatile memories over a power cycle, so the image that boots it is
the contents of every section whose load address lies in a non-volatile memory, at that
address. `write_flash_image` writes that as a small ELF (one section and one PT_LOAD program
header per section, at its load address; the entry point kept): QEMU loads it on the emulated
boards, so code or data that a broken copy table fails to bring into RAM stays missing there
too, and a flash tool gets exactly the bytes it must write. `stranded_sections` lists the
sections a board would lose: contents whose load address is in volatile memory.
"""

from __future__ import annotations

import struct
from pathlib import Path

from autodeploy import atomic
from autodeploy.firmware.elf import SHF_ALLOC, SHF_EXECINSTR, Elf, Section
from autodeploy.firmware.linker import memory_regions

EM_ARM = 40
ET_EXEC = 2
PT_LOAD = 1
SHT_PROGBITS = 1
SHT_STRTAB = 3
PF_X, PF_R = 1, 4
HEADER = struct.Struct("<16sHHIIIIIHHHHHH")
PROGRAM_HEADER = struct.Struct("<8I")
SECTION_HEADER = struct.Struct("<10I")


def nonvolatile_ranges(platform, target: str) -> dict[str, tuple[int, int]]:
    """name -> (start, end) of the platform's non-volatile memories on `target` ("emulator" or
    "board"), at their real sizes."""
    return {
        name: (r.origin, r.origin + r.length)
        for name, r in memory_regions(platform, target).items()
        if not r.volatile
    }


def _within(section: Section, ranges: dict[str, tuple[int, int]]) -> bool:
    start, end = section.load_addr, section.load_addr + section.size
    return any(low <= start and end <= high for low, high in ranges.values())


def flash_sections(elf: Elf, ranges: dict[str, tuple[int, int]]) -> list[Section]:
    """Sections with contents whose load image lies in a non-volatile memory."""
    return [s for s in elf.sections if s.loaded and s.size and _within(s, ranges)]


def stranded_sections(elf: Elf, ranges: dict[str, tuple[int, int]]) -> list[Section]:
    """Sections with contents whose load address is not in a non-volatile memory: after a power
    cycle nothing would put them there."""
    return [s for s in elf.sections if s.loaded and s.size and not _within(s, ranges)]


def write_flash_image(elf: Elf, path: str | Path, ranges: dict[str, tuple[int, int]]) -> None:
    """Write the flash image of `elf` (see the module doc) to `path`, atomically."""
    sections = flash_sections(elf, ranges)
    names = b"\0" + b"".join(s.name.encode() + b"\0" for s in sections) + b".shstrtab\0"
    data_offset = HEADER.size + PROGRAM_HEADER.size * len(sections)
    offsets, blobs, position = [], [], data_offset
    for s in sections:
        position += -position % 4
        offsets.append(position)
        blobs.append((position, elf.contents(s)))
        position += s.size
    strtab_offset = position
    shoff = strtab_offset + len(names)
    shoff += -shoff % 4
    out = bytearray(shoff + SECTION_HEADER.size * (len(sections) + 2))
    flags = struct.unpack_from("<I", elf.data, 36)[0]  # the ARM EABI version and float ABI
    HEADER.pack_into(
        out,
        0,
        b"\x7fELF\x01\x01\x01" + bytes(9),
        ET_EXEC,
        EM_ARM,
        1,
        elf.entry,
        HEADER.size,
        shoff,
        flags,
        HEADER.size,
        PROGRAM_HEADER.size,
        len(sections),
        SECTION_HEADER.size,
        len(sections) + 2,
        len(sections) + 1,
    )
    name_at = 1
    for k, (s, offset) in enumerate(zip(sections, offsets, strict=True)):
        exec_flag = bool(s.flags & SHF_EXECINSTR)
        PROGRAM_HEADER.pack_into(
            out,
            HEADER.size + k * PROGRAM_HEADER.size,
            PT_LOAD,
            offset,
            s.load_addr,
            s.load_addr,
            s.size,
            s.size,
            PF_R | (PF_X if exec_flag else 0),
            1,
        )
        SECTION_HEADER.pack_into(
            out,
            shoff + (k + 1) * SECTION_HEADER.size,
            name_at,
            SHT_PROGBITS,
            SHF_ALLOC | (SHF_EXECINSTR if exec_flag else 0),
            s.load_addr,
            offset,
            s.size,
            0,
            0,
            1,
            0,
        )
        name_at += len(s.name) + 1
    SECTION_HEADER.pack_into(
        out,
        shoff + (len(sections) + 1) * SECTION_HEADER.size,
        name_at,
        SHT_STRTAB,
        0,
        0,
        strtab_offset,
        len(names),
        0,
        0,
        1,
        0,
    )
    for offset, blob in blobs:
        out[offset : offset + len(blob)] = blob
    out[strtab_offset : strtab_offset + len(names)] = names
    atomic.write_bytes(str(path), bytes(out))
