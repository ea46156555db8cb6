"""Rendering of the page templates with HTML autoescaping, and atomic output of a page's files."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .. import atomic
from ..templating import template_environment

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _environment():
    """The shared environment of this template folder, with autoescape on: model names, notes and
    reasons come from the user's files and must not become markup."""
    return template_environment(TEMPLATES).overlay(autoescape=True)


def render_page(template: str, **context) -> str:
    return _environment().get_template(template).render(**context)


def write_files(out_dir: Path, files: dict[str, str | bytes]) -> None:
    """Write every file of a page atomically; the page itself (index.html) last, so a page on disk
    never points to a chart that is not there yet."""
    out_dir = Path(out_dir)
    for name, content in sorted(files.items(), key=lambda item: item[0] == "index.html"):
        data = content.encode("utf-8") if isinstance(content, str) else content
        atomic.write_bytes(out_dir / name, data)
