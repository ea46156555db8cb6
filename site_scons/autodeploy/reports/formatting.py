"""Number formatting and source labels shared by the pages (one precision rule everywhere)."""

from __future__ import annotations

import math

MISSING = "–"
ESTIMATED = "estimated on the emulator"
MEASURED = "measured on board"


def number(value, digits: int = 0) -> str:
    """Thousands separators; `digits` decimals for floats; a dash when there is no value."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) and digits == 0:
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def significant(value, digits: int = 4) -> str:
    """About `digits` significant figures (81.97, 2,287, 0.1297): enough to compare variants."""
    if value is None:
        return MISSING
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    return f"{value:,.{decimals}f}"


def kib(size_bytes) -> str:
    """Bytes as KB (K = 1024), one decimal."""
    if size_bytes is None:
        return MISSING
    if size_bytes == 0:
        return "0 KB"
    return f"{size_bytes / 1024:,.1f} KB"


def timing_label(source: str | None) -> str:
    """Short label of a timing source sentence: measured on board or estimated on the emulator."""
    if source is None:
        return MISSING
    return MEASURED if source.lower().startswith("measured") else ESTIMATED


def power_label(source: str | None) -> str:
    """'measured' only when the power source says so; anything else is a model, not a reading."""
    if source is None:
        return MISSING
    return "measured" if source.lower().startswith("measured") else "modelled"
