"""PAD / PADV2: bit-exact against LiteRT's reference kernels."""

from __future__ import annotations

import numpy as np

from tests.support.native_harness import assert_bit_exact_many
from tests.support.tflite_builder import ModelBuilder


def _pad(
    in_shape, pads, dtype="INT8", zp=0, scale=0.02, v2_value=None, pad_dtype=np.int32, out_q=None
):
    b = ModelBuilder()
    q = dict(scale=scale, zero_point=zp) if dtype == "INT8" else {}
    x = b.tensor(in_shape, dtype, **q)
    out_shape = [d + p0 + p1 for d, (p0, p1) in zip(in_shape, pads, strict=True)]
    y = b.tensor(out_shape, dtype, **(out_q or q))
    p = b.const(np.array(pads, pad_dtype).reshape(len(in_shape), 2))
    if v2_value is None:
        b.op("PAD", [x, p], [y], "PadOptions", {})
    else:
        np_t = {"INT8": np.int8, "INT32": np.int32, "FLOAT32": np.float32}[dtype]
        cv = b.tensor([], dtype, data=np.array(v2_value, np_t), **q)  # a true scalar
        b.op("PADV2", [x, p, cv], [y], "PadV2Options", {})
    return b.build([x], [y])


def test_pad_bit_exact():
    cases = [
        ("hw pad zp -128", _pad([1, 5, 7, 3], [[0, 0], [1, 2], [3, 0], [0, 0]], zp=-128)),
        ("hw pad zp 127", _pad([1, 4, 4, 8], [[0, 0], [1, 1], [1, 1], [0, 0]], zp=127)),
        ("channel pad", _pad([1, 3, 3, 5], [[0, 0], [0, 0], [0, 0], [2, 3]], zp=-5)),
        ("all dims", _pad([2, 3, 1, 2], [[1, 1], [2, 0], [0, 3], [1, 2]], zp=9)),
        ("batch only", _pad([1, 2, 2, 1], [[2, 1], [0, 0], [0, 0], [0, 0]], zp=-1)),
        ("no padding", _pad([1, 3, 5, 7], [[0, 0]] * 4, zp=4)),
        ("1-d", _pad([9], [[4, 5]], zp=-100)),
        ("2-d", _pad([3, 5], [[1, 0], [0, 2]], zp=50)),
        ("3-d", _pad([2, 3, 4], [[0, 1], [1, 1], [2, 0]], zp=1)),
        ("5-d", _pad([1, 2, 3, 2, 3], [[1, 0], [0, 1], [1, 1], [0, 2], [1, 0]], zp=-7)),
        ("1x1 big pad", _pad([1, 1, 1, 1], [[0, 0], [6, 5], [4, 7], [0, 0]], zp=33)),
        (
            "int64 paddings",
            _pad([1, 4, 3, 2], [[0, 0], [1, 1], [0, 2], [0, 0]], zp=-3, pad_dtype=np.int64),
        ),
        # LiteRT copies the bytes unchanged and pads with the output zero point.
        (
            "different in/out quantization",
            _pad(
                [1, 2, 3, 2],
                [[0, 0], [1, 1], [1, 0], [0, 0]],
                zp=3,
                out_q=dict(scale=0.5, zero_point=-9),
            ),
        ),
        ("int32 data", _pad([2, 3], [[1, 2], [3, 1]], dtype="INT32")),
        ("float data", _pad([2, 3, 2], [[0, 1], [1, 0], [1, 1]], dtype="FLOAT32")),
        ("padv2 int8", _pad([1, 3, 4, 2], [[0, 0], [2, 1], [1, 2], [0, 0]], zp=-20, v2_value=77)),
        (
            "padv2 int8 -128",
            _pad([1, 2, 2, 3], [[0, 0], [1, 1], [1, 1], [1, 0]], zp=10, v2_value=-128),
        ),
        ("padv2 int32", _pad([3, 2], [[1, 1], [0, 2]], dtype="INT32", v2_value=-123456)),
        ("padv2 float", _pad([2, 2], [[1, 0], [1, 1]], dtype="FLOAT32", v2_value=2.5)),
    ]
    assert_bit_exact_many(cases, n_inputs=2)
