"""Renders the TFLM sources of a model (templates/ *.j2) from the .tflite bytes."""

from __future__ import annotations

import hashlib
import importlib.metadata
from dataclasses import dataclass
from pathlib import Path

from autodeploy.templating import template_environment
from autodeploy.tflite.reader import parse_model
from autodeploy.tflm.measure import smallest_arena, softmax_scale_fix, with_margin
from autodeploy.tflm.ops import resolver_methods, resource_variables

TEMPLATES = Path(__file__).parent / "templates"
FILES = {
    "{}_model_data.h": "model_data.h.j2",
    "{}_model_data.cc": "model_data.cc.j2",
    "{}_tflm.h": "tflm.h.j2",
    "{}_tflm.cc": "tflm.cc.j2",
}


@dataclass
class TflmSources:
    files: dict[str, str]  # file name -> text
    methods: list[str]  # the resolver's AddXxx calls
    smallest_arena: int  # bytes, host bisection
    arena_bytes: int  # emitted constant


def _byte_lines(data: bytes) -> str:
    rows = (data[i : i + 16] for i in range(0, len(data), 16))
    return ",\n".join("    " + ", ".join(f"0x{b:02x}" for b in row) for row in rows)


def render_tflm(name: str, data: bytes, opcodes: set[str], model_path: str) -> TflmSources:
    """TFLM sources for model `name`; `opcodes` is the op set of the unfolded graph."""
    methods = resolver_methods(opcodes, model_path)
    measured, notes = softmax_scale_fix(data)
    smallest = smallest_arena(measured, model_path)
    values = {
        "name": name,
        "guard": name.upper(),
        "camel": "".join(part.capitalize() for part in name.split("_")),
        "model_path": model_path,
        "sha256": hashlib.sha256(data).hexdigest(),
        "data": _byte_lines(data),
        "data_len": len(data),
        "methods": methods,
        "resource_variables": resource_variables(parse_model(data, model_path)),
        "smallest": smallest,
        "arena": with_margin(smallest),
        "notes": notes,
        "tflm_version": importlib.metadata.version("tflite-micro"),
    }
    env = template_environment(TEMPLATES)
    files = {
        pattern.format(name): env.get_template(template).render(values)
        for pattern, template in FILES.items()
    }
    return TflmSources(files, methods, smallest, values["arena"])
