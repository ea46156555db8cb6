"""Findings that help a data scientist make the model deploy better.

Each warning names the layer(s), says why it matters on a Cortex-M and what to try instead.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from autodeploy.codegen.lower.registry import (
    activation_dtype,
    opcodes_for_dtype,
    supported_opcodes,
)
from autodeploy.codegen.pipeline import Program

_FLOAT_TYPES = {"FLOAT32", "FLOAT16", "BFLOAT16", "FLOAT64"}


@dataclass(frozen=True)
class Finding:
    code: str  # stable identifier, e.g. "dilated-depthwise"
    layers: tuple[int, ...]
    message: str  # what and why
    advice: str  # what to try

    def to_dict(self) -> dict:
        return asdict(self)


def _layers_text(layers) -> str:
    shown = ", ".join(str(i) for i in layers[:12])
    return shown + (f" and {len(layers) - 12} more" if len(layers) > 12 else "")


def find_warnings(program: Program) -> list[Finding]:
    """Findings on the model as compiled (folded, each layer lowered for the program's target)."""
    model = program.model
    sub = model.main
    tensors = sub.tensors
    supported_ops = supported_opcodes()
    found: list[Finding] = []

    def add(code, layers, message, advice):
        if layers:
            found.append(Finding(code, tuple(layers), message.format(_layers_text(layers)), advice))

    unsupported: dict[str, list[int]] = {}
    unsupported_params = []
    custom = []
    for layer in program.problems:
        op = layer.op
        if op.opcode == "CUSTOM":
            custom.append((op.index, f"layer {op.index}: {layer.problem}"))
        elif op.opcode not in supported_ops:
            unsupported.setdefault(op.opcode, []).append(op.index)
        else:
            unsupported_params.append((op.index, f"layer {op.index} {op.opcode}: {layer.problem}"))
    if custom:
        found.append(
            Finding(
                "custom-op",
                tuple(index for index, _ in custom),
                "Custom ops have no kernel in the firmware runtime, so firmware cannot be "
                "generated: " + "; ".join(text for _, text in custom) + ".",
                "Export the model without custom ops (or from before an accelerator compiler "
                "such as Vela).",
            )
        )
    if unsupported_params:
        found.append(
            Finding(
                "unsupported-parameters",
                tuple(index for index, _ in unsupported_params),
                "The firmware runtime has kernels for these ops but not for these parameters, "
                "so firmware cannot be generated: "
                + "; ".join(text for _, text in unsupported_params)
                + ".",
                "Change the layer's parameters (or quantization) before conversion; the detail "
                "says which one the runtime cannot run.",
            )
        )
    for opcode, layers in sorted(unsupported.items()):
        add(
            "unsupported-op",
            layers,
            f"{opcode} (layers {{}}) has no kernel in the firmware runtime, so firmware cannot "
            "be generated for this model.",
            "Replace the op with supported ones before conversion (supported: "
            + ", ".join(sorted(supported_ops))
            + ").",
        )

    dilated = [
        op.index
        for op in sub.operators
        if op.opcode == "DEPTHWISE_CONV_2D"
        and max(op.options.get("dilation_h_factor", 1), op.options.get("dilation_w_factor", 1)) > 1
    ]
    add(
        "dilated-depthwise",
        dilated,
        "Dilated DEPTHWISE_CONV_2D at layers {}: dilation defeats the optimized (MVE) depthwise "
        "path, so these layers run several times slower per MAC than undilated ones.",
        "Use an undilated kernel with zero-inserted weights (same receptive field), or replace "
        "dilation with striding/pooling in the architecture.",
    )

    column_convs = []
    for op in sub.operators:
        if op.opcode not in ("CONV_2D", "DEPTHWISE_CONV_2D") or op.inputs[0] < 0:
            continue
        in_shape = tensors[op.inputs[0]].shape
        filt = tensors[op.inputs[1]].shape
        is_column = len(in_shape) == 4 and in_shape[2] == 1 and in_shape[1] > 1
        if is_column and len(filt) == 4 and filt[2] == 1 and filt[1] > 1:
            column_convs.append(op.index)
    add(
        "conv1d-h-by-1",
        column_convs,
        "1-D convolutions at layers {} are laid out as H x 1 (input width 1). Kernels walk the "
        "width innermost, so an H x 1 layout gets no reuse along the row and runs slower.",
        "Lay 1-D signals out as 1 x W (shape [1, 1, W, C]) with 1 x K kernels before conversion.",
    )

    # An op's intermediates (the LSTM's gate scales) are empty float32 tensors that carry only
    # quantization parameters: no float data flows through them.
    intermediates = {i for op in sub.operators for i in op.intermediates}
    intermediates -= {i for op in sub.operators for i in (*op.inputs, *op.outputs)}
    float_tensors = [
        t.index for t in tensors if t.dtype in _FLOAT_TYPES and t.index not in intermediates
    ]
    if float_tensors:
        readers = sorted(
            {op.index for op in sub.operators if set(op.inputs) & set(float_tensors)}
            | {op.index for op in sub.operators if set(op.outputs) & set(float_tensors)}
        )
        names = ", ".join(tensors[i].name for i in float_tensors[:5])
        add(
            "float-tensors",
            readers,
            f"Float tensors in a quantized model ({names}"
            f"{'...' if len(float_tensors) > 5 else ''}) "
            "at layers {}: float work is slow on Cortex-M and may fall back to unoptimized "
            "kernels.",
            "Use full-integer post-training quantization with integer inputs and outputs "
            "(converter.inference_input_type = tf.int8, or tf.int16 for a 16x8 model) so every "
            "op runs in integers.",
        )

    explicit_pads = [
        op.index
        for op in sub.operators
        if op.opcode in ("PAD", "PADV2")
        and any(
            consumer.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D")
            and consumer.inputs
            and consumer.inputs[0] == op.outputs[0]
            for consumer in sub.operators
        )
    ]
    add(
        "explicit-pad",
        explicit_pads,
        "PAD layers {} feed convolutions: each copies the whole activation into a larger buffer, "
        "costing time and arena.",
        "If the padding equals what padding='same' adds, export the convolution with SAME "
        "padding and drop the PAD layer.",
    )

    # 16x8 layers run portable C even where int8 layers get vector kernels.
    int16_ops = opcodes_for_dtype("INT16")
    portable_int16 = [
        layer.op.index
        for layer in program.layers
        if program.target.kernel_isas != ("c",)
        and layer.call is not None
        and layer.call.kernel == "c"
        and layer.op.opcode in int16_ops
        and activation_dtype(layer.op, sub) == "INT16"
    ]
    add(
        "int16-activations",
        portable_int16,
        "Layers {} compute on 16-bit activations (16x8): they run portable C kernels (the Helium "
        "and DSP kernel variants are int8 only), and their activations take twice the memory of "
        "int8 ones.",
        "Keep 16-bit activations for the layers whose accuracy needs them (mixed int8/16x8 "
        "quantization) and quantize the others to int8.",
    )

    # CALL_ONCE initialization subgraphs evaluated at build time need nothing on the board
    evaluated = {
        int(op.options.get("init_subgraph_index", 0))
        for op in program.source.main.operators
        if op.opcode == "CALL_ONCE" and op.index in program.folded
    }
    others = [k for k in range(1, len(model.subgraphs)) if k not in evaluated]
    if others:
        found.append(
            Finding(
                "multiple-subgraphs",
                (),
                f"The model has {len(model.subgraphs)} subgraphs; subgraph(s) "
                f"{', '.join(map(str, others))} are not deployed: only subgraph 0 and the "
                "CALL_ONCE initialization subgraphs evaluated at build time are, and "
                "control-flow ops (WHILE, IF) are not run on the board.",
                "Export a single-subgraph model (unroll loops, avoid tf.cond in the graph).",
            )
        )

    # A dynamic batch (dim 0) is what Keras exports by default; other dynamic dims are unusual.
    dynamic = [t.name for t in tensors if t.shape_signature and -1 in t.shape_signature[1:]]
    if dynamic:
        found.append(
            Finding(
                "dynamic-shape",
                (),
                f"Tensors with a dynamic dimension ({', '.join(dynamic[:3])}): the board runs "
                "with the static shape stored in the file (usually batch 1).",
                "Export with a fixed input shape so the arena plan matches what you intend.",
            )
        )
    return found
