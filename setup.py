"""Packaging (the metadata is in pyproject.toml). An installed engine needs the tool's own files,
which live around it in a checkout: SConstruct, site_scons/site_tools, builders/, firmware/,
platforms/ and the QEMU plugin's sources. A regular install copies them into the package as
autodeploy/tool/, where autodeploy.home finds them; an editable install (pip install -e .) uses
the checkout itself.

Build files go to .pybuild/, not build/, which is the SCons build's own folder.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

TOOL_FILES = (
    *("SConstruct", "site_scons/site_tools", "builders", "firmware", "platforms"),
    *("emulator", "scripts/build-qemu-plugin.sh"),  # our QEMU plugin and its build
)
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.o", "*.a", "*.elf")


class BuildWithToolFiles(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        here = Path(__file__).resolve().parent
        tool = Path(self.build_lib) / "autodeploy" / "tool"
        shutil.rmtree(tool, ignore_errors=True)
        for name in TOOL_FILES:
            source, target = here / name, tool / name
            if source.is_dir():
                shutil.copytree(source, target, ignore=SKIPPED)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)


# setuptools refuses an egg_base that does not exist yet (a fresh clone has no .pybuild/)
(Path(__file__).resolve().parent / ".pybuild").mkdir(exist_ok=True)

setup(
    cmdclass={"build_py": BuildWithToolFiles},
    options={"build": {"build_base": ".pybuild"}, "egg_info": {"egg_base": ".pybuild"}},
)
