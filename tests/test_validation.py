"""Output comparison metrics: exact counts, differences, RMSE, cosine, first mismatch."""

import math

import numpy as np
import pytest

from autodeploy.validation.compare import compare_output, compare_outputs


def test_identical_outputs_are_exact():
    runs = [np.array([1, -2, 3], np.int8), np.array([0, 5, -128], np.int8)]
    c = compare_output(0, runs, [r.copy() for r in runs])
    assert c.exact and c.exact_runs == 2 and c.exact_elements == c.elements == 6
    assert c.max_abs_diff == c.mean_abs_diff == c.rmse == 0.0
    assert c.cosine == pytest.approx(1.0)
    assert c.first_mismatch is None


def test_differences_are_measured_as_numbers_not_bytes():
    ref = [np.array([0, 0, 0, 0], np.int8), np.array([10, 20, -128, 127], np.int8)]
    board = [np.array([0, 0, 0, 0], np.int8), np.array([10, 23, 127, 127], np.int8)]
    c = compare_output(1, board, ref)
    assert not c.exact
    assert (c.runs, c.exact_runs, c.elements, c.exact_elements) == (2, 1, 8, 6)
    assert c.max_abs_diff == 255.0  # -128 vs 127: int8 wrap-around must not hide the gap
    assert c.mean_abs_diff == pytest.approx(258 / 8)
    assert c.rmse == pytest.approx(math.sqrt((9 + 255**2) / 8))
    assert c.first_mismatch == {"run": 1, "element": 1, "board": 23, "reference": 20}
    a = np.array([0, 0, 0, 0, 10, 23, 127, 127], float)
    b = np.array([0, 0, 0, 0, 10, 20, -128, 127], float)
    assert c.cosine == pytest.approx(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_int64_outputs_are_compared_exactly_beyond_float64_precision():
    big = 1 << 60
    ref = [np.array([big, 7], np.int64)]
    c = compare_output(0, [np.array([big + 1, 7], np.int64)], ref)
    assert not c.exact and c.exact_elements == 1  # float64 sees the same number twice
    assert c.first_mismatch == {"run": 0, "element": 0, "board": big + 1, "reference": big}
    assert compare_output(0, [r.copy() for r in ref], ref).exact


def test_cosine_of_zero_vectors():
    zeros = [np.zeros(4, np.int8)]
    assert compare_output(0, zeros, zeros).cosine == 1.0
    assert compare_output(0, zeros, [np.array([0, 1, 0, 0], np.int8)]).cosine == 0.0


def test_per_output_and_shape_checks():
    ref = [[np.array([1, 2], np.int8), np.array([[3.0]], np.float32)]]
    board = [[np.array([1, 2], np.int8), np.array([3.5], np.float32)]]
    first, second = compare_outputs(board, ref)
    assert first.exact and not second.exact and second.max_abs_diff == 0.5
    assert second.to_dict()["exact"] is False
    with pytest.raises(ValueError, match="3 elements, expected 2"):
        compare_output(0, [np.zeros(3)], [np.zeros(2)])
