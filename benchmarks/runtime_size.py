#!/usr/bin/env python3
"""Per model: arena (plan vs lower bound), weights, and the code size of the runtime kernels the
model actually links, built with arm-none-eabi-gcc -Os for Cortex-M55. Prints a table.

The model's generated C and the runtime are compiled with -ffunction-sections and linked with
--gc-sections from `<model>_invoke`, so only reachable kernels count; their size is the sum of
the runtime objects' .text input sections in the linker map. Generated per-layer parameters and
constant data are reported apart (they are model data, not runtime code).

Usage: .venv/bin/python benchmarks/runtime_size.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "site_scons"))

from autodeploy.analysis.model_analysis import analyze_bytes  # noqa: E402
from autodeploy.codegen.generator import generate  # noqa: E402
from autodeploy.codegen.lower.registry import supported_opcodes  # noqa: E402
from autodeploy.config import load_config  # noqa: E402
from autodeploy.tflite.reader import parse_model  # noqa: E402

CC = "arm-none-eabi-gcc"
FLAGS = ["-Os", "-mcpu=cortex-m55", "-mthumb", "-mfloat-abi=hard", "-std=c99",
         "-ffunction-sections", "-fdata-sections"]  # fmt: skip
RUNTIME = PROJECT / "firmware" / "runtime"
MAP_LINE = re.compile(r"^ (\.text\S*)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+)$")


def compile_all(sources, out_dir: Path, prefix: str, includes) -> list[Path]:
    objects = []
    for src in sources:
        obj = out_dir / f"{prefix}{src.stem}.o"
        flags = [f"-I{path}" for path in includes]
        subprocess.run([CC, *FLAGS, *flags, "-c", str(src), "-o", str(obj)], check=True)
        objects.append(obj)
    return objects


def text_by_origin(map_file: Path) -> dict[str, int]:
    sizes = {"runtime": 0, "model": 0, "libc": 0}
    text = map_file.read_text()
    lines = text[text.index("Linker script and memory map") :].splitlines()  # skip discarded
    for i, line in enumerate(lines):
        match = MAP_LINE.match(line)
        if not match and line.startswith(" .text") and i + 1 < len(lines):
            match = MAP_LINE.match(line + lines[i + 1])  # long names wrap onto the next line
        if not match:
            continue
        size, origin = int(match[2], 16), match[3]
        key = "runtime" if "/rt_" in origin else "model" if "/gen_" in origin else "libc"
        sizes[key] += size
    return sizes


def main() -> None:
    config = load_config(PROJECT)
    print(f"{'model':14} {'arena':>9} {'bound':>9} {'ratio':>6} {'weights':>9} "
          f"{'runtime .text':>13} {'model .text':>11} {'libc .text':>10}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        runtime_objects = compile_all(
            sorted((RUNTIME / "src").glob("*.c")), work, "rt_", [RUNTIME / "include"]
        )
        for spec in config.models.values():
            data = spec.tflite.read_bytes()
            analysis = analyze_bytes(data, spec.tflite.name, supported_opcodes())
            generated = generate(parse_model(data, spec.tflite.name), analysis, spec.name)
            src = work / spec.name
            src.mkdir()
            for name, text in generated.files.items():
                (src / name).write_text(text)
            elf, map_file = src / "model.elf", src / "model.map"
            model_objects = compile_all(
                sorted(src.glob("*.c")), src, "gen_", [RUNTIME / "include", src]
            )
            subprocess.run(
                [CC, *FLAGS, *map(str, model_objects + runtime_objects),
                 "-nostartfiles", "--specs=nano.specs",
                 "--specs=nosys.specs", f"-Wl,-e,{spec.name}_invoke", "-Wl,--gc-sections",
                 f"-Wl,-Map,{map_file}", "-o", str(elf)],
                check=True,
            )  # fmt: skip
            sizes = text_by_origin(map_file)
            plan = analysis["memory_plan"]
            weights = analysis["totals"]["weight_bytes"]
            print(
                f"{spec.name:14} {plan['arena_bytes']:>9,} {plan['lower_bound_bytes']:>9,} "
                f"{plan['ratio']:>6.3f} {weights:>9,} {sizes['runtime']:>13,} "
                f"{sizes['model']:>11,} {sizes['libc']:>10,}"
            )


if __name__ == "__main__":
    main()
