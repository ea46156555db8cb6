"""Grouped bar charts of a sweep: one panel per model (models differ in scale), one group of bars
per placement (or the first other axis that varies), one bar colour per remaining combination
(toolchain, platform, CPU mode). Missing values (infeasible, no power) leave a marked gap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .figures import category_colours, new_figure, svg_bytes
from .formatting import significant

#: The columns in which variants of one model differ, in the order their labels are written.
PLACEMENT = ("Model Location", "Arena Location")
OTHERS = ("Platform", "Compiler", "CPU Mode", "Accelerator", "Memory Mode", "Optimise")

#: Extracts named values from a row: [(series suffix, value or None)].
Metric = Callable[[dict], list[tuple[str, float | None]]]


@dataclass(frozen=True)
class Layout:
    group_by: tuple[str, ...]  # columns naming a group of bars
    series_by: tuple[str, ...]  # columns naming a bar within a group


def layout(rows: list[dict]) -> Layout:
    """Group by the placement columns that vary; colour by the other columns that vary. If the
    placement does not vary, the first varying other column makes the groups."""
    varying = [c for c in PLACEMENT + OTHERS if len({r.get(c) for r in rows}) > 1]
    group_by = tuple(c for c in PLACEMENT if c in varying)
    series_by = tuple(c for c in OTHERS if c in varying)
    if not group_by and series_by:
        group_by, series_by = series_by[:1], series_by[1:]
    return Layout(group_by, series_by)


def _label(row: dict, columns: tuple[str, ...]) -> str:
    return " / ".join(str(row.get(c)) for c in columns)


def column(name: str) -> Metric:
    return lambda row: [("", row.get(name))]


def energy_metric(by_row_mode: bool) -> Metric:
    """The energy of the row's CPU mode when the sweep varies the mode, else both modes."""
    if by_row_mode:
        return lambda row: [("", row.get(f"{row.get('CPU Mode')} uJ"))]
    return lambda row: [("HP", row.get("HP uJ")), ("LP", row.get("LP uJ"))]


@dataclass(frozen=True)
class Missing:
    """A variant with no value in a chart (once per variant, whatever the number of bars)."""

    variant: str  # model / group / series
    why: str


def grouped_bars_svg(rows: list[dict], metric: Metric, unit: str) -> tuple[bytes, list[Missing]]:
    """The chart, and the bars it could not draw (for the caption)."""
    shape = layout(rows)
    models = list(dict.fromkeys(r["Model"] for r in rows))
    series_names = list(
        dict.fromkeys(
            _join(_label(r, shape.series_by), suffix) for r in rows for suffix, _ in metric(r)
        )
    )
    colours = category_colours(series_names)
    widest = max((sum(len(metric(r)) for r in rows if r["Model"] == m) for m in models), default=1)
    figure = new_figure(max(7.0, min(14.0, 2.5 + 0.32 * widest)), 0.9 + 2.6 * len(models))
    axes = figure.subplots(len(models), 1, squeeze=False)[:, 0]
    missing: list[Missing] = []
    for ax, model in zip(axes, models, strict=True):
        model_rows = [r for r in rows if r["Model"] == model]
        missing += _panel(ax, model, model_rows, shape, metric, list(colours.items()), unit)
    _legend(figure, [(s, colours[s]) for s in series_names if s], bool(missing))
    return svg_bytes(figure), list(dict.fromkeys(missing))


def _legend(figure, series: list[tuple[str, str]], missing: bool) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(color=colour, label=name) for name, colour in series]
    if missing:
        handles.append(
            Line2D([], [], color="#999999", marker="x", linestyle="", label="no value (caption)")
        )
    if handles:
        figure.legend(handles=handles, loc="outside upper center", ncols=min(3, len(handles)))


def _join(series: str, suffix: str) -> str:
    return " ".join(part for part in (series, suffix) if part)


def _panel(ax, model, rows, shape, metric, colours, unit) -> list[Missing]:
    """colours: (series, colour) in legend order; bars of a group follow that order."""
    order = {series: i for i, (series, _) in enumerate(colours)}
    colours = dict(colours)
    groups = list(dict.fromkeys(_label(r, shape.group_by) for r in rows))
    width, x, ticks, missing, drawn = 0.8, 0.0, [], [], 0
    heights = [v for r in rows for _, v in metric(r) if v is not None]
    top = max(heights, default=1.0)
    for group in groups:
        slots = sorted(
            (
                (r, _join(_label(r, shape.series_by), suffix), value)
                for r in rows
                if _label(r, shape.group_by) == group
                for suffix, value in metric(r)
            ),
            key=lambda slot: order[slot[1]],
        )
        start = x
        for row, series, value in slots:
            if value is None:
                ax.plot([x], [top * 0.03], marker="x", color="#999999", linestyle="")
                name = " / ".join(p for p in (model, group, _label(row, shape.series_by)) if p)
                missing.append(Missing(name, _why(row)))
            else:
                ax.bar(x, value, width=width, color=colours[series], gid=f"bar-{model}-{drawn}")
                drawn += 1
                ax.annotate(
                    significant(value, 3),
                    (x, value),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=6.5,
                    rotation=90 if len(slots) * len(groups) > 12 else 0,
                )
            x += 1.0
        ticks.append(((start + x - 1.0) / 2, group))
        x += 0.8  # gap between groups
    ax.set_xticks([t for t, _ in ticks], [g for _, g in ticks], fontsize=8)
    if sum(len(g) for _, g in ticks) > 90:
        ax.tick_params(axis="x", labelrotation=30)
    ax.set_ylabel(unit)
    ax.set_ylim(0, top * 1.25 if heights else 1.0)
    ax.set_title(model, loc="left")
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    if not heights:
        ax.text(0.5, 0.5, "no values for this model", transform=ax.transAxes, ha="center")
    return missing


def _why(row: dict) -> str:
    if row.get("Status") != "ok":
        return f"{row.get('Status')}: {row.get('Reason') or 'no reason given'}"
    return "not measured"
