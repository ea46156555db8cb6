"""PAD and PADV2 with constant paddings -> adrt_pad (up to 5 dimensions after merging)."""

from __future__ import annotations

import numpy as np

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.lower.reshape import (
    const_ints,
    copy_operands,
    int_array,
    zero_point,
)
from autodeploy.tflite.model import Operator, Subgraph

PAD_DIMS = 5


def merge_unpadded(dims: list[int], before: list[int], after: list[int]):
    """Merge each dimension with its inner neighbour when that neighbour is not padded (the
    padding of the outer one then counts in blocks of the inner size). Fewer dimensions and
    longer contiguous copies, same result."""
    d, b, a = list(dims), list(before), list(after)
    i = len(d) - 2
    while i >= 0:
        if b[i + 1] == 0 and a[i + 1] == 0:
            inner = d[i + 1]
            d[i : i + 2] = [d[i] * inner]
            b[i : i + 2] = [b[i] * inner]
            a[i : i + 2] = [a[i] * inner]
        i -= 1
    return d, b, a


@register("PAD", "PADV2")
def lower_pad(op: Operator, sg: Subgraph) -> KernelCall:
    x, y, es = copy_operands(op, sg)
    rank = len(x.shape)
    pads = const_ints(op, sg, op.inputs[1], "paddings")
    if len(pads) != 2 * rank:
        raise Unsupported(f"{op.opcode}: {len(pads)} padding values for rank {rank}")
    before, after = pads[0::2], pads[1::2]
    if min(pads, default=0) < 0:
        raise Unsupported(f"{op.opcode} with negative paddings {pads}")
    expected = tuple(b + d + a for b, d, a in zip(before, x.shape, after, strict=True))
    if tuple(y.shape) != expected:
        raise Unsupported(f"{op.opcode}: output shape {list(y.shape)}, expected {list(expected)}")
    # Like LiteRT and TFLM, data bytes are copied unchanged even if input and output
    # quantization differ; the padding takes the output zero point.
    pad_value = zero_point(y)
    if op.opcode == "PADV2" and len(op.inputs) > 2 and op.inputs[2] >= 0:
        cv = sg.tensors[op.inputs[2]]
        if not cv.is_constant or cv.num_elements != 1:
            raise Unsupported("PADV2 with non-constant or non-scalar constant_values")
        if cv.dtype != x.dtype:
            raise Unsupported(f"PADV2 with {cv.dtype} constant_values on {x.dtype} data")
        if x.dtype == "FLOAT32":
            pad_value = int(np.frombuffer(cv.data, np.int32)[0])  # the float's bit pattern
        elif x.dtype in ("INT8", "INT16", "INT32"):
            pad_value = int(
                np.frombuffer(
                    cv.data, {"INT8": np.int8, "INT16": np.int16, "INT32": np.int32}[x.dtype]
                )[0]
            )
        else:
            raise Unsupported(f"PADV2 on {x.dtype}")

    dims, before, after = merge_unpadded(list(x.shape) or [1], before or [0], after or [0])
    if len(dims) > PAD_DIMS:
        raise Unsupported(f"{op.opcode} padding {len(dims)} non-adjacent dimensions")
    lead = PAD_DIMS - len(dims)
    dims, before, after = [1] * lead + dims, [0] * lead + before, [0] * lead + after
    params = [
        ("elem_size", es),
        ("pad_value", pad_value),
        ("in_dims", int_array(dims)),
        ("pad_before", int_array(before)),
        ("pad_after", int_array(after)),
    ]
    return KernelCall("adrt_pad", "adrt_pad_params_t", params, (op.inputs[0],), (op.outputs[0],))
