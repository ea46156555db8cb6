"""README.md lists exactly the registered ops (scripts/readme_ops.py writes the list)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from readme_ops import README, with_ops  # noqa: E402


def test_readme_lists_exactly_the_registered_ops():
    text = README.read_text()
    assert text == with_ops(text), "README.md is stale: run .venv/bin/python scripts/readme_ops.py"
