"""How each part of a firmware image gets to the memory it runs from when the board powers up.

A flash tool writes only non-volatile memory (MRAM on the Apollo boards); TCM, SRAM, ITCM and
PSRAM hold nothing at power-up. So every part of an image is one of:

- resident: it runs where it is flashed (code, constants or the model in non-volatile memory);
- copied: it runs from volatile memory, and its load image sits in the platform's boot memory,
  from where the start-up copies it before main() (code in ITCM, the model in TCM or SRAM,
  .data), by the copy table the linker script generates;
- uploaded: the model in external PSRAM, meant for models too big for the boot memory: the
  image carries no weights, and the host uploads them over the PC link before the first
  inference (the validator's upload calls), as the reference tool's "very large model" support
  does. Images without a link (the power app, the library's example) cannot run such a model.

The copy costs a fixed number of instructions per 16 bytes (the hand-written loop
`board_boot_copy` in firmware/board/common/startup.c); the counts below are that loop's.
"""

from __future__ import annotations

RESIDENT, COPIED, UPLOADED = "resident", "copied", "uploaded"

#: Memories whose model the host uploads instead of the boot memory carrying it.
UPLOADED_MODEL_MEMORIES = ("PSRAM",)

#: board_boot_copy moves 16 bytes per iteration; every copied section is padded to a multiple.
COPY_BLOCK_BYTES = 16
#: Its instructions: 6 once (push, branch, the last table check, pop, return), 4 per record
#: (load the record, skip an empty one, table check) and 4 per block (ldm, stm, subs, bne).
COPY_FIXED_INSTRUCTIONS = 6
COPY_RECORD_INSTRUCTIONS = 4
COPY_BLOCK_INSTRUCTIONS = 4
COPY_COST = (
    f"{COPY_FIXED_INSTRUCTIONS} + {COPY_RECORD_INSTRUCTIONS} per record + "
    f"{COPY_BLOCK_INSTRUCTIONS} per {COPY_BLOCK_BYTES} bytes"
)


def part_image(platform, memory: str) -> str:
    """RESIDENT or COPIED: how code, constants or data that run from `memory` get there."""
    return COPIED if platform.memories[memory].volatile else RESIDENT


def model_image(platform, memory: str) -> str:
    """RESIDENT, COPIED or UPLOADED: how the model's data get to `memory` at power-up."""
    if memory in UPLOADED_MODEL_MEMORIES:
        return UPLOADED
    return part_image(platform, memory)


def copy_instructions(records: int, nbytes: int) -> int:
    """Instructions board_boot_copy executes for a table of `records` copying `nbytes` (each
    record's size a multiple of COPY_BLOCK_BYTES)."""
    if nbytes % COPY_BLOCK_BYTES:
        raise ValueError(f"{nbytes} bytes is not a multiple of {COPY_BLOCK_BYTES}")
    return (
        COPY_FIXED_INSTRUCTIONS
        + COPY_RECORD_INSTRUCTIONS * records
        + COPY_BLOCK_INSTRUCTIONS * (nbytes // COPY_BLOCK_BYTES)
    )


def no_link_reason(app: str) -> str:
    """Why an image without a PC link cannot run a model whose weights are uploaded."""
    return (
        f"the {app} has no PC link to receive the weights, and with the model in PSRAM the "
        "image carries none (the host uploads them to the validator before profiling); only a "
        f"model placed in MRAM, SRAM or TCM (model_location) can run in the {app}"
    )
