"""Where model data and the arena go on a platform, following the reference tool's rules.

auto model location: TCM if it fits, else MRAM, else SRAM, else PSRAM.
auto arena location: TCM if it fits, else SRAM, else PSRAM.
If both end up in TCM but together exceed it, the model moves to MRAM.
An explicit location that cannot hold the bytes is an error naming memory, usable size and need.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from autodeploy.errors import PlacementError

MODEL_PREFERENCE = ("TCM", "MRAM", "SRAM", "PSRAM")
ARENA_PREFERENCE = ("TCM", "SRAM", "PSRAM")


@dataclass(frozen=True)
class Placement:
    model_location: str
    arena_location: str
    model_bytes: int
    arena_bytes: int
    # memory name -> {"usable": bytes, "model": bytes, "arena": bytes}
    usage: dict

    def to_dict(self) -> dict:
        return asdict(self)


def _capacity(platform, memory: str, purpose: str) -> int:
    """Usable bytes of `memory` for `purpose` ("model" or "arena"); 0 if it cannot hold it."""
    mem = platform.memories.get(memory)
    return mem.usable_for(purpose) if mem else 0


def _choose(platform, wanted: str, nbytes: int, purpose: str, preference, what: str) -> str:
    if wanted != "auto":
        capacity = _capacity(platform, wanted, purpose)
        if not capacity:
            able = [m for m in preference if _capacity(platform, m, purpose)]
            raise PlacementError(
                f"{what}: {platform.name} cannot put the {purpose} in {wanted}; "
                f"memories that can: {', '.join(able)}."
            )
        if nbytes > capacity:
            raise PlacementError(
                f"{what}: the {purpose} needs {nbytes:,} bytes but {wanted} on {platform.name} "
                f"has {capacity:,} usable bytes ({nbytes - capacity:,} too many). Choose another "
                f"{purpose}_location or 'auto', or make the model smaller."
            )
        return wanted
    for memory in preference:
        if nbytes <= _capacity(platform, memory, purpose):
            return memory
    best = max(preference, key=lambda m: _capacity(platform, m, purpose))
    raise PlacementError(
        f"{what}: the {purpose} needs {nbytes:,} bytes, more than any memory of "
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
) -> Placement:
    """Decide both locations; `what` names the model/variant in error messages."""
    if max_arena_size is not None and arena_bytes > max_arena_size:
        raise PlacementError(
            f"{what}: the arena plan needs {arena_bytes:,} bytes, more than its max_arena_size "
            f"of {max_arena_size:,}. Raise max_arena_size or reduce the model's activations."
        )
    arena_loc = _choose(platform, arena_location, arena_bytes, "arena", ARENA_PREFERENCE, what)
    model_loc = _choose(platform, model_location, model_bytes, "model", MODEL_PREFERENCE, what)
    if model_loc == arena_loc:
        capacity = _capacity(platform, model_loc, "arena")
        if model_bytes + arena_bytes > capacity:
            # whichever side is "auto" moves to its next preference; the model first
            if model_location == "auto":
                model_loc = _choose_other(platform, model_bytes, "model", arena_loc, what)
            elif arena_location == "auto":
                arena_loc = _choose_other(platform, arena_bytes, "arena", model_loc, what)
            else:
                raise PlacementError(
                    f"{what}: model ({model_bytes:,} bytes) and arena ({arena_bytes:,} bytes) "
                    f"together need {model_bytes + arena_bytes:,} bytes in {model_loc}, which "
                    f"has {capacity:,} usable bytes on {platform.name}. Move one of them."
                )
    usage = {}
    for name in platform.memories:
        usage[name] = {
            "usable": max(_capacity(platform, name, "model"), _capacity(platform, name, "arena")),
            "model": model_bytes if name == model_loc else 0,
            "arena": arena_bytes if name == arena_loc else 0,
        }
    return Placement(model_loc, arena_loc, model_bytes, arena_bytes, usage)
