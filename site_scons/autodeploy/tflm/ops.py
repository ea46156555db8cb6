"""TFLite builtin op -> the `tflite::MicroMutableOpResolver` method that registers its kernel."""

from __future__ import annotations

from autodeploy.errors import AutodeployError

# Method names as declared in tensorflow/lite/micro/micro_mutable_op_resolver.h.
RESOLVER_METHODS = {
    "ADD": "AddAdd",
    "ARG_MAX": "AddArgMax",
    "ARG_MIN": "AddArgMin",
    "ASSIGN_VARIABLE": "AddAssignVariable",
    "AVERAGE_POOL_2D": "AddAveragePool2D",
    "BATCH_MATMUL": "AddBatchMatMul",
    "BATCH_TO_SPACE_ND": "AddBatchToSpaceNd",
    "CALL_ONCE": "AddCallOnce",
    "CONCATENATION": "AddConcatenation",
    "CONV_2D": "AddConv2D",
    "DEPTHWISE_CONV_2D": "AddDepthwiseConv2D",
    "DEPTH_TO_SPACE": "AddDepthToSpace",
    "DEQUANTIZE": "AddDequantize",
    "FULLY_CONNECTED": "AddFullyConnected",
    "GATHER": "AddGather",
    "HARD_SWISH": "AddHardSwish",
    "LEAKY_RELU": "AddLeakyRelu",
    "LOGISTIC": "AddLogistic",
    "MAXIMUM": "AddMaximum",
    "MAX_POOL_2D": "AddMaxPool2D",
    "MEAN": "AddMean",
    "MINIMUM": "AddMinimum",
    "MUL": "AddMul",
    "PACK": "AddPack",
    "PAD": "AddPad",
    "PRELU": "AddPrelu",
    "QUANTIZE": "AddQuantize",
    "READ_VARIABLE": "AddReadVariable",
    "REDUCE_MAX": "AddReduceMax",
    "RELU": "AddRelu",
    "RELU6": "AddRelu6",
    "RESHAPE": "AddReshape",
    "RESIZE_BILINEAR": "AddResizeBilinear",
    "RSQRT": "AddRsqrt",
    "SHAPE": "AddShape",
    "SOFTMAX": "AddSoftmax",
    "SPACE_TO_BATCH_ND": "AddSpaceToBatchNd",
    "SPACE_TO_DEPTH": "AddSpaceToDepth",
    "SPLIT": "AddSplit",
    "SPLIT_V": "AddSplitV",
    "SQUARED_DIFFERENCE": "AddSquaredDifference",
    "STRIDED_SLICE": "AddStridedSlice",
    "SUB": "AddSub",
    "SUM": "AddSum",
    "SVDF": "AddSvdf",
    "TANH": "AddTanh",
    "TRANSPOSE": "AddTranspose",
    "TRANSPOSE_CONV": "AddTransposeConv",
    "UNIDIRECTIONAL_SEQUENCE_LSTM": "AddUnidirectionalSequenceLSTM",
    "UNPACK": "AddUnpack",
    "VAR_HANDLE": "AddVarHandle",
}


def resource_variables(model) -> int:
    """How many resource variables TFLM must hold: distinct (container, shared_name) names of
    the VAR_HANDLE ops in any subgraph (the reference tool's --resource-variable-count)."""
    return len(
        {
            (op.options.get("container") or "", op.options.get("shared_name") or "")
            for sub in model.subgraphs
            for op in sub.operators
            if op.opcode == "VAR_HANDLE"
        }
    )


def resolver_methods(opcodes: set[str], model_path: str) -> list[str]:
    """The AddXxx calls for a model's op set (TFLM runs every op, shape-only ones included)."""
    missing = sorted(op for op in opcodes if op not in RESOLVER_METHODS)
    if missing:
        raise AutodeployError(
            f"{model_path}: no TFLM op resolver method known for {', '.join(missing)}; add it "
            "to RESOLVER_METHODS in site_scons/autodeploy/tflm/ops.py (the name of its "
            "MicroMutableOpResolver::AddXxx method)"
        )
    return sorted(RESOLVER_METHODS[op] for op in opcodes)
