"""The text of `scons -h`: declared models, platforms, sweeps and target names, one line each."""

from __future__ import annotations

from autodeploy.sweeps import expand

TARGETS = (
    ("<model>-convert", "float model (source:) -> int8 .tflite + reports/<model>/convert.md"),
    ("convert-all", "every model that is converted from a float model"),
    ("<model>-analyze", "reports/<model>/analysis.md, analysis.json, layers.csv"),
    ("analyze-all", "the analysis of every model"),
    ("<model>-sources", "generated C for the AOT runtime in build/<model>/<target>/src/"),
    ("sources-all", "generated C of every model (default: analyze-all and sources-all)"),
    ("<model>-firmware", "validator firmware: build/<model>/<variant>/ (ELF, map, sizes.md)"),
    ("firmware-all", "the firmware of every model"),
    ("<model>-profile", "run on the board or emulator: reports/<model>/<variant>/profile.*"),
    ("profile-all", "profile every model"),
    ("<model>-tflm", "TensorFlow Lite Micro sources in build/<model>/tflm/ (array, ops, arena)"),
    ("tflm-all", "the TFLM sources of every model"),
    ("<model>-lib", "lib<model>.a, header, README, example: build/<model>/<variant>/package/"),
    ("lib-all", "the library package of every model whose image carries its weights (not PSRAM)"),
    (
        "<model>-vela",
        "Vela for the board's Ethos-U NPU: reports/<model>/<variant>/vela.md (estimates)",
    ),
    ("vela-all", "the Vela compile of every model on a board with an NPU"),
    ("<model>-mlek", "ML Embedded Evaluation Kit folder: build/<model>/<variant>/mlek/"),
    ("mlek-all", "the MLEK folder of every model on a board with an NPU"),
    ("<model>-power", "time, energy, power per CPU mode: reports/<model>/<key>/power.*"),
    ("power-all", "power of every model not in PSRAM (modelled on emulator, measured: DEVICE=)"),
    ("<model>-report", "HTML page of profile, power, memory map: reports/<model>/<variant>/"),
    ("report-all", "the HTML page of every model"),
    ("sweep-<name>", "every variant of a sweep + reports/sweeps/<name>/results.csv, index.html"),
    ("sweep-<name>-profile", "only the profile of every variant of a sweep (e.g. on a farm)"),
    ("sweep-all", "every sweep"),
    ("reports", "reports/index.html over every model's page and every sweep (builds them all)"),
)


def help_text(config) -> str:
    lines = ["Usage: scons [TARGET ...] [-j N]", "", "Targets:"]
    lines += [f"  {name:<22} {what}" for name, what in TARGETS]
    lines += ["", "Models (models.yaml):"]
    for spec in config.models.values():
        lines.append(
            f"  {spec.name:<22} {spec.tflite.name} on {spec.platform} ({spec.toolchain}; model "
            f"{spec.model_location}, arena {spec.arena_location})"
        )
    lines += ["", "Platforms (platforms/*.yaml):"]
    for platform in config.platforms.values():
        memories = ", ".join(platform.memories)
        npu = f"; NPU {platform.npu.accelerator}" if platform.npu else ""
        lines.append(f"  {platform.name:<22} {platform.core}{npu}; memories {memories}")
    lines += ["", "Sweeps (models.yaml):"]
    if not config.sweeps:
        lines.append("  (none declared)")
    for sweep in config.sweeps.values():
        axes = ", ".join(f"{axis}={len(values)}" for axis, values in sweep.axes.items())
        count = len(expand(sweep, config))
        lines.append(
            f"  sweep-{sweep.name:<16} {count} variants: models {', '.join(sweep.models)}; {axes}"
        )
    lines += [
        "",
        "Options:",
        "  DEVICE=<pyserial url>  profile on a real board (/dev/ttyACM0, rfc2217://host:port)",
        "                         instead of the emulator; the platform needs board_support",
        "  MLEK_LOG=<file>        with <model>-mlek: a board's inference_runner console log;",
        "                         its NPU cycles go beside Vela's estimate (npu_measured.md)",
        "  CYCLE_ESTIMATE=off     emulated profile and power times as instructions / clock,",
        "                         without the QEMU plugin's cycle estimate (model; default on)",
        "  CACHE_DIR=<folder>     share built files and measured reports between checkouts",
        "                         (SCons CacheDir; or set AUTODEPLOY_CACHE_DIR)",
        "  SCons' own (scons -H), e.g. -j N to build in parallel, -k to keep going past a",
        "  failed variant, -n to preview.",
        "",
        "Every profile or power run adds or replaces its row in reports/results.csv.",
    ]
    return "\n".join(lines) + "\n"
