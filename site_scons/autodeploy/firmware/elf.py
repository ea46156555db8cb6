"""A small reader of 32-bit little-endian ELF files (what arm-none-eabi tools produce):
sections with their run (VMA) and load (LMA) addresses, and the symbol table."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from autodeploy.errors import AutodeployError

SHT_SYMTAB = 2
SHT_NOBITS = 8
SHF_WRITE = 0x1
SHF_ALLOC = 0x2
SHF_EXECINSTR = 0x4
PT_LOAD = 1


class ElfFormatError(AutodeployError):
    """The file is not a 32-bit little-endian ELF image."""


@dataclass(frozen=True)
class Section:
    name: str
    type: int
    flags: int
    addr: int  # run address (VMA)
    load_addr: int  # where the loader puts its bytes (LMA); = addr unless copied at startup
    size: int

    @property
    def allocated(self) -> bool:
        return bool(self.flags & SHF_ALLOC)

    @property
    def loaded(self) -> bool:
        """Has contents in the image (not NOBITS/NOLOAD)."""
        return self.allocated and self.type != SHT_NOBITS

    @property
    def writable(self) -> bool:
        return bool(self.flags & SHF_WRITE)


@dataclass(frozen=True)
class Symbol:
    name: str
    value: int
    size: int


@dataclass(frozen=True)
class Elf:
    sections: tuple[Section, ...]
    symbols: dict[str, Symbol]

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)


def read_elf(path: str | Path) -> Elf:
    data = Path(path).read_bytes()
    if data[:4] != b"\x7fELF" or len(data) < 52:
        raise ElfFormatError(f"{path}: not an ELF file")
    if data[4] != 1 or data[5] != 1:
        raise ElfFormatError(f"{path}: not a 32-bit little-endian ELF (Cortex-M images are)")
    (phoff, shoff, _, _, phentsize, phnum, shentsize, shnum, shstrndx) = struct.unpack_from(
        "<IIIHHHHHH", data, 28
    )
    segments = [struct.unpack_from("<8I", data, phoff + i * phentsize) for i in range(phnum)]
    raw = [struct.unpack_from("<10I", data, shoff + i * shentsize) for i in range(shnum)]
    names = raw[shstrndx]

    def string(table, offset: int) -> str:
        start = table[4] + offset
        return data[start : data.index(b"\0", start)].decode()

    sections = []
    for name, stype, flags, addr, offset, size, *_ in raw[1:]:
        sections.append(
            Section(
                string(names, name),
                stype,
                flags,
                addr,
                _load_address(segments, offset, addr, stype, size),
                size,
            )
        )
    symbols: dict[str, Symbol] = {}
    for entry in raw:
        if entry[1] == SHT_SYMTAB:
            strtab = raw[entry[6]]
            for k in range(1, entry[5] // 16):
                name, value, size, _, _, _ = struct.unpack_from("<IIIBBH", data, entry[4] + k * 16)
                if name:
                    symbols[string(strtab, name)] = Symbol(string(strtab, name), value, size)
    return Elf(tuple(sections), symbols)


def _load_address(segments, offset: int, addr: int, stype: int, size: int) -> int:
    """A loaded section's LMA: its file offset inside a PT_LOAD segment, mapped to p_paddr."""
    if stype == SHT_NOBITS or size == 0:
        return addr
    for ptype, p_offset, _, p_paddr, p_filesz, *_ in segments:
        if ptype == PT_LOAD and p_offset <= offset < p_offset + p_filesz:
            return p_paddr + (offset - p_offset)
    return addr
