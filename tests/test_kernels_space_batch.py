"""SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND: bit-exact against LiteRT's reference kernels (TFLM for
differing input/output quantization, which LiteRT refuses)."""

from __future__ import annotations

import numpy as np

from tests.support.native_harness import assert_bit_exact_many, tflm_reference
from tests.support.tflite_builder import ModelBuilder


def _s2b(in_shape, block, pads, dtype="INT8", zp=-128, out_q=None):
    b = ModelBuilder()
    q = dict(scale=0.05, zero_point=zp) if dtype == "INT8" else {}
    x = b.tensor(in_shape, dtype, **q)
    n, spatial, c = in_shape[0], in_shape[1:-1], in_shape[-1]
    out_sp = [(d + p[0] + p[1]) // k for d, p, k in zip(spatial, pads, block, strict=True)]
    y = b.tensor([n * int(np.prod(block)), *out_sp, c], dtype, **(out_q or q))
    bs = b.const(np.array(block, np.int32))
    pd = b.const(np.array(pads, np.int32).reshape(len(block), 2))
    b.op("SPACE_TO_BATCH_ND", [x, bs, pd], [y], "SpaceToBatchNDOptions", {})
    return b.build([x], [y])


def _b2s(in_shape, block, crops, dtype="INT8", zp=7):
    b = ModelBuilder()
    q = dict(scale=0.05, zero_point=zp) if dtype == "INT8" else {}
    x = b.tensor(in_shape, dtype, **q)
    n, spatial, c = in_shape[0], in_shape[1:-1], in_shape[-1]
    out_sp = [d * k - cr[0] - cr[1] for d, cr, k in zip(spatial, crops, block, strict=True)]
    y = b.tensor([n // int(np.prod(block)), *out_sp, c], dtype, **q)
    bs = b.const(np.array(block, np.int32))
    cr = b.const(np.array(crops, np.int32).reshape(len(block), 2))
    b.op("BATCH_TO_SPACE_ND", [x, bs, cr], [y], "BatchToSpaceNDOptions", {})
    return b.build([x], [y])


def test_space_to_batch_bit_exact():
    cases = [
        ("2x2 no pad", _s2b([1, 4, 4, 3], [2, 2], [[0, 0], [0, 0]])),
        ("2x2 pad zp -128", _s2b([1, 5, 3, 2], [2, 2], [[1, 0], [0, 1]])),
        ("2x2 pad zp 127", _s2b([2, 3, 3, 1], [2, 2], [[1, 0], [2, 1]], zp=127)),
        ("3x2 big pad", _s2b([1, 4, 5, 3], [3, 2], [[2, 3], [1, 2]], zp=-9)),
        ("1x3", _s2b([2, 2, 4, 5], [1, 3], [[0, 0], [1, 1]], zp=0)),
        ("dilation-style", _s2b([1, 6, 6, 8], [2, 2], [[2, 2], [2, 2]], zp=-3)),
        ("3-d", _s2b([2, 5, 3], [2], [[1, 2]], zp=40)),
        ("3-d no pad", _s2b([1, 6, 2], [3], [[0, 0]])),
        ("int32", _s2b([1, 3, 4, 2], [2, 2], [[0, 1], [1, 1]], dtype="INT32")),
        ("float", _s2b([1, 2, 3, 1], [2, 3], [[1, 1], [0, 0]], dtype="FLOAT32")),
    ]
    assert_bit_exact_many(cases, n_inputs=2)


def test_batch_to_space_bit_exact():
    cases = [
        ("2x2 no crop", _b2s([4, 2, 2, 3], [2, 2], [[0, 0], [0, 0]])),
        ("2x2 crop", _b2s([4, 3, 3, 2], [2, 2], [[1, 0], [0, 1]])),
        ("2x2 crop batch 2", _b2s([8, 3, 2, 1], [2, 2], [[1, 1], [2, 1]], zp=-128)),
        ("3x2", _b2s([6, 3, 3, 4], [3, 2], [[2, 1], [1, 0]], zp=127)),
        ("1x3", _b2s([3, 2, 2, 5], [1, 3], [[0, 0], [2, 1]])),
        ("dilation-style", _b2s([4, 5, 5, 8], [2, 2], [[2, 2], [2, 2]])),
        ("3-d", _b2s([4, 3, 3], [2], [[1, 0]])),
        ("3-d no crop", _b2s([3, 2, 2], [3], [[0, 0]])),
        ("int32", _b2s([4, 2, 3, 2], [2, 2], [[0, 1], [1, 0]], dtype="INT32")),
        ("float", _b2s([6, 2, 2, 1], [2, 3], [[0, 0], [1, 2]], dtype="FLOAT32")),
    ]
    assert_bit_exact_many(cases, n_inputs=2)


def test_space_to_batch_different_quantization_matches_tflm():
    # No padding here: the TFLM host interpreter fills padding with an uninitialized value
    # (its pad value is never set), so only the copied bytes are comparable.
    out_q = dict(scale=0.2, zero_point=11)
    cases = [("s2b q", _s2b([1, 4, 2, 2], [2, 2], [[0, 0], [0, 0]], zp=-2, out_q=out_q))]
    assert_bit_exact_many(cases, n_inputs=2, reference=tflm_reference)
