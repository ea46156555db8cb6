"""The three charts of a variant page: time per layer, MACs against time, and the memory map."""

from __future__ import annotations

from .figures import category_colours, new_figure, svg_bytes

#: What lives in a memory region, from sizes.json's rom/ram split: (label, colour, keys).
#: Code, constants and the model count in RAM too when the start-up copies them there (or the
#: host uploads the model); the boot memory then holds their load images.
MEMORY_PARTS = (
    ("code", "#4c72b0", (("rom", "text"), ("ram", "text"))),
    ("constants", "#8172b2", (("rom", "rodata"), ("ram", "rodata"))),
    ("model", "#dd8452", (("rom", "model"), ("ram", "model"))),
    ("data", "#937860", (("rom", "data"), ("ram", "data"))),
    ("bss", "#8c8c8c", (("ram", "bss"),)),
    ("arena", "#55a868", (("ram", "arena"),)),
    ("staging", "#64b5cd", (("ram", "staging"),)),
    ("stack", "#c44e52", (("ram", "stack"),)),
    ("other", "#dadada", (("rom", "other"), ("ram", "other"))),
)
FREE_COLOUR = "#f2f2f2"
FIGURE_WIDTH_IN = 9.5  # 912 px in a browser: the page's text width


def layer_op(tag: str) -> str:
    """'12_DEPTHWISE_CONV_2D' -> 'DEPTHWISE_CONV_2D' (tags are '<index>_<OP>')."""
    index, sep, op = tag.partition("_")
    return op if sep and index.isdigit() else tag


def op_colours(layers: list[dict]) -> dict[str, str]:
    """A colour per op type, the most time-consuming first (the legend's order)."""
    totals: dict[str, float] = {}
    for layer in layers:
        op = layer_op(layer["tag"])
        totals[op] = totals.get(op, 0.0) + layer["us"]
    return category_colours(sorted(totals, key=lambda op: (-totals[op], op)))


def _time_unit(max_us: float) -> tuple[str, float]:
    return ("ms", 1000.0) if max_us >= 1000 else ("µs", 1.0)


def layer_time_svg(layers: list[dict], colours: dict[str, str], source: str) -> bytes:
    """One horizontal bar per layer, first layer on top, coloured by op; tall enough that every
    layer keeps a readable label (0.16 in a layer)."""
    n = len(layers)
    unit, scale = _time_unit(max((la["us"] for la in layers), default=0.0))
    total = sum(la["us"] for la in layers) or 1.0
    figure = new_figure(FIGURE_WIDTH_IN, max(2.6, 1.3 + 0.16 * n))
    ax = figure.add_subplot()
    for i, layer in enumerate(layers):
        op = layer_op(layer["tag"])
        ax.barh(i, layer["us"] / scale, height=0.75, color=colours[op], gid=f"layer-{i}")
        share = layer["us"] / total
        if share >= 0.01:
            ax.annotate(
                f"{share:.0%}",
                (layer["us"] / scale, i),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=7,
                color="#555555",
            )
    ax.set_yticks(range(n), [la["tag"] for la in layers], fontsize=7 if n > 30 else 8)
    ax.set_ylim(n - 0.5, -0.5)
    ax.margins(x=0.08)
    ax.set_xlabel(f"time per layer ({unit}, {source}); labels: share of the inference")
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    _op_legend(figure, ax, colours)
    return svg_bytes(figure)


def _op_legend(figure, ax, colours: dict[str, str]) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(color=c, label=op) for op, c in colours.items()]
    figure.legend(
        handles=handles, loc="outside upper center", ncols=min(4, len(handles)), title="op type"
    )


def macs_time_svg(layers: list[dict], colours: dict[str, str], source: str) -> bytes:
    """Estimated MACs against time per layer, log-log; layers without a MAC estimate (element-wise,
    pooling, ...) cannot sit on a log axis and get their own narrow panel on the left."""
    with_macs = [la for la in layers if la["macs"] > 0]
    without = [la for la in layers if la["macs"] <= 0]
    figure = new_figure(FIGURE_WIDTH_IN, 5.2)
    if without:
        zero_ax, ax = figure.subplots(1, 2, sharey=True, width_ratios=[1, 7])
    else:
        zero_ax, ax = None, figure.add_subplot()
    for op in colours:
        points = [la for la in with_macs if layer_op(la["tag"]) == op]
        if points:
            _points(ax, [la["macs"] for la in points], points, colours[op], f"points-{op}")
        zero = [la for la in without if layer_op(la["tag"]) == op]
        if zero:
            _points(zero_ax, [0.0] * len(zero), zero, colours[op], f"zero-{op}")
    ax.set_yscale("log")
    ax.set_xlabel("estimated MACs per layer")
    if with_macs:
        ax.set_xscale("log")
        _average_rate_line(ax, with_macs)
    else:
        ax.text(0.5, 0.5, "no layer has a MAC estimate", transform=ax.transAxes, ha="center")
    ax.grid(color="#e5e5e5", linewidth=0.6)
    if zero_ax is not None:
        zero_ax.set_xticks([0.0], ["0"])
        zero_ax.set_xlim(-1, 1)
        zero_ax.set_xlabel("no MACs")
        zero_ax.set_ylabel(f"time per layer (µs, {source})")
        zero_ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    else:
        ax.set_ylabel(f"time per layer (µs, {source})")
    _op_legend(figure, ax, colours)
    return svg_bytes(figure)


def _points(ax, xs: list, layers: list[dict], colour: str, gid: str) -> None:
    """One scatter point per layer at (xs, its time); gid lets tests count them in the SVG."""
    ax.scatter(
        xs, [la["us"] for la in layers], s=22, color=colour, edgecolors="white",
        linewidths=0.4, gid=gid,
    )  # fmt: skip


def _average_rate_line(ax, with_macs: list[dict]) -> None:
    """Points above the line run slower than the model's average MAC rate."""
    macs = sum(la["macs"] for la in with_macs)
    us = sum(la["us"] for la in with_macs)
    if us <= 0:
        return
    rate = macs / us
    low = min(la["macs"] for la in with_macs) / 2
    high = max(la["macs"] for la in with_macs) * 2
    ax.plot(
        [low, high],
        [low / rate, high / rate],
        linestyle=":",
        color="#666666",
        linewidth=1,
        label=f"average of the MAC layers: {rate:,.1f} MACs/µs",
    )
    ax.legend(loc="upper left")


def memory_map_svg(regions: dict[str, dict]) -> bytes:
    """Per memory region, one stacked bar of what the firmware puts there, on the region's own
    scale (0 to its size), with how full it is."""
    names = list(regions)
    figure = new_figure(FIGURE_WIDTH_IN, 0.9 + 0.85 * max(1, len(names)))
    axes = figure.subplots(max(1, len(names)), 1, squeeze=False)[:, 0]
    used_parts = set()
    for ax, name in zip(axes, names, strict=False):
        region = regions[name]
        length_kb = region["length"] / 1024
        ax.barh(0, length_kb, height=0.6, color=FREE_COLOUR, edgecolor="#bbbbbb", linewidth=0.6)
        left = 0.0
        for label, colour, keys in MEMORY_PARTS:
            size = sum(region[side].get(key, 0) for side, key in keys)
            if size <= 0:
                continue
            used_parts.add(label)
            ax.barh(0, size / 1024, left=left, height=0.6, color=colour, gid=f"mem-{name}-{label}")
            left += size / 1024
        full = region["used"] / region["length"] if region["length"] else 0.0
        ax.set_xlim(0, length_kb)
        ax.set_ylim(-0.5, 0.5)
        ax.set_yticks([0], [name], fontsize=9, fontweight="bold")
        ax.set_title(
            f"{region['used'] / 1024:,.1f} KB of {length_kb:,.0f} KB used ({full:.1%})",
            loc="right",
            fontsize=8,
            fontweight="normal",
        )
        ax.tick_params(axis="x", labelsize=7)
    axes[-1].set_xlabel("KB from the start of the region (each region on its own scale)")
    from matplotlib.patches import Patch

    handles = [Patch(color=c, label=label) for label, c, _ in MEMORY_PARTS if label in used_parts]
    handles.append(Patch(facecolor=FREE_COLOUR, edgecolor="#bbbbbb", label="free"))
    figure.legend(handles=handles, loc="outside lower center", ncols=min(5, len(handles)))
    return svg_bytes(figure)
