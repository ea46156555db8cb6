"""matplotlib set up for reproducible SVG: no pyplot (builders may draw in threads with scons -j),
a fixed hash salt and text kept as text, no timestamps."""

from __future__ import annotations

import io
import threading

_setup_lock = threading.Lock()
_ready = False

#: Palette for categories (op types, series): matplotlib's tab20 reordered so neighbours differ.
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
    "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
)  # fmt: skip


def _setup() -> None:
    """Set the process-wide rcParams once. They are read when a figure is saved, so changing them
    per figure (rc_context) would race between threads."""
    global _ready
    with _setup_lock:
        if _ready:
            return
        import matplotlib

        matplotlib.use("Agg")
        matplotlib.rcParams.update(
            {
                "svg.hashsalt": "autodeploy-report",  # stable clip-path and glyph ids
                "svg.fonttype": "none",  # text stays text: small, sharp, searchable
                "font.family": "DejaVu Sans",
                "font.size": 9,
                "axes.spines.top": False,
                "axes.spines.right": False,
                "axes.titlesize": 10,
                "axes.titleweight": "bold",
                "legend.fontsize": 8,
                "legend.frameon": False,
            }
        )
        _ready = True


def new_figure(width_in: float, height_in: float):
    """A Figure not registered with pyplot (thread-safe to draw and save)."""
    _setup()
    from matplotlib.figure import Figure

    return Figure(figsize=(width_in, height_in), layout="constrained")


def svg_bytes(figure) -> bytes:
    """The figure as SVG; identical bytes for identical input (no date in the metadata)."""
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def category_colours(names) -> dict[str, str]:
    """One colour per name, in the given order (cycling past the palette's 20)."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
