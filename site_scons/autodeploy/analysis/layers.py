"""Per-layer facts of the main subgraph: shapes, kernel geometry, MACs, bytes moved."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from autodeploy.analysis.macs import estimate_macs
from autodeploy.tflite.model import Model, Operator, Subgraph

_FILTERED_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "TRANSPOSE_CONV")


@dataclass
class Layer:
    index: int
    op: str
    tag: str  # short label used in profiles, e.g. "3_DEPTHWISE_CONV_2D"
    input_shapes: list[list[int]]
    input_dtypes: list[str]
    output_shapes: list[list[int]]
    output_dtypes: list[str]
    filter_shape: list[int] | None
    stride: list[int] | None  # [h, w]
    dilation: list[int] | None  # [h, w]
    padding: str | None
    fused_activation: str | None
    macs: int
    mac_eq: str
    weight_bytes: int
    activation_bytes_read: int
    activation_bytes_written: int
    folded: bool = False  # computed at build time (shape-only op): no code on the board
    kernel: str | None = None  # the variant that runs it: "mve", "dsp" or "c"; None if none can
    scratch_bytes: int = 0  # the kernel's working memory in the arena (during this layer)

    def to_dict(self) -> dict:
        return asdict(self)


def _kernel_geometry(op: Operator) -> tuple[list[int] | None, list[int] | None, str | None]:
    opts = op.options
    stride = [opts["stride_h"], opts["stride_w"]] if "stride_h" in opts else None
    dilation = (
        [opts["dilation_h_factor"], opts["dilation_w_factor"]]
        if "dilation_h_factor" in opts
        else None
    )
    return stride, dilation, opts.get("padding")


def describe_layer(op: Operator, subgraph: Subgraph) -> Layer:
    tensors = subgraph.tensors
    data_inputs = [tensors[i] for i in op.inputs if i >= 0 and not tensors[i].is_constant]
    const_inputs = [tensors[i] for i in op.inputs if i >= 0 and tensors[i].is_constant]
    outputs = [tensors[i] for i in op.outputs]
    filter_shape = None
    if op.opcode in _FILTERED_OPS and len(op.inputs) > 1 and op.inputs[1] >= 0:
        filter_shape = list(tensors[op.inputs[1]].shape)
    stride, dilation, padding = _kernel_geometry(op)
    mac = estimate_macs(op, subgraph)
    return Layer(
        index=op.index,
        op=op.opcode,
        tag=f"{op.index}_{op.opcode}",
        input_shapes=[list(t.shape) for t in data_inputs],
        input_dtypes=[t.dtype for t in data_inputs],
        output_shapes=[list(t.shape) for t in outputs],
        output_dtypes=[t.dtype for t in outputs],
        filter_shape=filter_shape,
        stride=stride,
        dilation=dilation,
        padding=padding,
        fused_activation=op.options.get("fused_activation_function"),
        macs=mac.macs,
        mac_eq=mac.equation,
        weight_bytes=sum(t.nbytes for t in const_inputs),
        activation_bytes_read=sum(t.nbytes for t in data_inputs),
        activation_bytes_written=sum(t.nbytes for t in outputs),
    )


def describe_layers(model: Model) -> list[Layer]:
    return [describe_layer(op, model.main) for op in model.main.operators]
