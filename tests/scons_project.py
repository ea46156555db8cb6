"""A temporary copy of the project for end-to-end SCons runs, and parsing of the build log.

Every builder logs one `[step] target` line when it runs, so a test can tell exactly which
steps a build executed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
COPIED = (
    "SConstruct",
    "site_scons",
    "builders",
    "models.yaml",
    "platforms",
    "models",
    "firmware",
    "scripts",
    "emulator",
    "requirements-labgrid.txt",  # what a labgrid: DEVICE installs on first use
)
STEP_LINE = re.compile(r"^\[(?P<step>[\w-]+)\] (?P<target>\S+)$")


def copy_project(dest: Path) -> None:
    """Copy what a build reads (COPIED) from the working tree into `dest`, minus __pycache__."""
    for name in COPIED:
        src = PROJECT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, dest / name)
    plugins = PROJECT / ".tools" / "qemu-plugin"  # the QEMU plugin setup built, shared
    if plugins.is_dir():
        (dest / ".tools").mkdir(exist_ok=True)
        (dest / ".tools" / "qemu-plugin").symlink_to(plugins)


class SconsProject:
    def __init__(self, root: Path):
        self.root = root
        copy_project(root)

    def scons(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "SCons", "-Q", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"scons {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result

    @staticmethod
    def steps(result: subprocess.CompletedProcess) -> list[tuple[str, str]]:
        """(step, target) for every builder that ran, in log order."""
        found = []
        for line in result.stdout.splitlines():
            match = STEP_LINE.match(line.strip())
            if match:
                found.append((match["step"], match["target"]))
        return found

    def edit(self, relpath: str, old: str, new: str) -> None:
        path = self.root / relpath
        text = path.read_text()
        assert old in text, f"{old!r} not in {relpath}"
        path.write_text(text.replace(old, new, 1))
