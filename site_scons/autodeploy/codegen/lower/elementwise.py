"""Lowering of int8 ADD, SUB, MUL, MINIMUM, MAXIMUM, SQUARED_DIFFERENCE and PRELU (with
broadcasting) to adrt kernels.

Quantization parameters reproduce TFLite's Prepare() (add.cc, sub.cc, mul.cc,
squared_difference.cc, activations.cc's PRELU) bit for bit,
including which products are float32 and which double. The int8 reference kernels apply the same
per-element arithmetic in their broadcast and non-broadcast paths, so the runtime uses one
iteration scheme for both: `broadcast_iteration` merges the (up to 6-D) shapes into at most six
loops whose innermost one is contiguous.
"""

from __future__ import annotations

import numpy as np

from autodeploy.codegen.kernel_call import CStruct, KernelCall
from autodeploy.codegen.lower._spatial import per_tensor
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.codegen.quant import UnsupportedActivation, activation_range, quantize_multiplier
from autodeploy.tflite.model import Operator, Subgraph, Tensor

MAX_DIMS = 6  # ADRT_BCAST_MAX_DIMS


def broadcast_iteration(
    shape1: tuple[int, ...], shape2: tuple[int, ...], out_shape: tuple[int, ...]
) -> CStruct:
    """adrt_bcast_t for `out = f(in1, in2)` with numpy/TFLite broadcasting.

    Dimensions of extent 1 are dropped, neighbours with the same broadcast pattern are merged,
    and the result is padded in front to MAX_DIMS loops. Strides are in elements.
    """
    rank = len(out_shape)
    if len(shape1) > rank or len(shape2) > rank:
        raise Unsupported(f"input shapes {shape1} and {shape2} have more dims than {out_shape}")
    a = (1,) * (rank - len(shape1)) + tuple(shape1)
    b = (1,) * (rank - len(shape2)) + tuple(shape2)
    if any(d == 0 for d in out_shape):
        dims = [1] * (MAX_DIMS - 1) + [0]
        zeros = [0] * MAX_DIMS
        return CStruct(
            (("dims", tuple(dims)), ("stride1", tuple(zeros)), ("stride2", tuple(zeros)))
        )
    dims: list[int] = []
    flags: list[tuple[bool, bool]] = []
    for da, db, do in zip(a, b, out_shape, strict=True):
        if da not in (1, do) or db not in (1, do) or (do != max(da, db)):
            raise Unsupported(f"shapes {shape1} and {shape2} do not broadcast to {out_shape}")
        if do == 1:
            continue
        f = (da == do, db == do)
        if flags and flags[-1] == f:
            dims[-1] *= do
        else:
            dims.append(do)
            flags.append(f)
    if not dims:
        dims, flags = [1], [(True, True)]
    if len(dims) > MAX_DIMS:
        raise Unsupported(f"broadcast of {shape1} and {shape2} needs {len(dims)} loops")

    def strides(which: int) -> list[int]:
        out = [0] * len(dims)
        acc = 1
        for k in range(len(dims) - 1, -1, -1):
            if flags[k][which]:
                out[k] = acc
                acc *= dims[k]
        return out

    pad = MAX_DIMS - len(dims)
    return CStruct(
        (
            ("dims", tuple([1] * pad + dims)),
            ("stride1", tuple([0] * pad + strides(0))),
            ("stride2", tuple([0] * pad + strides(1))),
        )
    )


def _binary_tensors(op: Operator, sg: Subgraph) -> tuple[Tensor, Tensor, Tensor]:
    if len(op.inputs) != 2 or len(op.outputs) != 1 or min(op.inputs) < 0:
        raise Unsupported(f"{op.opcode} with {len(op.inputs)} inputs, {len(op.outputs)} outputs")
    t1, t2 = sg.tensors[op.inputs[0]], sg.tensors[op.inputs[1]]
    to = sg.tensors[op.outputs[0]]
    types = (t1.dtype, t2.dtype, to.dtype)
    if types != ("INT8", "INT8", "INT8"):
        raise Unsupported(f"{op.opcode} {'/'.join(types)} (only int8)")
    return t1, t2, to


def _activation_range(op: Operator, out: Tensor, scale: float, zero_point: int):
    act = op.options.get("fused_activation_function", "NONE")
    try:
        return activation_range(act, scale, zero_point, out.dtype)
    except UnsupportedActivation as e:
        raise Unsupported(str(e)) from e


def _smaller_than_one(real: float, what: str) -> tuple[int, int]:
    """QuantizeMultiplierSmallerThanOneExp; TFLite refuses the model otherwise."""
    if not 0.0 < real < 1.0:
        raise Unsupported(f"{what} multiplier {real} not in (0, 1)")
    m, s = quantize_multiplier(real)
    if s > 0:
        raise Unsupported(f"{what} multiplier {real} not in (0, 1)")
    return m, s


def _rescaled_pair(
    t1: Tensor, t2: Tensor, to: Tensor, left_shift: int, output_scale_of
) -> tuple[list, tuple[int, int]]:
    """ADD/SUB and SQUARED_DIFFERENCE rescale both inputs to twice the larger input scale after
    `left_shift`: the params from the broadcast to input 2's shift, and the output multiplier of
    `output_scale_of(twice_max, output scale)`. The max and its doubling are float32 (exact), the
    ratios double, as in add.cc / sub.cc / squared_difference.cc."""
    s1, z1 = per_tensor(t1, "input 1")
    s2, z2 = per_tensor(t2, "input 2")
    so, _ = per_tensor(to, "output")
    twice_max = float(np.float32(2.0) * max(np.float32(s1), np.float32(s2)))
    m1, sh1 = _smaller_than_one(s1 / twice_max, "input 1")
    m2, sh2 = _smaller_than_one(s2 / twice_max, "input 2")
    # LiteRT refuses (ADD), mis-computes (SUB: a negative rounding shift) or aborts on
    # (SQUARED_DIFFERENCE) an output multiplier >= 1.
    output = _smaller_than_one(output_scale_of(twice_max, so), "output")
    params = [
        ("bcast", broadcast_iteration(t1.shape, t2.shape, to.shape)),
        ("input1_offset", -z1),
        ("input2_offset", -z2),
        ("left_shift", left_shift),
        ("input1_multiplier", m1),
        ("input1_shift", sh1),
        ("input2_multiplier", m2),
        ("input2_shift", sh2),
    ]
    return params, output


def add_sub_params(op: Operator, t1: Tensor, t2: Tensor, to: Tensor, left_shift: int) -> list:
    """adrt_add_s8_params_t fields of ADD/SUB (also the int16 kernels', with a left shift of
    15 instead of 20), as add.cc / sub.cc's Prepare computes them."""
    # (1 << left_shift) * output scale is a float32 product.
    params, (mo, sho) = _rescaled_pair(
        t1, t2, to, left_shift,
        lambda twice_max, so: twice_max / float(np.float32(1 << left_shift) * np.float32(so)),
    )  # fmt: skip
    so, zo = per_tensor(to, "output")
    act_min, act_max = _activation_range(op, to, so, zo)
    return params + [
        ("output_multiplier", mo),
        ("output_shift", sho),
        ("output_offset", zo),
        ("act_min", act_min),
        ("act_max", act_max),
    ]


def mul_params(op: Operator, t1: Tensor, t2: Tensor, to: Tensor) -> list:
    """adrt_mul_s8_params_t fields of MUL (also the int16 kernel's), as mul.cc computes them."""
    s1, z1 = per_tensor(t1, "input 1")
    s2, z2 = per_tensor(t2, "input 2")
    so, zo = per_tensor(to, "output")
    # mul.cc: input1 scale * input2 scale / output scale, all in float32.
    real = float(np.float32(np.float32(s1) * np.float32(s2)) / np.float32(so))
    m, sh = quantize_multiplier(real)
    act_min, act_max = _activation_range(op, to, so, zo)
    return [
        ("bcast", broadcast_iteration(t1.shape, t2.shape, to.shape)),
        ("input1_offset", -z1),
        ("input2_offset", -z2),
        ("output_multiplier", m),
        ("output_shift", sh),
        ("output_offset", zo),
        ("act_min", act_min),
        ("act_max", act_max),
    ]


@register("ADD", "SUB")
def lower_add_sub(op: Operator, sg: Subgraph) -> KernelCall:
    t1, t2, to = _binary_tensors(op, sg)
    params = add_sub_params(op, t1, t2, to, left_shift=20)
    fn = "adrt_add_s8" if op.opcode == "ADD" else "adrt_sub_s8"
    return KernelCall(fn, "adrt_add_s8_params_t", params, tuple(op.inputs), tuple(op.outputs))


@register("MUL")
def lower_mul(op: Operator, sg: Subgraph) -> KernelCall:
    t1, t2, to = _binary_tensors(op, sg)
    params = mul_params(op, t1, t2, to)
    return KernelCall(
        "adrt_mul_s8", "adrt_mul_s8_params_t", params, tuple(op.inputs), tuple(op.outputs)
    )


@register("MINIMUM", "MAXIMUM")
def lower_min_max(op: Operator, sg: Subgraph) -> KernelCall:
    # TFLite compares the raw int8 values and ignores the quantization parameters.
    t1, t2, to = _binary_tensors(op, sg)
    params = [("bcast", broadcast_iteration(t1.shape, t2.shape, to.shape))]
    fn = "adrt_minimum_s8" if op.opcode == "MINIMUM" else "adrt_maximum_s8"
    return KernelCall(fn, "adrt_minmax_s8_params_t", params, tuple(op.inputs), tuple(op.outputs))


@register("SQUARED_DIFFERENCE")
def lower_squared_difference(op: Operator, sg: Subgraph) -> KernelCall:
    t1, t2, to = _binary_tensors(op, sg)
    left_shift = 7  # (255 << 7)^2 still fits in int32
    # twice_max^2 / ((1 << 14) * output scale), the denominator a float32 product.
    params, (mo, sho) = _rescaled_pair(
        t1, t2, to, left_shift,
        lambda twice_max, so: (
            twice_max * twice_max / float(np.float32(1 << (2 * left_shift)) * np.float32(so))
        ),
    )  # fmt: skip
    params += [
        ("output_multiplier", mo),
        ("output_shift", sho),
        ("output_offset", per_tensor(to, "output")[1]),
        ("act_min", -128),
        ("act_max", 127),
    ]
    return KernelCall(
        "adrt_squared_difference_s8",
        "adrt_add_s8_params_t",
        params,
        tuple(op.inputs),
        tuple(op.outputs),
    )


@register("PRELU")
def lower_prelu(op: Operator, sg: Subgraph) -> KernelCall:
    x, alpha, y = _binary_tensors(op, sg)
    sx, zx = per_tensor(x, "input")
    sa, za = per_tensor(alpha, "alpha")
    sy, zy = per_tensor(y, "output")
    if tuple(y.shape) != tuple(x.shape):
        raise Unsupported(f"PRELU output {list(y.shape)} for input {list(x.shape)}")
    # activations.cc: both ratios are float32 expressions, widened to double.
    m1, sh1 = quantize_multiplier(float(np.float32(sx) / np.float32(sy)))
    m2, sh2 = quantize_multiplier(
        float(np.float32(np.float32(sx) * np.float32(sa)) / np.float32(sy))
    )
    params = [
        ("bcast", broadcast_iteration(x.shape, alpha.shape, y.shape)),
        ("input_offset", -zx),
        ("alpha_offset", -za),
        ("identity_multiplier", m1),
        ("identity_shift", sh1),
        ("alpha_multiplier", m2),
        ("alpha_shift", sh2),
        ("output_offset", zy),
    ]
    return KernelCall(
        "adrt_prelu_s8", "adrt_prelu_s8_params_t", params, tuple(op.inputs), tuple(op.outputs)
    )
