"""The Jinja environment every generator renders its templates with (C, C++, Makefile, README)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined


@cache
def template_environment(folder: Path) -> Environment:
    """One environment per template folder, built once: compiling templates costs more than
    rendering them. Undefined names are errors, and block tags leave no blank lines."""
    return Environment(
        loader=FileSystemLoader(str(folder)),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
