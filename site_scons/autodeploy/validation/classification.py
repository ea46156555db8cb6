"""Classifier outputs: how often the board's top-1 class agrees with the reference's, and, with
labels, the accuracy of each side.

An output is a classifier's when it is one vector of scores (shape [C], [1, C], [1, 1, C], ...,
with C >= 2). Byte-exact outputs agree on every class; on random inputs many classifiers
saturate (all classes at the minimum but one), so agreement on real data is what shows the
decision boundary is exercised. Top-1 is the first index of the largest score, on both sides.
"""

from __future__ import annotations

import math

import numpy as np


def classifier_outputs(outputs: list[dict]) -> list[tuple[int, int]]:
    """(output index, classes) of each output that is one vector of class scores."""
    found = []
    for k, entry in enumerate(outputs):
        shape = list(entry["shape"])
        if shape and shape[-1] >= 2 and math.prod(shape[:-1]) == 1:
            found.append((k, shape[-1]))
    return found


def _top1(runs: list[list[np.ndarray]], output: int) -> np.ndarray:
    return np.array([int(np.argmax(np.asarray(run[output]).reshape(-1))) for run in runs])


def classification(
    outputs: list[dict], board_runs, reference_runs, labels: np.ndarray | None = None
) -> list[dict]:
    """Per classifier output: top-1 agreement between board and reference over the runs and,
    for the first classifier output when labels are given, the correct runs of each side."""
    results = []
    for position, (k, classes) in enumerate(classifier_outputs(outputs)):
        board, reference = _top1(board_runs, k), _top1(reference_runs, k)
        entry = {
            "output": k,
            "classes": classes,
            "runs": len(board),
            "top1_agree": int(np.count_nonzero(board == reference)),
            "distinct_top1_reference": len(set(reference.tolist())),
            "host_correct": None,
            "board_correct": None,
        }
        if labels is not None and position == 0:
            entry["host_correct"] = int(np.count_nonzero(reference == labels))
            entry["board_correct"] = int(np.count_nonzero(board == labels))
        results.append(entry)
    return results
