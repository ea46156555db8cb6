"""Result rows: one per profiled or power-measured variant, for the result log
(reports/results.csv, kept across runs) and the sweeps' results.csv."""

from .columns import KEY_COLUMNS, LOG_COLUMNS, SWEEP_COLUMNS
from .log import read_rows, upsert_rows, write_rows
from .row import RowContext, infeasible_row, variant_row

__all__ = [
    "KEY_COLUMNS",
    "LOG_COLUMNS",
    "SWEEP_COLUMNS",
    "RowContext",
    "infeasible_row",
    "read_rows",
    "upsert_rows",
    "variant_row",
    "write_rows",
]
