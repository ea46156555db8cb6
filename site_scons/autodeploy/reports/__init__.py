"""Static HTML reports: a page per variant, per sweep and an index, with SVG charts.

Pure functions of the report data (profile.json, power.json, sizes.json, placement.json and the
result-log rows); the SCons builders call them. matplotlib is imported only when a chart is drawn,
so reading the engine at SCons start-up stays fast."""

from .index_page import write_index_page
from .sweep_page import SWEEP_PAGE_FILES, write_sweep_page
from .variant_page import VARIANT_PAGE_FILES, write_variant_page

__all__ = [
    "SWEEP_PAGE_FILES",
    "VARIANT_PAGE_FILES",
    "write_index_page",
    "write_sweep_page",
    "write_variant_page",
]
