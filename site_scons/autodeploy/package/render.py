"""Text of the package's files: README.md, the example's Makefile and example_data.c."""

from __future__ import annotations

from pathlib import Path

from autodeploy.board.emulator import starts_at_entry
from autodeploy.errors import AutodeployError
from autodeploy.firmware import toolchains
from autodeploy.firmware.linker import ARENA_SECTIONS, MODEL_SECTIONS
from autodeploy.memory.boot import COPIED, RESIDENT, UPLOADED
from autodeploy.templating import template_environment

from .capture import EXACT_KINDS, CapturedExample

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: The example is built with GNU Arm GCC whatever compiled the library (one ABI, see toolchains).
EXAMPLE_COMPILER = toolchains.toolchain("gcc")
BYTES_PER_LINE = 16


class PackageError(AutodeployError):
    """The package cannot be written (e.g. the reference disagrees with the model's I/O)."""


def _c_bytes(data: bytes) -> list[str]:
    """Lines of `0x..,` initialisers, BYTES_PER_LINE bytes a line."""
    return [
        " ".join(f"0x{b:02x}," for b in data[i : i + BYTES_PER_LINE])
        for i in range(0, len(data), BYTES_PER_LINE)
    ]


def render_example_data(model: str, analysis: dict, captured: CapturedExample) -> str:
    """example_data.c: the model descriptor, the captured inputs and the expected outputs."""
    for kind, tensors, data in (
        ("input", analysis["inputs"], captured.inputs),
        ("output", analysis["outputs"], captured.outputs),
    ):
        sizes = [t["bytes"] for t in tensors]
        if sizes != [len(d) for d in data]:
            raise PackageError(
                f"{model}: the host reference's {kind} sizes {[len(d) for d in data]} differ "
                f"from the model's {sizes}; rebuild {model}-analyze and report the model"
            )
    return (
        template_environment(TEMPLATES)
        .get_template("example_data.c.j2")
        .render(
            model=model,
            captured=captured,
            inputs=[_c_bytes(d) for d in captured.inputs],
            outputs=[_c_bytes(d) for d in captured.outputs],
        )
    )


def render_makefile(model: str, platform, board_sources: list[str], board_include: list[str]):
    """The example's Makefile; paths are relative to the example folder."""
    flags = [f for f in EXAMPLE_COMPILER.cflags(platform) if f != "-Werror"]
    return (
        template_environment(TEMPLATES)
        .get_template("Makefile.j2")
        .render(
            model=model,
            platform=platform,
            compiler=EXAMPLE_COMPILER.compiler,
            objcopy=toolchains.OBJCOPY,
            cflags=" ".join(flags),
            ldflags=" ".join(toolchains.link_flags(platform)),
            libs=" ".join(f"-l{lib}" for lib in toolchains.LIBS),
            board_sources=board_sources,
            board_include=board_include,
        )
    )


def placement_snippet(placement: dict) -> str:
    """GNU ld output sections placing the model's constants and arena per `placement`: where
    the model runs and, when that is RAM the start-up copies it to, where its load image is."""
    model, boot = placement["model_location"], placement["boot_memory"]
    placed = {
        COPIED: f"> {model} AT > {boot}  /* runs from {model}; load image in {boot} */",
        UPLOADED: f"> {model}  /* no load image: your code fills it before init */",
        RESIDENT: f"> {model}  /* runs where the flash tool writes it */",
    }[placement["model_image"]]
    return f"""\
    /* Before the generic .rodata and .bss output sections: the first matching rule wins. */
    .adrt_model : ALIGN(16)
    {{
        *({MODEL_SECTIONS})
        . = ALIGN(16);
    }} {placed}

    .adrt_arena (NOLOAD) :
    {{
        . = ALIGN(16);
        *({ARENA_SECTIONS})
    }} > {placement["arena_location"]}
"""


def render_readme(
    model: str,
    analysis: dict,
    placement: dict,
    platform,
    toolchain: dict,
    target: str,
    reference_kind: str,
    seed: int,
) -> str:
    """README.md: what to call, buffer sizes, where arena and weights live, how to place them.

    toolchain: {"name", "version"} of the compiler that built the library; target: "emulator"
    or "board" (whose memory map the example's linker script uses)."""
    return (
        template_environment(TEMPLATES)
        .get_template("README.md.j2")
        .render(
            model=model,
            upper=model.upper(),
            analysis=analysis,
            placement=placement,
            platform=platform,
            arch_flags=" ".join(platform.arch_flags),
            toolchain=toolchain,
            target=target,
            reference_kind=reference_kind,
            exact=reference_kind in EXACT_KINDS,
            seed=seed,
            snippet=placement_snippet(placement),
            model_sections=MODEL_SECTIONS,
            arena_sections=ARENA_SECTIONS,
            machine=platform.emulator.machine if platform.emulator else None,
            start_at_entry=bool(platform.emulator) and starts_at_entry(platform),
        )
    )
