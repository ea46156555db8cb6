"""Tests of the .tflite reader against the shipped models, the pip `tflite` package and
hand-built flatbuffers."""

from __future__ import annotations

import collections
import re
import struct
import time
from pathlib import Path

import flatbuffers
import numpy as np
import pytest
import tflite

from autodeploy.errors import TfliteFormatError
from autodeploy.tflite import schema
from autodeploy.tflite.model import Model
from autodeploy.tflite.reader import parse_model, read_model

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
MODEL_PATHS = sorted(MODELS_DIR.glob("*.tflite"))
HINT = "Re-export the model with the TFLite converter or check that the file is a .tflite."

# Facts from models/SOURCES.md: input shape, input (scale, zero point), output shape,
# output (scale, zero point), op counts.
# The _aligned KWS model is a re-serialized copy of the same graph (SOURCES.md): the same facts.
KWS_DSCNN = (
    (1, 49, 10, 1),
    (0.584703, 83),
    (1, 12),
    (0.00390625, -128),
    {
        "CONV_2D": 5,
        "DEPTHWISE_CONV_2D": 4,
        "AVERAGE_POOL_2D": 1,
        "RESHAPE": 1,
        "FULLY_CONNECTED": 1,
        "SOFTMAX": 1,
    },
)
EXPECTED = {
    "mlperf_tiny_kws_dscnn_int8.tflite": KWS_DSCNN,
    "mlperf_tiny_kws_dscnn_int8_aligned.tflite": KWS_DSCNN,
    "mlperf_tiny_vww_mobilenetv1_025_96_int8.tflite": (
        (1, 96, 96, 3),
        (0.00392157, -128),
        (1, 2),
        (0.00390625, -128),
        {
            "CONV_2D": 14,
            "DEPTHWISE_CONV_2D": 13,
            "AVERAGE_POOL_2D": 1,
            "RESHAPE": 1,
            "FULLY_CONNECTED": 1,
            "SOFTMAX": 1,
        },
    ),
    "mlperf_tiny_ic_resnet8_cifar10_int8.tflite": (
        (1, 32, 32, 3),
        (1.0, -128),
        (1, 10),
        (0.00390625, -128),
        {
            "CONV_2D": 9,
            "ADD": 3,
            "AVERAGE_POOL_2D": 1,
            "RESHAPE": 1,
            "FULLY_CONNECTED": 1,
            "SOFTMAX": 1,
        },
    ),
    "mlperf_tiny_ad_fc_autoencoder_int8.tflite": (
        (1, 640),
        (0.391015, 89),
        (1, 640),
        (0.364498, 96),
        {"FULLY_CONNECTED": 10},
    ),
    "mlperf_tiny_sww_streaming_wakeword_int8.tflite": (
        (1, 30, 1, 40),
        (0.00370104, -128),
        (1, 3),
        (0.00390625, -128),
        {"DEPTHWISE_CONV_2D": 4, "CONV_2D": 4, "RESHAPE": 1, "FULLY_CONNECTED": 1, "SOFTMAX": 1},
    ),
    "tflm_micro_speech_int8.tflite": (
        (1, 1960),
        (0.101716, -128),
        (1, 4),
        (0.00390625, -128),
        {"RESHAPE": 1, "DEPTHWISE_CONV_2D": 1, "FULLY_CONNECTED": 1, "SOFTMAX": 1},
    ),
    "tflm_hello_world_int8.tflite": (
        (1, 1),
        (0.0244801, -128),
        (1, 1),
        (0.00829096, 5),
        {"FULLY_CONNECTED": 3},
    ),
    "armmlzoo_mobilenet_v2_1.0_224_int8.tflite": (
        (1, 224, 224, 3),
        (0.00784314, -1),
        (1, 1001),
        (0.00390625, -128),
        {
            "CONV_2D": 36,
            "DEPTHWISE_CONV_2D": 17,
            "ADD": 10,
            "AVERAGE_POOL_2D": 1,
            "RESHAPE": 1,
            "SOFTMAX": 1,
        },
    ),
    "heartkit_arrhythmia_int8.tflite": (
        (1, 1, 800, 1),
        (0.047119, -14),
        (1, 2),
        (0.00390625, -128),
        {
            "CONV_2D": 33,
            "MEAN": 9,
            "MINIMUM": 8,
            "RELU": 8,
            "MUL": 8,
            "FULLY_CONNECTED": 1,
            "SOFTMAX": 1,
        },
    ),
    "mobilenet_v3_small_a075_224_int8.tflite": (
        (1, 224, 224, 3),
        (0.0078431, -1),
        (1, 1000),
        (0.00390625, -128),
        {
            "CONV_2D": 43,
            "HARD_SWISH": 19,
            "MUL": 18,
            "DEPTHWISE_CONV_2D": 11,
            "MEAN": 10,
            "ADD": 6,
            "SHAPE": 1,
            "STRIDED_SLICE": 1,
            "PACK": 1,
            "RESHAPE": 1,
            "SOFTMAX": 1,
        },
    ),
}


@pytest.fixture(scope="module")
def models() -> dict[str, Model]:
    return {p.name: read_model(p) for p in MODEL_PATHS}


def test_every_shipped_model_is_covered():
    assert sorted(p.name for p in MODEL_PATHS) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_model_facts_match_sources_md(models, name):
    in_shape, (in_s, in_zp), out_shape, (out_s, out_zp), op_counts = EXPECTED[name]
    m = models[name]
    assert m.version == 3
    assert m.file_size == (MODELS_DIR / name).stat().st_size
    assert m.path.endswith(name)
    assert len(m.subgraphs) == 1
    sg = m.main
    assert dict(collections.Counter(op.opcode for op in sg.operators)) == op_counts
    assert len(sg.inputs) == 1 and len(sg.outputs) == 1
    inp, out = sg.tensors[sg.inputs[0]], sg.tensors[sg.outputs[0]]
    assert inp.shape == in_shape and out.shape == out_shape
    assert inp.dtype == "INT8" and out.dtype == "INT8"
    assert not inp.is_constant and not out.is_constant
    for t, s, zp in ((inp, in_s, in_zp), (out, out_s, out_zp)):
        assert t.quantization is not None and not t.quantization.per_channel
        assert t.quantization.scale[0] == pytest.approx(s, rel=1e-5)
        assert t.quantization.zero_point == (zp,)
    # SOURCES.md: non-I/O tensors are int8 and int32 only.
    assert {t.dtype for t in sg.tensors} <= {"INT8", "INT32"}
    # Every operator code used resolves to a name in the model's table.
    assert set(op_counts) <= set(m.operator_codes)


def _np_tuple(value) -> tuple:
    """The tflite package's *AsNumpy() returns 0 for an absent vector."""
    if isinstance(value, np.ndarray):
        return tuple(value.tolist())
    return ()


def _enum_names(cls) -> dict[int, str]:
    return {v: k for k, v in vars(cls).items() if not k.startswith("_")}


TENSOR_TYPE_NAMES = _enum_names(tflite.TensorType)
OPERATOR_NAMES = _enum_names(tflite.BuiltinOperator)


@pytest.mark.parametrize("path", MODEL_PATHS, ids=lambda p: p.name)
def test_cross_check_against_tflite_package(models, path):
    data = path.read_bytes()
    ref = tflite.Model.GetRootAs(data, 0)
    m = models[path.name]
    assert m.version == ref.Version()
    assert m.subgraphs and len(m.subgraphs) == ref.SubgraphsLength()
    ref_codes = []
    for i in range(ref.OperatorCodesLength()):
        oc = ref.OperatorCodes(i)
        ref_codes.append(max(oc.DeprecatedBuiltinCode(), oc.BuiltinCode()))
    assert m.operator_codes == [OPERATOR_NAMES[c] for c in ref_codes]
    n_checked_data = 0
    for sg, rsg in ((sg, ref.Subgraphs(i)) for i, sg in enumerate(m.subgraphs)):
        assert len(sg.tensors) == rsg.TensorsLength()
        assert sg.inputs == _np_tuple(rsg.InputsAsNumpy())
        assert sg.outputs == _np_tuple(rsg.OutputsAsNumpy())
        for t in sg.tensors:
            rt = rsg.Tensors(t.index)
            assert t.shape == _np_tuple(rt.ShapeAsNumpy())
            assert t.dtype == TENSOR_TYPE_NAMES[rt.Type()]
            assert t.buffer == rt.Buffer()
            assert t.name == rt.Name().decode()
            assert t.is_variable == rt.IsVariable()
            sig = _np_tuple(rt.ShapeSignatureAsNumpy())
            assert t.shape_signature == (sig if not rt.ShapeSignatureIsNone() else None)
            rq = rt.Quantization()
            scales = _np_tuple(rq.ScaleAsNumpy()) if rq else ()
            zps = _np_tuple(rq.ZeroPointAsNumpy()) if rq else ()
            if scales and zps:
                assert t.quantization is not None
                assert t.quantization.scale == scales
                assert t.quantization.zero_point == zps
                assert t.quantization.quantized_dimension == rq.QuantizedDimension()
            else:
                assert t.quantization is None
            rb = ref.Buffers(rt.Buffer())
            ref_bytes = rb.DataAsNumpy().tobytes() if rb.DataLength() else b""
            if t.buffer == 0 or not ref_bytes:
                assert t.data is None
            else:
                assert t.data == ref_bytes
                n_checked_data += 1
        assert len(sg.operators) == rsg.OperatorsLength()
        for op in sg.operators:
            rop = rsg.Operators(op.index)
            assert op.opcode == OPERATOR_NAMES[ref_codes[rop.OpcodeIndex()]]
            assert op.inputs == _np_tuple(rop.InputsAsNumpy())
            assert op.outputs == _np_tuple(rop.OutputsAsNumpy())
            assert op.intermediates == _np_tuple(rop.IntermediatesAsNumpy())
            opt_type = rop.BuiltinOptionsType()
            assert op.options_type == (schema.BUILTIN_OPTIONS[opt_type] if opt_type else None)
            _cross_check_options(op, rop)
    assert n_checked_data > 0


def _snake(name: str) -> str:
    """Generated accessor name -> schema field name: DilationWFactor -> dilation_w_factor."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


ENUM_TABLES = {
    schema.PADDING: _enum_names(tflite.Padding),
    schema.ACTIVATION: _enum_names(tflite.ActivationFunctionType),
    schema.FC_WEIGHTS: _enum_names(tflite.FullyConnectedOptionsWeightsFormat),
    schema.TENSOR_TYPE: TENSOR_TYPE_NAMES,
}


def _cross_check_options(op, rop):
    """Compare every decoded option with the generated accessor of the same name."""
    if op.options_type not in schema.OPTION_FIELDS:
        assert op.options == {}
        return
    cls = getattr(tflite, op.options_type)
    table = rop.BuiltinOptions()
    ref = cls()
    ref.Init(table.Bytes, table.Pos)
    accessors = {_snake(a): a for a in dir(cls) if a[0].isupper() and not a.endswith("Numpy")}
    for key, _slot, kind, _default in schema.OPTION_FIELDS[op.options_type]:
        value = getattr(ref, accessors[key])
        if kind == schema.I32_VEC:
            expected = _np_tuple(getattr(ref, accessors[key] + "AsNumpy")())
        elif kind == schema.STRING:
            expected = None if value() is None else value().decode()
        elif kind in ENUM_TABLES:
            expected = ENUM_TABLES[kind][value()]
        else:
            expected = value()
        assert op.options[key] == expected, (op.index, op.opcode, key)


def test_schema_tables_match_tflite_package():
    for table, cls in (
        (schema.BUILTIN_OPERATORS, tflite.BuiltinOperator),
        (schema.BUILTIN_OPTIONS, tflite.BuiltinOptions),
        (schema.TENSOR_TYPES, tflite.TensorType),
        (schema.ACTIVATION_FUNCTIONS, tflite.ActivationFunctionType),
        (schema.PADDINGS, tflite.Padding),
        (schema.FC_WEIGHTS_FORMATS, tflite.FullyConnectedOptionsWeightsFormat),
    ):
        names = _enum_names(cls)
        assert table == tuple(names[i] for i in range(len(names)))
    # Field slots and defaults of the decoded options tables, read from the generated classes:
    # an options object over an empty table returns every default.
    for name, fields in schema.OPTION_FIELDS.items():
        cls = getattr(tflite, name)
        b = flatbuffers.Builder(64)
        b.StartObject(0)
        b.Finish(b.EndObject())
        obj = cls.GetRootAs(b.Output(), 0)
        accessors = {_snake(a): a for a in dir(cls) if a[0].isupper()}
        for key, _slot, kind, default in fields:
            assert key in accessors, (name, key)
            if kind == schema.I32_VEC:
                assert default == ()
            elif kind in ENUM_TABLES:
                assert ENUM_TABLES[kind][getattr(obj, accessors[key])()] == default
            else:
                assert getattr(obj, accessors[key])() == default, (name, key)


def test_kws_options(models):
    ops = models["mlperf_tiny_kws_dscnn_int8.tflite"].main.operators
    conv = ops[0]
    assert conv.opcode == "CONV_2D" and conv.options_type == "Conv2DOptions"
    assert conv.options["padding"] == "SAME"
    assert (conv.options["stride_w"], conv.options["stride_h"]) == (2, 2)
    assert conv.options["fused_activation_function"] == "RELU"
    assert (conv.options["dilation_w_factor"], conv.options["dilation_h_factor"]) == (1, 1)
    dw = ops[1]
    assert dw.opcode == "DEPTHWISE_CONV_2D"
    assert dw.options["depth_multiplier"] == 1
    assert (dw.options["stride_w"], dw.options["stride_h"]) == (1, 1)
    pool = ops[9]
    assert pool.opcode == "AVERAGE_POOL_2D"
    assert pool.options == {
        "padding": "VALID",
        "stride_w": 5,
        "stride_h": 25,
        "filter_width": 5,
        "filter_height": 25,
        "fused_activation_function": "NONE",
    }
    reshape, fc, softmax = ops[10], ops[11], ops[12]
    assert reshape.opcode == "RESHAPE" and reshape.options_type is None and reshape.options == {}
    assert fc.options["weights_format"] == "DEFAULT" and fc.options["keep_num_dims"] is False
    assert softmax.opcode == "SOFTMAX" and softmax.options == {"beta": 1.0}
    # Weights of the first conv: 64 filters of 10x4x1, per-channel quantized on dimension 0.
    w = models["mlperf_tiny_kws_dscnn_int8.tflite"].main.tensors[conv.inputs[1]]
    assert w.shape == (64, 10, 4, 1) and w.dtype == "INT8" and w.is_constant
    assert len(w.data) == w.nbytes == 64 * 40
    assert len(w.quantization.scale) == 64 and w.quantization.quantized_dimension == 0
    bias = models["mlperf_tiny_kws_dscnn_int8.tflite"].main.tensors[conv.inputs[2]]
    assert bias.dtype == "INT32" and len(bias.data) == 64 * 4


def test_other_known_options(models):
    ms = models["tflm_micro_speech_int8.tflite"].main.operators
    assert ms[0].opcode == "RESHAPE" and ms[0].options == {"new_shape": (-1, 49, 40, 1)}
    v3 = models["mobilenet_v3_small_a075_224_int8.tflite"].main.operators
    by_type = {op.opcode: op for op in v3}
    assert by_type["MEAN"].options == {"keep_dims": True}
    assert by_type["SHAPE"].options == {"out_type": "INT32"}
    assert by_type["PACK"].options == {"values_count": 2, "axis": 0}
    assert by_type["STRIDED_SLICE"].options["shrink_axis_mask"] == 1
    assert by_type["ADD"].options["fused_activation_function"] == "NONE"
    assert by_type["HARD_SWISH"].options_type is None
    heart = models["heartkit_arrhythmia_int8.tflite"].main.operators
    assert [op.options["keep_dims"] for op in heart if op.opcode == "MEAN"][-1] is False


def test_aligned_kws_weights_identical(models):
    """SOURCES.md: the aligned KWS copy has byte-identical weight buffers (37 buffers in all;
    21 hold tensor data, one the min_runtime_version metadata, the rest are empty)."""
    a = models["mlperf_tiny_kws_dscnn_int8.tflite"].main
    b = models["mlperf_tiny_kws_dscnn_int8_aligned.tflite"].main
    da = [t.data for t in a.tensors if t.is_constant]
    db = [t.data for t in b.tensors if t.is_constant]
    assert len(da) == 21 and da == db


def test_big_model_parse_time():
    path = MODELS_DIR / "armmlzoo_mobilenet_v2_1.0_224_int8.tflite"
    data = path.read_bytes()
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        m = parse_model(data, str(path))
        best = min(best, time.perf_counter() - t0)
    assert sum(len(t.data) for t in m.main.tensors if t.is_constant) > 3_400_000
    print(f"\nparse {path.name} ({len(data)} bytes): best of 3 = {best * 1000:.1f} ms")
    assert best < 0.5


# ---------------------------------------------------------------------------------------------
# Hand-built flatbuffers: the layout variants and the leniency rules.


def _build(
    *,
    identifier: bool = True,
    version: int = 3,
    tensor_type: int = 9,
    weights_shape=(2, 4),
    weights_qdim: int = 0,
    bias_qdim: int = 5,
    bias_scales=(0.5, 0.25),
    op_inputs=(0, 1, 2),
    op_outputs=(3,),
    opcode_index: int = 0,
    weights_buffer: int = 2,
    builtin_code: int = 9,
    padding: int = 1,
    shape_signature=(-1, 4),
    large_offset: int | None = None,
) -> bytes:
    """A one-op model built with the raw flatbuffers builder (the way generated code does).

    Tensors: 0 input (1,4) int8, 1 weights in buffer 2 (large-model layout: stored after the
    flatbuffer), 2 bias (2,) int32 per-channel with an out-of-range quantized_dimension,
    3 output (1,2). Op 0: FULLY_CONNECTED (options table empty: all defaults). Op 1: CONV_2D
    with only `padding` and `stride_w` set, an omitted bias (-1).
    """
    weights = bytes(range(1, 9))
    b = flatbuffers.Builder(1024)

    def i32_vec(vals):
        b.StartVector(4, len(vals), 4)
        for v in reversed(vals):
            b.PrependInt32(v)
        return b.EndVector()

    def f32_vec(vals):
        b.StartVector(4, len(vals), 4)
        for v in reversed(vals):
            b.PrependFloat32(v)
        return b.EndVector()

    def i64_vec(vals):
        b.StartVector(8, len(vals), 8)
        for v in reversed(vals):
            b.PrependInt64(v)
        return b.EndVector()

    def table_vec(offsets):
        b.StartVector(4, len(offsets), 4)
        for o in reversed(offsets):
            b.PrependUOffsetTRelative(o)
        return b.EndVector()

    def quant(scales, zps, qdim=0):
        s, z = f32_vec(scales), i64_vec(zps)
        b.StartObject(7)
        b.PrependUOffsetTRelativeSlot(2, s, 0)
        b.PrependUOffsetTRelativeSlot(3, z, 0)
        b.PrependInt32Slot(6, qdim, 0)
        return b.EndObject()

    def tensor(name, shape, ttype, buffer, q=None, sig=None):
        n, sh = b.CreateString(name), i32_vec(shape)
        sg = i32_vec(sig) if sig is not None else None
        b.StartObject(8)
        b.PrependUOffsetTRelativeSlot(0, sh, 0)
        b.PrependInt8Slot(1, ttype, -1)  # -1 default: always written
        b.PrependUint32Slot(2, buffer, 0)
        b.PrependUOffsetTRelativeSlot(3, n, 0)
        if q is not None:
            b.PrependUOffsetTRelativeSlot(4, q, 0)
        if sg is not None:
            b.PrependUOffsetTRelativeSlot(7, sg, 0)
        return b.EndObject()

    tensors = [
        tensor("input", (1, 4), tensor_type, 0, quant([0.1], [3]), shape_signature),
        tensor(
            "weights", weights_shape, 9, weights_buffer, quant([0.01, 0.02], [0, 0], weights_qdim)
        ),
        tensor("bias", (2,), 2, 3, quant(list(bias_scales), [0] * len(bias_scales), bias_qdim)),
        tensor("output", (1, 2), 9, 0, quant([0.2], [-128])),
    ]

    b.StartObject(0)
    fc_options = b.EndObject()
    b.StartObject(7)
    b.PrependInt8Slot(0, padding, -1)
    b.PrependInt32Slot(1, 3, 0)
    conv_options = b.EndObject()

    def operator(index, inputs, outputs, opt_type, opt):
        i, o = i32_vec(inputs), i32_vec(outputs)
        b.StartObject(9)
        b.PrependUint32Slot(0, index, 0)
        b.PrependUOffsetTRelativeSlot(1, i, 0)
        b.PrependUOffsetTRelativeSlot(2, o, 0)
        b.PrependUint8Slot(3, opt_type, 0)
        b.PrependUOffsetTRelativeSlot(4, opt, 0)
        return b.EndObject()

    ops = [
        operator(opcode_index, list(op_inputs), list(op_outputs), 8, fc_options),
        operator(1, [0, 1, -1], [3], 1, conv_options),
    ]
    t_vec, op_vec = table_vec(tensors), table_vec(ops)
    in_vec, out_vec, sg_name = i32_vec([0]), i32_vec([3]), b.CreateString("main")
    b.StartObject(5)
    b.PrependUOffsetTRelativeSlot(0, t_vec, 0)
    b.PrependUOffsetTRelativeSlot(1, in_vec, 0)
    b.PrependUOffsetTRelativeSlot(2, out_vec, 0)
    b.PrependUOffsetTRelativeSlot(3, op_vec, 0)
    b.PrependUOffsetTRelativeSlot(4, sg_name, 0)
    subgraph = b.EndObject()

    codes = []
    for code in (builtin_code, 3):
        b.StartObject(4)
        b.PrependInt8Slot(0, min(code, 127), 0)
        b.PrependInt32Slot(2, 1, 0)
        b.PrependInt32Slot(3, code, 0)
        codes.append(b.EndObject())

    def buffer(data=None, offset=0, size=0):
        d = b.CreateByteVector(data) if data is not None else None
        b.StartObject(3)
        if d is not None:
            b.PrependUOffsetTRelativeSlot(0, d, 0)
        b.PrependUint64Slot(1, offset, 0)
        b.PrependUint64Slot(2, size, 0)
        return b.EndObject()

    placeholder = large_offset if large_offset is not None else 1 << 20
    buffers = [buffer(), buffer(b""), buffer(offset=placeholder, size=len(weights))]
    buffers.append(buffer(struct.pack("<2i", 100, -100)))
    desc = b.CreateString("hand built \xe9")
    code_vec, sg_vec, buf_vec = table_vec(codes), table_vec([subgraph]), table_vec(buffers)
    b.StartObject(8)
    b.PrependUint32Slot(0, version, 0)
    b.PrependUOffsetTRelativeSlot(1, code_vec, 0)
    b.PrependUOffsetTRelativeSlot(2, sg_vec, 0)
    b.PrependUOffsetTRelativeSlot(3, desc, 0)
    b.PrependUOffsetTRelativeSlot(4, buf_vec, 0)
    b.Finish(b.EndObject(), file_identifier=b"TFL3" if identifier else None)
    out = bytes(b.Output())
    pad = -len(out) % 16
    if large_offset is None:
        # The scalar's size does not depend on its value: build again with the real offset.
        return _build(
            identifier=identifier, version=version, tensor_type=tensor_type,
            weights_shape=weights_shape, weights_qdim=weights_qdim, bias_qdim=bias_qdim,
            bias_scales=bias_scales,
            op_inputs=op_inputs, op_outputs=op_outputs, opcode_index=opcode_index,
            weights_buffer=weights_buffer, builtin_code=builtin_code, padding=padding,
            shape_signature=shape_signature, large_offset=len(out) + pad,
        )  # fmt: skip
    return out + b"\0" * pad + weights


@pytest.mark.parametrize("identifier", [True, False])
def test_hand_built_model(identifier):
    data = _build(identifier=identifier)
    assert (data[4:8] == b"TFL3") == identifier
    m = parse_model(data, "hand.tflite")
    assert m.description == "hand built \xe9"
    assert m.operator_codes == ["FULLY_CONNECTED", "CONV_2D"]
    sg = m.main
    assert sg.name == "main" and sg.inputs == (0,) and sg.outputs == (3,)
    inp, w, bias, out = sg.tensors
    assert inp.shape == (1, 4) and inp.shape_signature == (-1, 4) and inp.data is None
    assert inp.quantization.scale == pytest.approx((0.1,)) and inp.quantization.zero_point == (3,)
    # Large-model layout: data is file[offset:offset + size].
    assert w.data == bytes(range(1, 9)) and w.quantization.per_channel
    # Rank-1 per-channel tensor whose quantized_dimension is out of range: accepted as is.
    assert bias.quantization.quantized_dimension == 5
    assert bias.data == struct.pack("<2i", 100, -100)
    assert out.data is None and out.quantization.zero_point == (-128,)
    fc, conv = sg.operators
    assert fc.opcode == "FULLY_CONNECTED" and fc.version == 1
    assert fc.options == {
        "fused_activation_function": "NONE",
        "weights_format": "DEFAULT",
        "keep_num_dims": False,
        "asymmetric_quantize_inputs": False,
        "quantized_bias_type": "FLOAT32",
    }
    assert conv.inputs == (0, 1, -1)  # omitted optional input
    assert conv.options["padding"] == "VALID" and conv.options["stride_w"] == 3
    assert conv.options["stride_h"] == 0 and conv.options["dilation_h_factor"] == 1


def test_builtin_code_above_127_uses_builtin_code_field():
    gelu = schema.BUILTIN_OPERATORS.index("GELU")
    assert gelu > 127
    m = parse_model(_build(builtin_code=gelu))
    assert m.main.operators[0].opcode == "GELU"


def _message(data: bytes, path: str = "bad.tflite") -> str:
    with pytest.raises(TfliteFormatError) as exc:
        parse_model(data, path)
    msg = str(exc.value)
    assert msg.startswith(f"{path}: not a valid TFLite flatbuffer: ")
    assert msg.endswith(HINT)
    assert "unexpected" not in msg
    return msg


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"version": 2}, "schema version is 2, expected 3"),
        ({"tensor_type": 99}, "tensor 0: type value 99 is not a known TensorType"),
        ({"weights_shape": (2, -4)}, "tensor 1: shape [2, -4] has a negative dimension"),
        ({"shape_signature": (-2, 4)}, "shape_signature [-2, 4] has a dimension below -1"),
        ({"op_inputs": (0, 1, 9)}, "operator 0: inputs[2] is 9, not a valid tensor index"),
        ({"op_inputs": (0, -2, 2)}, "operator 0: inputs[1] is -2"),
        ({"op_outputs": (-1,)}, "operator 0: outputs[0] is -1"),
        ({"opcode_index": 7}, "operator 0: opcode_index 7 out of range"),
        ({"weights_buffer": 40}, "tensor 1: buffer index 40 out of range"),
        ({"builtin_code": 4000}, "operator code 0: builtin code value 4000 is not a known"),
        ({"padding": 7}, "operator 1: Conv2DOptions: padding value 7 is not a known Padding"),
        ({"weights_shape": (3, 4)}, "2 per-channel scales but dimension 0 of shape [3, 4] is 3"),
        ({"weights_qdim": 3}, "tensor 1: quantization: quantized_dimension 3 is out of range"),
        ({"weights_qdim": -1}, "quantized_dimension -1 is out of range for shape [2, 4]"),
        (
            {"bias_scales": (0.5, 0.25, 1.0), "bias_qdim": 0},
            "tensor 2: quantization: 3 per-channel scales but dimension 0 of shape [2] is 2",
        ),
        ({"bias_scales": (0.5, 0.25, 1.0)}, None),  # rank 1, qdim out of range: accepted
        ({"large_offset": 1 << 40}, "buffer 2: data (offset 1099511627776, size 8) runs past"),
    ],
)
def test_hand_built_errors(kwargs, expected):
    if expected is None:
        parse_model(_build(**kwargs))
    else:
        assert expected in _message(_build(**kwargs))


def test_shared_vector_blowup_is_rejected():
    """2000 tensors all pointing at one 20000-dim shape vector: linear-size file, quadratic
    work. The reader must refuse instead of materialising 40 million dimensions."""
    b = flatbuffers.Builder(1 << 18)
    b.StartVector(4, 20000, 4)
    for _ in range(20000):
        b.PrependInt32(1)
    shape = b.EndVector()
    tensors = []
    for _ in range(2000):
        b.StartObject(8)
        b.PrependUOffsetTRelativeSlot(0, shape, 0)
        tensors.append(b.EndObject())
    b.StartVector(4, len(tensors), 4)
    for t in reversed(tensors):
        b.PrependUOffsetTRelative(t)
    t_vec = b.EndVector()
    b.StartObject(5)
    b.PrependUOffsetTRelativeSlot(0, t_vec, 0)
    sg = b.EndObject()
    b.StartVector(4, 1, 4)
    b.PrependUOffsetTRelative(sg)
    sg_vec = b.EndVector()
    b.StartObject(8)
    b.PrependUint32Slot(0, 3, 0)
    b.PrependUOffsetTRelativeSlot(2, sg_vec, 0)
    b.Finish(b.EndObject(), file_identifier=b"TFL3")
    data = bytes(b.Output())
    t0 = time.perf_counter()
    msg = _message(data)
    assert time.perf_counter() - t0 < 1.0
    assert "vectors add up to more elements than a" in msg


def test_empty_file():
    assert "file is empty (0 bytes)" in _message(b"")


def test_three_byte_file():
    assert "file is only 3 bytes, too small to hold a TFLite model" in _message(b"TFL")


def test_png_header():
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
    msg = _message(png, "models/picture.tflite")
    assert "points past end of file" in msg
    assert "the file looks like a PNG image" in msg


def test_git_lfs_pointer():
    lfs = b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 4020936\n"
    assert "Git LFS pointer" in _message(lfs)


def test_wrong_identifier():
    data = bytearray((MODELS_DIR / "tflm_hello_world_int8.tflite").read_bytes())
    data[4:8] = b"TFL2"
    assert "file identifier is b'TFL2', expected b'TFL3'" in _message(bytes(data))


def test_truncated_in_half():
    data = (MODELS_DIR / "mlperf_tiny_kws_dscnn_int8.tflite").read_bytes()
    half = data[: len(data) // 2]
    msg = _message(half, "models/x.tflite")
    assert "past end of file" in msg
    assert f"file is {len(half)} bytes" in msg


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.tflite"
    with pytest.raises(TfliteFormatError) as exc:
        read_model(missing)
    assert str(missing) in str(exc.value) and "No such file" in str(exc.value)


def test_directory_is_not_a_model(tmp_path):
    with pytest.raises(TfliteFormatError) as exc:
        read_model(tmp_path)
    assert str(tmp_path) in str(exc.value)


def test_read_model_accepts_str_and_path():
    p = MODELS_DIR / "tflm_hello_world_int8.tflite"
    assert read_model(str(p)).path == str(p)
    assert read_model(p).main.operators[0].opcode == "FULLY_CONNECTED"


def test_bytearray_and_memoryview_inputs():
    data = (MODELS_DIR / "tflm_hello_world_int8.tflite").read_bytes()
    for variant in (bytearray(data), memoryview(data)):
        assert len(parse_model(variant).main.operators) == 3
