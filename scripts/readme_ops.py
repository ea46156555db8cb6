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
    from autodeploy.codegen.lower.registry import opcodes_for_dtype, supported_opcodes

    ops = ", ".join(sorted(supported_opcodes()))
    int16 = ", ".join(sorted(opcodes_for_dtype("INT16")))
    text = (
        f"Supported ops ({len(supported_opcodes())}, from the lowering registry; the analysis "
        f"names any parameter combination a kernel does not cover): {ops}."
    )
    text16 = (
        f"With 16-bit activations (TFLite's 16x8) these have int16 kernels: {int16}; the "
        "data-movement ops move int16 like any type, QUANTIZE also turns float32 and int8 into "
        "int16 and DEQUANTIZE takes int16."
    )
    return "\n\n".join(
        "\n".join(textwrap.wrap(t, 100, break_on_hyphens=False)) for t in (text, text16)
    )


def with_ops(readme: str) -> str:
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[:start] + "\n" + ops_paragraph() + "\n" + readme[end:]


if __name__ == "__main__":
    README.write_text(with_ops(README.read_text()))
