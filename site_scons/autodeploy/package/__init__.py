"""The model as a static library package: lib<model>.a, its API header, a README and a
stand-alone example project (see builders/library.py for the files and their folder)."""

from .capture import CapturedExample, capture_example
from .render import (
    placement_snippet,
    render_example_data,
    render_makefile,
    render_readme,
)

__all__ = [
    "CapturedExample",
    "capture_example",
    "placement_snippet",
    "render_example_data",
    "render_makefile",
    "render_readme",
]
