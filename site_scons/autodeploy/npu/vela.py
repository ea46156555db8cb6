"""Run Vela on a .tflite and read back what it wrote: the compiled model, its summary and
per-layer CSVs, and the operators it left on the CPU with its reasons.

Vela runs in a child process of this interpreter (`python -m ethosu.vela`), not in the build's
own process: its C++ core (regor) prints the reasons for CPU fallbacks to file descriptor 1,
which cannot be captured in-process without also swallowing what other SCons threads print under
-j, and it crashes the process on some malformed inputs. The child costs ~0.3 s of start-up.
"""

from __future__ import annotations

import csv
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import children
from ..errors import AutodeployError
from ..tflite.reader import parse_model
from .system import VelaSetup

#: The custom op Vela puts the NPU's part of the graph in.
NPU_OP = "ethos-u"
TIMEOUT_S = 600

# "Warning (supported operators) operator: SHAPE, ofm: 'name'" then "Reason: ..." (and detail)
_WARNING = re.compile(r"^Warning \(supported operators\) operator: (\w+), ofm: '(.*)'$")
_OP_COUNT = re.compile(r"^(CPU|NPU) operators = (\d+)")


class VelaError(AutodeployError):
    """Vela rejected the model or failed; the message names the layer when Vela does."""


@dataclass(frozen=True)
class VelaOutput:
    """Files of one compile (fixed names in the output folder) and what Vela printed."""

    tflite: Path  # <name>_vela.tflite
    summary_csv: Path  # <name>_summary.csv
    per_layer_csv: Path  # <name>_per-layer.csv
    log: str


def output_names(name: str) -> tuple[str, str, str, str]:
    """The files a compile of model `name` leaves: Vela's model, its two CSVs, and its log."""
    return (f"{name}_vela.tflite", f"{name}_summary.csv", f"{name}_per-layer.csv", "vela.log")


def vela_version() -> str:
    from importlib.metadata import version

    return version("ethos-u-vela")


def compile_model(
    tflite: Path, shown: str, setup: VelaSetup, config_path: Path, out_dir: Path, name: str
) -> VelaOutput:
    """Compile `tflite` (named `shown` in messages) into out_dir/output_names(name)."""
    model = parse_model(tflite.read_bytes(), shown)  # Vela crashes on files it cannot parse
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".vela-") as work:
        work_dir = Path(work)
        command = [sys.executable, "-m", "ethosu.vela"]
        command += setup.arguments(config_path, work_dir, tflite)
        result = children.run(command, timeout=TIMEOUT_S, capture_output=True, text=True)
        log = (result.stdout or "") + (result.stderr or "")
        if result.returncode != 0:
            raise VelaError(failure_message(log, result.returncode, model, shown))
        stem = tflite.stem
        produced = (
            work_dir / f"{stem}_vela.tflite",
            work_dir / f"{stem}_summary_{setup.system_config}.csv",
            work_dir / f"{stem}_per-layer.csv",
        )
        missing = [p.name for p in produced if not p.is_file()]
        if missing:
            raise VelaError(f"{shown}: Vela exited 0 but did not write {', '.join(missing)}")
        names = output_names(name)
        targets = [out_dir / n for n in names[:3]]
        (work_dir / names[3]).write_text(log)
        for source, target in zip(
            (*produced, work_dir / names[3]), (*targets, out_dir / names[3]), strict=True
        ):
            shutil.move(source, target)  # same file system: an atomic rename
    return VelaOutput(*targets, log=log)


def failure_message(log: str, returncode: int, model, shown: str) -> str:
    """Vela's own error lines, with the layer (index and op) of every tensor name they mention."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()] or lines[-3:]
    how = f"exit status {returncode}" if returncode > 0 else f"killed by signal {-returncode}"
    message = f"{shown}: Vela failed ({how}): " + " | ".join(errors[-4:] or ["no output"])
    layers = layers_named_in(" ".join(errors), model)
    if layers:
        message += " -- " + "; ".join(layers)
    return message


def layers_named_in(text: str, model) -> list[str]:
    """'layer 12 (SOFTMAX, output 'Identity')' for each op whose output tensor `text` names."""
    graph = model.main
    found = []
    for op in graph.operators:
        for out in op.outputs:
            name = graph.tensors[out].name
            if name and f"'{name}'" in text or (name and f" {name} " in f" {text} "):
                found.append(f"layer {op.index} ({op.opcode}, output '{name}')")
    return found


def read_summary(path: Path) -> dict:
    """The one row of Vela's summary CSV, numbers as numbers."""
    with path.open(newline="") as f:
        row = next(csv.DictReader(f))
    return {k: _number(v) for k, v in row.items()}


def read_per_layer(path: Path) -> list[dict]:
    with path.open(newline="") as f:
        return [{k: _number(v) for k, v in row.items()} for row in csv.DictReader(f)]


def _number(text: str):
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text else value


def cpu_reasons(log: str) -> dict[str, str]:
    """Output tensor name -> the reason Vela printed for leaving that op on the CPU."""
    reasons: dict[str, str] = {}
    lines = log.splitlines()
    for i, line in enumerate(lines):
        match = _WARNING.match(line.strip())
        if not match:
            continue
        detail = []
        for follow in lines[i + 1 :]:
            follow = follow.strip()
            if not follow or _WARNING.match(follow) or _OP_COUNT.match(follow):
                break
            detail.append(follow.removeprefix("Reason: "))
        reasons[match.group(2)] = " ".join(detail) or "no reason given"
    return reasons


def operator_counts(log: str) -> dict[str, int]:
    """Vela's 'CPU operators = N' and 'NPU operators = N' (counted on the original graph)."""
    counts = {}
    for line in log.splitlines():
        match = _OP_COUNT.match(line.strip())
        if match:
            counts[match.group(1).lower()] = int(match.group(2))
    return counts


def cpu_layers(vela_tflite: Path, log: str, ignore_ops: tuple[str, ...]) -> list[dict]:
    """Every operator of Vela's output other than the NPU op, with Vela's reason, and whether
    our runtime has a kernel for it (it then runs on the core beside the NPU)."""
    from ..codegen.lower.registry import Unsupported, lower_operator

    model = parse_model(vela_tflite.read_bytes(), vela_tflite.name)
    reasons = cpu_reasons(log)
    graph = model.main
    layers = []
    for op in graph.operators:
        if op.opcode == "CUSTOM" and op.custom_code == NPU_OP:
            continue
        name = graph.tensors[op.outputs[0]].name if op.outputs else ""
        reason = reasons.get(name)
        if reason is None and op.opcode in ignore_ops:
            reason = "listed in vela_ignore_ops (Vela's --ignore-ops)"
        try:
            call = lower_operator(op, graph)
            kernel, problem = call.function, None
        except Unsupported as err:
            kernel, problem = None, err.detail
        layers.append(
            {
                "index": op.index,
                "op": op.custom_code if op.opcode == "CUSTOM" else op.opcode,
                "output": name,
                "reason": reason or "not stated by Vela",
                "our_kernel": kernel,
                "our_problem": problem,
            }
        )
    return layers


def npu_ops(vela_tflite: Path) -> int:
    model = parse_model(vela_tflite.read_bytes(), vela_tflite.name)
    return sum(op.custom_code == NPU_OP for op in model.main.operators)
