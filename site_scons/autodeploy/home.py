"""Where the tool's own files are: SConstruct, site_scons/site_tools, builders/, firmware/ and
platforms/ (the example boards).

In a checkout they sit around the engine (site_scons/autodeploy/), and the checkout is also the
project scons builds. An installed engine (`pip install .`) carries a copy of them as package
data in autodeploy/tool/ (setup.py puts it there), and the project is any folder with a
models.yaml whose SConstruct reads the tool's (written by `autodeploy init`).
"""

from __future__ import annotations

from pathlib import Path

from .errors import AutodeployError

ENGINE_DIR = Path(__file__).resolve().parent
_CHECKOUT = ENGINE_DIR.parent.parent  # site_scons/autodeploy -> the checkout
_INSTALLED = ENGINE_DIR / "tool"


def tool_root() -> Path:
    """The folder holding the tool's SConstruct, builders/, firmware/ and platforms/."""
    for root in (_CHECKOUT, _INSTALLED):
        if (root / "SConstruct").is_file() and (root / "firmware").is_dir():
            return root
    raise AutodeployError(
        f"the autodeploy tool's files (SConstruct, firmware/, builders/) are missing: looked in "
        f"{_CHECKOUT} and {_INSTALLED}; reinstall the tool (pip install <its checkout>)"
    )


def sconstruct() -> Path:
    return tool_root() / "SConstruct"


def platforms_dir() -> Path:
    """The example boards shipped with the tool (a project copies the ones it uses)."""
    return tool_root() / "platforms"
