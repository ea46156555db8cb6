"""Build small TFLite models (single ops or short chains) with the pip `tflite` flatbuffer API.

    b = ModelBuilder()
    x = b.tensor([1, 8, 8, 3], "INT8", scale=0.05, zero_point=-3)
    w = b.const(np.int8 weights, scale=[...], zero_point=[0]*n, quantized_dimension=0)
    y = b.tensor([1, 8, 8, 4], "INT8", scale=0.1, zero_point=2)
    b.op("CONV_2D", [x, w, -1], [y], "Conv2DOptions",
         {"padding": "SAME", "stride_w": 1, "stride_h": 1, "fused_activation_function": "RELU"})
    model_bytes = b.build(inputs=[x], outputs=[y])

Stateful ops: `tensor(..., is_variable=True)` marks a variable tensor (LSTM/SVDF state),
`op(..., intermediates=[...])` records an operator's intermediate tensors, and
`with b.subgraph("init") as index:` adds ops and tensors to another subgraph (e.g. the one a
CALL_ONCE runs) until the block ends.

Options are given as the schema table name plus a dict of snake_case field -> value; string values
are enum member names (resolved by field name, else searched in the schema enums), lists become
int32 vectors (float lists: float32 vectors).
"""

from __future__ import annotations

import contextlib
import importlib

import flatbuffers
import numpy as np
import tflite
from tflite.BuiltinOperator import BuiltinOperator
from tflite.BuiltinOptions import BuiltinOptions
from tflite.TensorType import TensorType

NP_DTYPE_NAME = {
    np.dtype(np.int8): "INT8",
    np.dtype(np.uint8): "UINT8",
    np.dtype(np.int16): "INT16",
    np.dtype(np.int32): "INT32",
    np.dtype(np.int64): "INT64",
    np.dtype(np.float32): "FLOAT32",
    np.dtype(np.bool_): "BOOL",
}

NAME_NP_DTYPE = {v: k for k, v in NP_DTYPE_NAME.items()}

# Enum type of an options field, by snake_case field name.
_FIELD_ENUMS = {
    "padding": "Padding",
    "fused_activation_function": "ActivationFunctionType",
    "weights_format": "FullyConnectedOptionsWeightsFormat",
    "mode": "MirrorPadMode",
    "quantized_bias_type": "TensorType",
    "in_data_type": "TensorType",
    "out_data_type": "TensorType",
    "output_type": "TensorType",
    "out_type": "TensorType",
    "idx_out_type": "TensorType",
    "combiner": "CombinerType",
}
# Options fields that hold strings (VarHandleOptions), not enum names.
_STRING_FIELDS = frozenset({"container", "shared_name"})
_SEARCH_ENUMS = ["ActivationFunctionType", "Padding", "MirrorPadMode", "TensorType"]


def _camel(snake: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in snake.split("_"))


def _enum_value(field: str, name: str) -> int:
    candidates = [_FIELD_ENUMS[field]] if field in _FIELD_ENUMS else _SEARCH_ENUMS
    for enum in candidates:
        cls = getattr(importlib.import_module(f"tflite.{enum}"), enum)
        if hasattr(cls, name):
            return getattr(cls, name)
    raise KeyError(f"option {field}: unknown enum value {name!r}")


class ModelBuilder:
    def __init__(self) -> None:
        self._buffers: list[bytes] = [b""]  # buffer 0: the conventional empty buffer
        self._opcodes: list[str] = []
        # per subgraph: name, tensors, ops, inputs, outputs; main first
        self._subgraphs: list[dict] = [self._new_subgraph("main")]
        self._current = 0

    @staticmethod
    def _new_subgraph(name: str) -> dict:
        return dict(name=name, tensors=[], ops=[], inputs=[], outputs=[])

    @property
    def _tensors(self) -> list[dict]:
        return self._subgraphs[self._current]["tensors"]

    @property
    def _ops(self) -> list[dict]:
        return self._subgraphs[self._current]["ops"]

    @contextlib.contextmanager
    def subgraph(self, name: str, inputs=(), outputs=()):
        """Adds a subgraph; tensor() and op() inside the block go to it. Yields its index."""
        self._subgraphs.append(self._new_subgraph(name))
        previous, self._current = self._current, len(self._subgraphs) - 1
        try:
            yield self._current
        finally:
            self._subgraphs[self._current].update(inputs=list(inputs), outputs=list(outputs))
            self._current = previous

    # -- tensors ---------------------------------------------------------------------------
    def tensor(
        self,
        shape,
        dtype: str = "INT8",
        scale=None,
        zero_point=None,
        quantized_dimension: int = 0,
        data=None,
        name: str | None = None,
        shape_signature=None,
        is_variable: bool = False,
    ) -> int:
        """Add a tensor; `data` (numpy array or bytes) makes it constant. Returns its index."""
        buf = 0
        if data is not None:
            raw = data.tobytes() if isinstance(data, np.ndarray) else bytes(data)
            self._buffers.append(raw)
            buf = len(self._buffers) - 1
        if scale is not None and np.isscalar(scale):
            scale = [float(scale)]
        if zero_point is not None and np.isscalar(zero_point):
            zero_point = [int(zero_point)]
        if scale is not None and zero_point is None:
            zero_point = [0] * len(scale)
        self._tensors.append(
            dict(
                shape=[int(d) for d in shape],
                dtype=dtype,
                scale=scale,
                zero_point=zero_point,
                qdim=quantized_dimension,
                buffer=buf,
                name=name or f"t{len(self._tensors)}",
                shape_signature=shape_signature,
                is_variable=is_variable,
            )
        )
        return len(self._tensors) - 1

    def const(self, array: np.ndarray, scale=None, zero_point=None, quantized_dimension=0, **kw):
        """A constant tensor holding `array` (dtype from the numpy dtype)."""
        array = np.ascontiguousarray(array)
        return self.tensor(
            array.shape,
            NP_DTYPE_NAME[array.dtype],
            scale=scale,
            zero_point=zero_point,
            quantized_dimension=quantized_dimension,
            data=array,
            **kw,
        )

    # -- operators -------------------------------------------------------------------------
    def op(
        self,
        opcode: str,
        inputs,
        outputs,
        options_type: str | None = None,
        options: dict | None = None,
        version: int = 1,
        intermediates=None,
    ) -> None:
        """Add an operator; `options_type` is the schema table name such as "Conv2DOptions".
        A custom op is "CUSTOM:<custom code>", e.g. "CUSTOM:ethos-u"."""
        if opcode not in self._opcodes:
            self._opcodes.append(opcode)
        self._ops.append(
            dict(
                opcode=self._opcodes.index(opcode),
                inputs=[int(i) for i in inputs],
                outputs=[int(i) for i in outputs],
                options_type=options_type,
                options=dict(options or {}),
                version=version,
                intermediates=[int(i) for i in intermediates or ()],
            )
        )

    def conv(
        self, inputs, output, padding, stride, dilation, act, depth_multiplier=None, version=6
    ) -> None:
        """A CONV_2D, or a DEPTHWISE_CONV_2D when `depth_multiplier` is given; stride and
        dilation are (h, w)."""
        options = {
            "padding": padding,
            "stride_h": stride[0],
            "stride_w": stride[1],
            "dilation_h_factor": dilation[0],
            "dilation_w_factor": dilation[1],
            "fused_activation_function": act,
        }
        if depth_multiplier is None:
            self.op("CONV_2D", inputs, [output], "Conv2DOptions", options, version=version)
        else:
            options["depth_multiplier"] = depth_multiplier
            self.op(
                "DEPTHWISE_CONV_2D", inputs, [output], "DepthwiseConv2DOptions", options, version
            )

    # -- serialization ---------------------------------------------------------------------
    def build(self, inputs, outputs, description: str = "autodeploy test model") -> bytes:
        b = flatbuffers.Builder(1024)

        def int_vec(start_fn, values):
            start_fn(b, len(values))
            for v in reversed(values):
                b.PrependInt32(int(v))
            return b.EndVector()

        # buffers
        buf_offsets = []
        for raw in self._buffers:
            data_off = b.CreateNumpyVector(np.frombuffer(raw, np.uint8)) if raw else None
            tflite.BufferStart(b)
            if data_off is not None:
                tflite.BufferAddData(b, data_off)
            buf_offsets.append(tflite.BufferEnd(b))

        def table_vec(start_fn, offsets):
            start_fn(b, len(offsets))
            for off in reversed(offsets):
                b.PrependUOffsetTRelative(off)
            return b.EndVector()

        self._subgraphs[0].update(inputs=list(inputs), outputs=list(outputs))
        sg_offsets = [self._build_subgraph(b, sg, int_vec, table_vec) for sg in self._subgraphs]

        code_offsets = []
        for name in self._opcodes:
            custom = b.CreateString(name.split(":", 1)[1]) if name.startswith("CUSTOM:") else None
            code = getattr(BuiltinOperator, name.split(":", 1)[0])
            tflite.OperatorCodeStart(b)
            if custom is not None:
                tflite.OperatorCodeAddCustomCode(b, custom)
            tflite.OperatorCodeAddDeprecatedBuiltinCode(b, min(code, 127))
            tflite.OperatorCodeAddBuiltinCode(b, code)
            tflite.OperatorCodeAddVersion(b, self._op_version(name))
            code_offsets.append(tflite.OperatorCodeEnd(b))

        codes_vec = table_vec(tflite.ModelStartOperatorCodesVector, code_offsets)
        sgs_vec = table_vec(tflite.ModelStartSubgraphsVector, sg_offsets)
        bufs_vec = table_vec(tflite.ModelStartBuffersVector, buf_offsets)
        desc = b.CreateString(description)
        tflite.ModelStart(b)
        tflite.ModelAddVersion(b, 3)
        tflite.ModelAddOperatorCodes(b, codes_vec)
        tflite.ModelAddSubgraphs(b, sgs_vec)
        tflite.ModelAddDescription(b, desc)
        tflite.ModelAddBuffers(b, bufs_vec)
        b.Finish(tflite.ModelEnd(b), file_identifier=b"TFL3")
        return bytes(b.Output())

    def _build_subgraph(self, b: flatbuffers.Builder, sg: dict, int_vec, table_vec) -> int:
        tensor_offsets = []
        for t in sg["tensors"]:
            name_off = b.CreateString(t["name"])
            shape_off = int_vec(tflite.TensorStartShapeVector, t["shape"])
            sig_off = None
            if t["shape_signature"] is not None:
                sig_off = int_vec(tflite.TensorStartShapeSignatureVector, t["shape_signature"])
            q_off = None
            if t["scale"] is not None:
                s_off = b.CreateNumpyVector(np.asarray(t["scale"], np.float32))
                z_off = b.CreateNumpyVector(np.asarray(t["zero_point"], np.int64))
                tflite.QuantizationParametersStart(b)
                tflite.QuantizationParametersAddScale(b, s_off)
                tflite.QuantizationParametersAddZeroPoint(b, z_off)
                tflite.QuantizationParametersAddQuantizedDimension(b, t["qdim"])
                q_off = tflite.QuantizationParametersEnd(b)
            tflite.TensorStart(b)
            tflite.TensorAddShape(b, shape_off)
            if sig_off is not None:
                tflite.TensorAddShapeSignature(b, sig_off)
            tflite.TensorAddType(b, getattr(TensorType, t["dtype"]))
            tflite.TensorAddBuffer(b, t["buffer"])
            tflite.TensorAddName(b, name_off)
            if q_off is not None:
                tflite.TensorAddQuantization(b, q_off)
            if t["is_variable"]:
                tflite.TensorAddIsVariable(b, True)
            tensor_offsets.append(tflite.TensorEnd(b))

        op_offsets = []
        for o in sg["ops"]:
            opt_off = None
            if o["options_type"]:
                opt_off = self._build_options(b, o["options_type"], o["options"])
            in_off = int_vec(tflite.OperatorStartInputsVector, o["inputs"])
            out_off = int_vec(tflite.OperatorStartOutputsVector, o["outputs"])
            im_off = None
            if o["intermediates"]:
                im_off = int_vec(tflite.OperatorStartIntermediatesVector, o["intermediates"])
            tflite.OperatorStart(b)
            tflite.OperatorAddOpcodeIndex(b, o["opcode"])
            tflite.OperatorAddInputs(b, in_off)
            tflite.OperatorAddOutputs(b, out_off)
            if im_off is not None:
                tflite.OperatorAddIntermediates(b, im_off)
            if opt_off is not None:
                tflite.OperatorAddBuiltinOptionsType(b, getattr(BuiltinOptions, o["options_type"]))
                tflite.OperatorAddBuiltinOptions(b, opt_off)
            op_offsets.append(tflite.OperatorEnd(b))

        tensors_vec = table_vec(tflite.SubGraphStartTensorsVector, tensor_offsets)
        ops_vec = table_vec(tflite.SubGraphStartOperatorsVector, op_offsets)
        sg_in = int_vec(tflite.SubGraphStartInputsVector, sg["inputs"])
        sg_out = int_vec(tflite.SubGraphStartOutputsVector, sg["outputs"])
        sg_name = b.CreateString(sg["name"])
        tflite.SubGraphStart(b)
        tflite.SubGraphAddTensors(b, tensors_vec)
        tflite.SubGraphAddInputs(b, sg_in)
        tflite.SubGraphAddOutputs(b, sg_out)
        tflite.SubGraphAddOperators(b, ops_vec)
        tflite.SubGraphAddName(b, sg_name)
        return tflite.SubGraphEnd(b)

    def _op_version(self, name: str) -> int:
        versions = [
            o["version"]
            for sg in self._subgraphs
            for o in sg["ops"]
            if self._opcodes[o["opcode"]] == name
        ]
        return max(versions) if versions else 1

    @staticmethod
    def _build_options(b: flatbuffers.Builder, table: str, options: dict) -> int:
        mod = importlib.import_module(f"tflite.{table}")
        # Vectors and strings must be created before the table is started.
        vectors = {}
        for key, value in options.items():
            if key in _STRING_FIELDS:
                vectors[key] = b.CreateString(value)
            elif isinstance(value, (list, tuple, np.ndarray)):
                getattr(mod, f"{table}Start{_camel(key)}Vector")(b, len(value))
                for v in reversed(list(value)):
                    if isinstance(v, float):
                        b.PrependFloat32(v)
                    else:
                        b.PrependInt32(int(v))
                vectors[key] = b.EndVector()
        getattr(mod, f"{table}Start")(b)
        for key, value in options.items():
            add = getattr(mod, f"{table}Add{_camel(key)}", None)
            if add is None:
                raise KeyError(f"{table} has no field {key}")
            if key in vectors:
                add(b, vectors[key])
            elif isinstance(value, str):
                add(b, _enum_value(key, value))
            elif isinstance(value, bool):
                add(b, value)
            else:
                add(b, value)
        return getattr(mod, f"{table}End")(b)
