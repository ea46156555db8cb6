"""Run one conversion in the tool environment and write its report."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .. import atomic, children
from ..errors import AutodeployError

TOOL_ENV = "convert"
WORKER = Path(__file__).resolve().parent / "worker.py"
#: Creating the tool environment downloads ~300 MB of wheels on first use.
ENV_TIMEOUT_S = 3600
CONVERT_TIMEOUT_S = 1800


class ConversionError(AutodeployError):
    """The float model could not be converted; the message says which file and why."""


def source_kind(source: Path) -> str:
    if source.is_dir():
        return "saved_model"
    return {".keras": "keras", ".h5": "keras", ".onnx": "onnx"}[source.suffix]


def tool_python(project_dir: Path, name: str = TOOL_ENV) -> Path:
    """The interpreter of the tool environment `name`, created on first use."""
    script = project_dir / "scripts" / "tool-env.sh"
    result = children.run(
        ["bash", str(script), name], timeout=ENV_TIMEOUT_S, capture_output=True, text=True
    )
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise ConversionError(
            f"could not create the tool environment '{name}' (scripts/tool-env.sh {name}; "
            f"it installs scripts/tools/{name}.txt from the package index): {tail}"
        )
    return Path(result.stdout.strip().splitlines()[-1])


def convert(spec, project_dir: Path, output: Path, report: Path) -> dict:
    """Convert spec.source into `output` (.tflite); write `report` (JSON) and return it."""
    python = tool_python(project_dir)
    with tempfile.TemporaryDirectory(prefix="convert-") as work:
        work_dir = Path(work)
        request = {
            "source": str(spec.source),
            "kind": source_kind(spec.source),
            "calibration": str(spec.calibration),
            "quantize": spec.quantize,
            "output": str(work_dir / "model.tflite"),
            "report": str(work_dir / "report.json"),
            "work_dir": str(work_dir),
        }
        (work_dir / "request.json").write_text(json.dumps(request))
        result = children.run(
            [str(python), str(WORKER), str(work_dir / "request.json")],
            timeout=CONVERT_TIMEOUT_S,
            capture_output=True,
            text=True,
            env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
        )
        if result.returncode != 0:
            errors = [ln for ln in result.stderr.splitlines() if ln.startswith("error: ")]
            detail = errors[-1].removeprefix("error: ") if errors else _tail(result.stderr)
            raise ConversionError(f"model '{spec.name}' (source {spec.source.name}): {detail}")
        data = json.loads((work_dir / "report.json").read_text())
        atomic.write_bytes(output, (work_dir / "model.tflite").read_bytes())
    data["source"] = spec.source.name
    data["kind"] = request["kind"]
    data["calibration"] = spec.calibration.name
    atomic.write_json(report, data)
    return data


def _tail(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return " | ".join(lines[-3:]) or "the conversion failed without a message"


def render_markdown(model: str, report: dict) -> str:
    """reports/<model>/convert.md: the float model against the quantized one."""
    lines = [
        f"# {model}: conversion",
        "",
        f"`{report['source']}` ({report['kind']}) -> int8 .tflite by TensorFlow "
        f"{report['tensorflow']} post-training full-integer quantization "
        f"({report['quantize']}), calibrated on {report['calibration_samples']} samples of "
        f"`{report['calibration']}`.",
        "",
        f"Float model against the quantized one (TFLite reference kernels) on "
        f"{report['compared_samples']} calibration samples:",
        "",
        "| Output | Max abs error | Cosine | Top-1 agreement |",
        "|---|---:|---:|---:|",
    ]
    for out in report["outputs"]:
        top1 = "–" if out["top1_agreement"] is None else f"{out['top1_agreement']:.1%}"
        lines.append(
            f"| {out['output']} | {out['max_abs_error']:.5g} | {out['cosine']:.6f} | {top1} |"
        )
    return "\n".join(lines) + "\n"
