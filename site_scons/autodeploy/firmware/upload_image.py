"""The model data the host uploads to a validator whose model runs from PSRAM.

Such an image carries no weights in its flash image: the linker script links the model's
section to run in PSRAM with no load image, and describes it in `adrt_upload_info` (run
address, bytes, CRC-32) in the boot memory. The CRC-32 depends on the link (layer parameters
point into the weights), so the linker script leaves a placeholder and `seal` writes the real
value into the linked ELF; the board checks the uploaded bytes against it before it runs the
model. The host reads the bytes to send from the same ELF (`upload_image`).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from autodeploy.errors import AutodeployError
from autodeploy.firmware.elf import Elf, read_elf
from autodeploy.firmware.linker import UNSEALED_CRC, UPLOAD_INFO_SYMBOL

INFO = struct.Struct("<3I")  # run address, bytes, CRC-32 (firmware/rpc adrpc_upload_t)
CRC_OFFSET = 8


class UploadImageError(AutodeployError):
    """The ELF's upload description does not match its contents."""


@dataclass(frozen=True)
class UploadImage:
    address: int  # where it runs (PSRAM)
    data: bytes
    crc32: int  # as written into the image

    @property
    def size(self) -> int:
        return len(self.data)


def upload_image(elf: Elf) -> UploadImage | None:
    """What the host must upload before the first inference, or None (nothing)."""
    symbol = elf.symbols.get(UPLOAD_INFO_SYMBOL)
    if symbol is None:
        return None
    address, size, crc = INFO.unpack(elf.read(symbol.value, INFO.size))
    if size == 0:
        return None
    return UploadImage(address, elf.read(address, size), crc)


def seal(path: str | Path) -> UploadImage | None:
    """Writes the CRC-32 of the upload image into the linked ELF at `path` (in place: it runs
    as part of the link step); returns the image, or None when there is nothing to upload."""
    elf = read_elf(path)
    image = upload_image(elf)
    if image is None:
        return None
    crc = zlib.crc32(image.data)
    if image.crc32 not in (UNSEALED_CRC, crc):
        raise UploadImageError(
            f"{path}: {UPLOAD_INFO_SYMBOL} holds CRC-32 0x{image.crc32:08x}, neither the "
            f"placeholder nor the image's 0x{crc:08x}: the image was changed after linking; "
            "rebuild it"
        )
    offset = elf.file_offset(elf.symbols[UPLOAD_INFO_SYMBOL].value) + CRC_OFFSET
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(struct.pack("<I", crc))
    return UploadImage(image.address, image.data, crc)
