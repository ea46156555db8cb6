"""Where model data and the arena go on a platform, following the reference tool's rules.

auto model location: TCM if it fits, else MRAM, else SRAM, else OSPI, else PSRAM.
auto arena location: TCM if it fits, else SRAM, else PSRAM.
If both end up in one memory that cannot hold both, the side left on auto moves on (the model
first). An explicit location that cannot hold the bytes is an error naming memory, usable size
and need.

"Fits" counts everything the linker script puts beside them, so that auto never picks a memory
the link then rejects: the app's input staging buffer goes with the arena, the memory that
holds the firmware's stack also holds the stack itself and the app's own .data/.bss, and a
model in volatile memory (TCM, SRAM) also needs room for its load image in the boot memory,
from where the start-up copies it (autodeploy.memory.boot).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from autodeploy.errors import PlacementError
from autodeploy.memory.arena import align
from autodeploy.memory.boot import COPIED, model_image

MODEL_PREFERENCE = ("TCM", "MRAM", "SRAM", "OSPI", "PSRAM")
ARENA_PREFERENCE = ("TCM", "SRAM", "PSRAM")

#: Upper bound of the .data + .bss of our apps besides arena and staging (the validator's RPC
#: buffers are the largest: 14,386 bytes with gcc on the Apollo510). Counted in the stack's
#: memory; tests/test_firmware_build.py checks every built app stays below it.
APP_STATIC_RAM_BYTES = 20 * 1024


@dataclass(frozen=True)
class Placement:
    model_location: str
    arena_location: str
    model_bytes: int
    arena_bytes: int
    staging_bytes: int  # the app's input staging buffer, linked beside the arena
    # memory name -> {"usable": bytes, "model": bytes, "arena": bytes (arena + staging),
    #                 "load_image": bytes of the model's load image (in the boot memory)}
    usage: dict
    model_image: str  # autodeploy.memory.boot: resident, copied (from boot_memory) or uploaded
    boot_memory: str

    def to_dict(self) -> dict:
        return asdict(self)


def input_staging_bytes(analysis: dict) -> int:
    """Bytes of the app's input staging buffer: every graph input, back to back."""
    return sum(t["bytes"] for t in analysis["inputs"])


def _firmware_ram_bytes(platform, memory: str) -> int:
    """What the firmware itself keeps in `memory`: stack, .data and .bss in the stack memory."""
    layout = platform.firmware
    return layout.stack_bytes + APP_STATIC_RAM_BYTES if memory == layout.stack_memory else 0


def _room(platform, memory: str, purpose: str) -> int:
    """Bytes `memory` itself offers for `purpose` ("model" or "arena"); 0 if it cannot hold it:
    the usable budget, and never more than the memory's size minus the firmware's own RAM."""
    mem = platform.memories.get(memory)
    if mem is None or not mem.usable_for(purpose):
        return 0
    room = mem.size_bytes - _firmware_ram_bytes(platform, memory)
    return max(0, min(mem.usable_for(purpose), room))


def _load_image_room(platform, memory: str, purpose: str) -> int | None:
    """Bytes the boot memory offers for the load image of a model copied to `memory`; None when
    a model there needs no load image."""
    if purpose != "model" or memory not in platform.memories:
        return None
    if model_image(platform, memory) != COPIED:
        return None
    return platform.memories[platform.boot_memory].usable_bytes


def _capacity(platform, memory: str, purpose: str) -> int:
    """Bytes `memory` offers for `purpose`, the model's load image in the boot memory included."""
    room = _room(platform, memory, purpose)
    image_room = _load_image_room(platform, memory, purpose)
    return room if image_room is None else min(room, image_room)


def _choose(platform, wanted: str, nbytes: int, purpose: str, preference, what: str) -> str:
    need = f"the {purpose}{' and input staging' if purpose == 'arena' else ''}"
    if wanted != "auto":
        memory = platform.memories.get(wanted)
        if memory is None or not memory.usable_for(purpose):
            able = [m for m in preference if _capacity(platform, m, purpose)]
            raise PlacementError(
                f"{what}: {platform.name} cannot put the {purpose} in {wanted}; "
                f"memories that can: {', '.join(able)}."
            )
        room = _room(platform, wanted, purpose)
        if nbytes > room:
            beside = ""
            if room < memory.usable_for(purpose):  # the firmware's own RAM is what limits
                firmware = _firmware_ram_bytes(platform, wanted)
                beside = f" besides the firmware's stack, .data and .bss ({firmware:,})"
            raise PlacementError(
                f"{what}: {need} need {nbytes:,} bytes but {wanted} on {platform.name} "
                f"has {room:,} usable bytes{beside} ({nbytes - room:,} too many). Choose "
                f"another {purpose}_location or 'auto', or make the model smaller."
            )
        image_room = _load_image_room(platform, wanted, purpose)
        if image_room is not None and nbytes > image_room:
            boot = platform.boot_memory
            raise PlacementError(
                f"{what}: the model in {wanted} needs a load image of {nbytes:,} bytes in "
                f"{boot}, the boot memory the start-up copies it from, but {boot} on "
                f"{platform.name} has {image_room:,} usable bytes ({nbytes - image_room:,} too "
                f"many). Choose another model_location or 'auto', or make the model smaller."
            )
        return wanted
    for memory in preference:
        if nbytes <= _capacity(platform, memory, purpose):
            return memory
    best = max(preference, key=lambda m: _capacity(platform, m, purpose))
    raise PlacementError(
        f"{what}: {need} need {nbytes:,} bytes, more than any memory of "
        f"{platform.name} can hold (largest: {best}, {_capacity(platform, best, purpose):,} "
        "usable bytes). Use a smaller model or a board with more memory."
    )


def _choose_other(platform, nbytes: int, purpose: str, taken: str, what: str) -> str:
    """The auto choice for `purpose` among the memories other than `taken`."""
    preference = MODEL_PREFERENCE if purpose == "model" else ARENA_PREFERENCE
    others = tuple(m for m in preference if m != taken)
    return _choose(platform, "auto", nbytes, purpose, others, what)


def place(
    platform,
    model_bytes: int,
    arena_bytes: int,
    model_location: str = "auto",
    arena_location: str = "auto",
    max_arena_size: int | None = None,
    what: str = "model",
    staging_bytes: int = 0,
) -> Placement:
    """Decide both locations; `what` names the model/variant in error messages."""
    if max_arena_size is not None and arena_bytes > max_arena_size:
        raise PlacementError(
            f"{what}: the arena plan needs {arena_bytes:,} bytes, more than its max_arena_size "
            f"of {max_arena_size:,}. Raise max_arena_size or reduce the model's activations."
        )
    arena_side = arena_bytes + align(staging_bytes)
    arena_loc = _choose(platform, arena_location, arena_side, "arena", ARENA_PREFERENCE, what)
    model_loc = _choose(platform, model_location, model_bytes, "model", MODEL_PREFERENCE, what)
    if model_loc == arena_loc:
        capacity = _capacity(platform, model_loc, "arena")
        if model_bytes + arena_side > capacity:
            # whichever side is "auto" moves to its next preference; the model first
            if model_location == "auto":
                model_loc = _choose_other(platform, model_bytes, "model", arena_loc, what)
            elif arena_location == "auto":
                arena_loc = _choose_other(platform, arena_side, "arena", model_loc, what)
            else:
                raise PlacementError(
                    f"{what}: model ({model_bytes:,} bytes) and arena with input staging "
                    f"({arena_side:,} bytes) together need {model_bytes + arena_side:,} bytes in "
                    f"{model_loc}, which has {capacity:,} usable bytes on {platform.name}. "
                    "Move one of them."
                )
    image = model_image(platform, model_loc)
    boot = platform.boot_memory
    usage = {}
    for name in platform.memories:
        usage[name] = {
            "usable": max(_room(platform, name, "model"), _room(platform, name, "arena")),
            "model": model_bytes if name == model_loc else 0,
            "arena": arena_side if name == arena_loc else 0,
            "load_image": model_bytes if image == COPIED and name == boot else 0,
        }
    return Placement(
        model_loc, arena_loc, model_bytes, arena_bytes, staging_bytes, usage, image, boot
    )


def place_model(
    platform,
    analysis: dict,
    model_location: str,
    arena_location: str,
    max_arena_size: int | None,
    what: str,
) -> Placement:
    """place() for the model an analysis describes (its model data, arena plan and inputs)."""
    return place(
        platform,
        analysis["totals"]["model_data_bytes"],
        analysis["memory_plan"]["arena_bytes"],
        model_location,
        arena_location,
        max_arena_size,
        what=what,
        staging_bytes=input_staging_bytes(analysis),
    )
