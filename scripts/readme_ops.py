#!/usr/bin/env python3
"""Writes README.md's list of supported ops from the lowering registry (the one source of truth):
the text between `<!-- ops:begin -->` and `<!-- ops:end -->`. tests/test_readme_ops.py checks
that README.md is up to date.

Usage: .venv/bin/python scripts/readme_ops.py
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
README = PROJECT / "README.md"
BEGIN, END = "<!-- ops:begin -->", "<!-- ops:end -->"


def ops_paragraph() -> str:
    sys.path.insert(0, str(PROJECT / "site_scons"))
    from autodeploy.codegen.lower.registry import supported_opcodes

    ops = ", ".join(sorted(supported_opcodes()))
    text = (
        f"Supported ops ({len(supported_opcodes())}, from the lowering registry; the analysis "
        f"names any parameter combination a kernel does not cover): {ops}."
    )
    return "\n".join(textwrap.wrap(text, 100, break_on_hyphens=False))


def with_ops(readme: str) -> str:
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[:start] + "\n" + ops_paragraph() + "\n" + readme[end:]


if __name__ == "__main__":
    README.write_text(with_ops(README.read_text()))
