"""MUL, ADD and SUB on the DSP target: adrt_dsp_mul_s8 / adrt_dsp_add_s8
(firmware/runtime/src/dsp/elementwise.c), for broadcasts that are rows of outputs (the same
shape, a per-channel or per-pixel operand, a scalar), with TFLite's double roundings as SMMULR
records whose exactness the build checks from the operands' bounds."""

from __future__ import annotations

import dataclasses

from autodeploy.codegen.kernel_call import CStruct, KernelCall
from autodeploy.codegen.variants.dsp._requant import fast_record
from autodeploy.codegen.variants.registry import LayerContext, variant

#: |input - zero point| of an int8 input
INPUT_BOUND = 255
#: TFLite's int8 ADD shifts the offset inputs left by 20 before rescaling them
ADD_LEFT_SHIFT = 20


def _rows(call: KernelCall) -> CStruct | None:
    """The broadcast as rows of outputs, or None when it needs more than two loop levels."""
    b = dict(call.param("bcast").fields)
    dims, s1, s2 = b["dims"], b["stride1"], b["stride2"]
    if any(d != 1 for d in dims[:4]):
        return None
    fields = {
        "rows": dims[4],
        "n": dims[5],
        "row_step1": s1[4],
        "row_step2": s2[4],
        "step1": s1[5],
        "step2": s2[5],
    }
    return CStruct(tuple(fields.items()))


def _requant(record: tuple[int, ...]) -> CStruct:
    return CStruct(tuple(zip(("multiplier", "left1", "round", "right1"), record, strict=True)))


def _dsp_call(call: KernelCall, function: str, params: list) -> KernelCall:
    return dataclasses.replace(
        call,
        function=function,
        params_type=f"{function[:-3]}_params_t",
        params=params,
        kernel="dsp",
    )


@variant("adrt_mul_s8", "dsp")
def mul_dsp(call: KernelCall, layer: LayerContext) -> KernelCall | None:
    rows = _rows(call)
    record = fast_record(
        call.param("output_multiplier"),
        call.param("output_shift"),
        INPUT_BOUND * INPUT_BOUND,
        call.param("output_offset"),
    )
    if rows is None or record is None:
        return None
    params = [
        ("rows", rows),
        ("input1_offset", call.param("input1_offset")),
        ("input2_offset", call.param("input2_offset")),
        ("output", _requant(record)),
        ("act_min", call.param("act_min")),
        ("act_max", call.param("act_max")),
    ]
    return _dsp_call(call, "adrt_dsp_mul_s8", params)


def _rescale(call: KernelCall, i: int) -> tuple[CStruct, int] | None:
    """Input i's rescaling record and the bound of its result."""
    m, shift = call.param(f"input{i}_multiplier"), call.param(f"input{i}_shift")
    bound = INPUT_BOUND << ADD_LEFT_SHIFT
    record = fast_record(m, shift, bound)
    if record is None or record[1] != 1:
        return None
    multiplier, _, rounding, right1 = record
    offset = call.param(f"input{i}_offset") << (ADD_LEFT_SHIFT + 1)
    fields = (("multiplier", multiplier), ("offset", offset), ("round", rounding))
    # |SMMULR(2x, m)| <= |x| * m / 2^31 + 1, then divided by 2^r with rounding
    scaled = ((bound * m >> 31) + 1 >> (right1 - 1)) + 1
    return CStruct((*fields, ("right1", right1))), scaled


@variant("adrt_add_s8", "dsp")
@variant("adrt_sub_s8", "dsp")
def add_sub_dsp(call: KernelCall, layer: LayerContext) -> KernelCall | None:
    rows = _rows(call)
    inputs = [_rescale(call, 1), _rescale(call, 2)]
    if rows is None or None in inputs or call.param("left_shift") != ADD_LEFT_SHIFT:
        return None
    (r1, bound1), (r2, bound2) = inputs
    record = fast_record(
        call.param("output_multiplier"),
        call.param("output_shift"),
        bound1 + bound2,
        call.param("output_offset"),
    )
    if record is None:
        return None
    params = [
        ("rows", rows),
        ("input1", r1),
        ("input2", r2),
        ("output", _requant(record)),
        ("subtract", int(call.function == "adrt_sub_s8")),
        ("act_min", call.param("act_min")),
        ("act_max", call.param("act_max")),
    ]
    return _dsp_call(call, "adrt_dsp_add_s8", params)
