"""Per-memory size report of a linked firmware image, read from the ELF's headers.

ROM bytes of a memory: contents the loader writes there (text, rodata, model constants and the
load image of .data), found by load address. RAM bytes: what the program writes there at run
time (data, bss, arena, input staging, stack), found by run address. .data counts in both: its
image in the code memory and its run copy in RAM.
"""

from __future__ import annotations

from autodeploy.errors import PlacementError
from autodeploy.firmware.elf import Elf

NOTE = (
    "Load-and-run image: every loaded section sits at its run address and the ELF loader "
    "(QEMU, or a board's flash tool) fills it; only .data is copied at startup from its image "
    "in the code memory. Lengths are the real board's sizes."
)

#: Output sections of our linker script, by what they hold.
CATEGORIES = {
    ".text": "text",
    ".ARM.extab": "text",
    ".ARM.exidx": "text",
    ".rodata": "rodata",
    ".adrt_model": "model",
    ".data": "data",
    ".bss": "bss",
    ".adrt_arena": "arena",
    ".adrt_staging": "staging",
    ".stack": "stack",
}
ROM_KINDS = ("text", "rodata", "model", "data", "other")
RAM_KINDS = ("data", "bss", "arena", "staging", "stack", "other")


def size_report(elf: Elf, regions: dict) -> dict:
    """`regions`: name -> linker.Region. Returns a JSON-able dict (see module doc)."""
    out = {
        name: {
            "origin": r.origin,
            "length": r.length,
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
        if s.loaded and load_in:
            out[load_in]["rom"][kind] += s.size
        if s.writable and run_in:
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
    return {"note": NOTE, "regions": out, "sections": sections}


class BudgetError(PlacementError):
    """The linked image puts more model data or arena in a memory than its usable budget."""


def check_budgets(report: dict, platform, image: str) -> None:
    """The real board's usable budgets (reserves subtracted), checked on the linked image.

    Placement checks them before the build from the analysis's estimate; this is the exact
    check, with the layer parameters and the app's input staging buffer included.
    """
    problems = []
    for name, entry in report["regions"].items():
        memory = platform.memories.get(name)
        if memory is None:
            continue
        model = entry["rom"]["model"]
        arena = entry["ram"]["arena"] + entry["ram"]["staging"]
        checks = (
            ("model data", model, memory.usable_for("model") if model else 0),
            ("arena and input staging", arena, memory.usable_for("arena") if arena else 0),
            ("model data, arena and input staging", model + arena, memory.usable_bytes),
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
        "| memory | ROM: text | rodata | model | data | RAM: data | bss | arena "
        "| staging | stack |",
        "|---|" + "---:|" * 9,
    ]
    for name, r in report["regions"].items():
        rom, ram = r["rom"], r["ram"]
        cells = [rom[k] for k in ("text", "rodata", "model", "data")]
        cells += [ram[k] for k in ("data", "bss", "arena", "staging", "stack")]
        lines.append(f"| {name} | " + " | ".join(f"{c:,}" for c in cells) + " |")
    return "\n".join(lines) + "\n"
