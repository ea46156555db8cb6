"""A small reader of 32-bit little-endian ELF files (what arm-none-eabi tools produce):
sections with their run (VMA) and load (LMA) addresses and contents, the loadable segments,
the entry point and the symbol table."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
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
    offset: int = 0  # of its contents in the file

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
class Segment:
    """A PT_LOAD program header: `filesz` bytes from the file at `paddr` (the load address),
    then zeros up to `memsz`."""

    offset: int
    vaddr: int
    paddr: int
    filesz: int
    memsz: int
    flags: int


@dataclass(frozen=True)
class Elf:
    sections: tuple[Section, ...]
    symbols: dict[str, Symbol]
    entry: int = 0
    segments: tuple[Segment, ...] = ()
    data: bytes = field(default=b"", repr=False, compare=False)  # the whole file

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def contents(self, section: Section) -> bytes:
        """A loaded section's bytes (b"" for NOBITS)."""
        if not section.loaded:
            return b""
        return self.data[section.offset : section.offset + section.size]

    def read(self, address: int, size: int) -> bytes:
        """`size` bytes at run address `address`, from the loaded section that holds them."""
        for s in self.sections:
            if s.loaded and s.addr <= address and address + size <= s.addr + s.size:
                start = s.offset + address - s.addr
                return self.data[start : start + size]
        raise ElfFormatError(f"no loaded section holds {size} bytes at 0x{address:08x}")

    def file_offset(self, address: int) -> int:
        """Where the byte at run address `address` of a loaded section is in the file."""
        for s in self.sections:
            if s.loaded and s.addr <= address < s.addr + s.size:
                return s.offset + address - s.addr
        raise ElfFormatError(f"no loaded section holds 0x{address:08x}")


def read_elf(path: str | Path) -> Elf:
    data = Path(path).read_bytes()
    if data[:4] != b"\x7fELF" or len(data) < 52:
        raise ElfFormatError(f"{path}: not an ELF file")
    if data[4] != 1 or data[5] != 1:
        raise ElfFormatError(f"{path}: not a 32-bit little-endian ELF (Cortex-M images are)")
    (entry_point, phoff, shoff, _, _, phentsize, phnum, shentsize, shnum, shstrndx) = (
        struct.unpack_from("<IIIIHHHHHH", data, 24)
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
                offset,
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
    loads = tuple(
        Segment(offset, vaddr, paddr, filesz, memsz, flags)
        for ptype, offset, vaddr, paddr, filesz, memsz, flags, _ in segments
        if ptype == PT_LOAD
    )
    return Elf(tuple(sections), symbols, entry_point, loads, data)


def _load_address(segments, offset: int, addr: int, stype: int, size: int) -> int:
    """A loaded section's LMA: its file offset inside a PT_LOAD segment, mapped to p_paddr."""
    if stype == SHT_NOBITS or size == 0:
        return addr
    for ptype, p_offset, _, p_paddr, p_filesz, *_ in segments:
        if ptype == PT_LOAD and p_offset <= offset < p_offset + p_filesz:
            return p_paddr + (offset - p_offset)
    return addr
