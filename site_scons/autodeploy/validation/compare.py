"""Compares a board's outputs with the host reference's, output by output over all runs.

Values are compared as numbers, not bytes: exactness in each output's own type (int64 values
beyond 2^53 stay distinct), distances in float64. The summary says how many elements and runs
match exactly and, when they do not, how far apart they are."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class OutputComparison:
    output: int
    runs: int
    exact_runs: int
    elements: int
    exact_elements: int
    max_abs_diff: float
    mean_abs_diff: float
    rmse: float
    cosine: float  # of the board and reference vectors over all runs; 1.0 for two equal zeros
    first_mismatch: dict | None  # {"run", "element", "board", "reference"} or None

    @property
    def exact(self) -> bool:
        return self.exact_runs == self.runs

    def to_dict(self) -> dict:
        return asdict(self) | {"exact": self.exact}


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0.0 or nb == 0.0:
        # a zero vector has no direction: equal vectors agree fully, otherwise not at all
        return 1.0 if np.array_equal(a, b) else 0.0
    return float(np.dot(a, b) / (na * nb))


def compare_output(index: int, board_runs, reference_runs) -> OutputComparison:
    """board_runs / reference_runs: one array per run for output `index` (same element count)."""
    if len(board_runs) != len(reference_runs):
        raise ValueError(f"{len(board_runs)} board runs but {len(reference_runs)} reference runs")
    board = [np.asarray(r, dtype=np.float64).reshape(-1) for r in board_runs]
    ref = [np.asarray(r, dtype=np.float64).reshape(-1) for r in reference_runs]
    for run, (b, r) in enumerate(zip(board, ref, strict=True)):
        if b.size != r.size:
            raise ValueError(f"output {index} run {run}: {b.size} elements, expected {r.size}")
    same = [
        np.asarray(b).reshape(-1) == np.asarray(r).reshape(-1)
        for b, r in zip(board_runs, reference_runs, strict=True)
    ]
    first = None
    exact_runs = 0
    for run, equal in enumerate(same):
        wrong = np.flatnonzero(~equal)
        if wrong.size == 0:
            exact_runs += 1
        elif first is None:
            element = int(wrong[0])
            first = {
                "run": run,
                "element": element,
                "board": _number(board_runs[run], element),
                "reference": _number(reference_runs[run], element),
            }
    all_b = np.concatenate(board) if board else np.zeros(0)
    all_r = np.concatenate(ref) if ref else np.zeros(0)
    diff = np.abs(all_b - all_r)
    return OutputComparison(
        output=index,
        runs=len(board),
        exact_runs=exact_runs,
        elements=int(all_b.size),
        exact_elements=int(sum(np.count_nonzero(equal) for equal in same)),
        max_abs_diff=float(diff.max()) if diff.size else 0.0,
        mean_abs_diff=float(diff.mean()) if diff.size else 0.0,
        rmse=float(np.sqrt(np.mean(diff**2))) if diff.size else 0.0,
        cosine=_cosine(all_b, all_r),
        first_mismatch=first,
    )


def _number(values, element: int):
    return np.asarray(values).reshape(-1)[element].item()


def compare_outputs(board_runs, reference_runs) -> list[OutputComparison]:
    """board_runs[run][output] and reference_runs[run][output] -> one comparison per output."""
    if not board_runs:
        return []
    n_outputs = len(reference_runs[0])
    return [
        compare_output(k, [run[k] for run in board_runs], [run[k] for run in reference_runs])
        for k in range(n_outputs)
    ]
