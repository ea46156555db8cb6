"""Per-layer MAC estimate with the reference tool's formula (shapes NHWC, filter = input 1).

CONV_2D: Kh*Kw*Ho*Wo*Cout*Cin, DEPTHWISE_CONV_2D: Kh*Kw*Ho*Wo*Cout, FULLY_CONNECTED: filter's last
dimension times the output elements. Like the reference, batch is ignored there. Cin comes from
the filter, so a grouped CONV_2D counts its real (per-group) work.

The reference tool counts 0 for every other op; those that do matrix products are counted here:
TRANSPOSE_CONV and BATCH_MATMUL (see their functions);
UNIDIRECTIONAL_SEQUENCE_LSTM: every time step and batch, each gate (3 with CIFG) multiplies the
input and the previous output (Gates*Cell*(In+Out)) plus the projection (Out*Cell);
SVDF: every batch, the feature matrix (Filters*In) and the time weights (Filters*Memory).
Every other op counts 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from autodeploy.codegen.lower._spatial import pad_before
from autodeploy.tflite.model import Operator, Subgraph


@dataclass(frozen=True)
class MacEstimate:
    macs: int
    equation: str  # the reference tool's MAC_EQ string, "" for ops that count 0


def _product(values) -> int:
    result = 1
    for v in values:
        result *= v
    return result


def _transpose_conv_taps(size_in: int, size_out: int, taps: int, stride: int, pad: int) -> int:
    """(input position, filter tap) pairs of one axis whose output position lies in the output."""
    return sum(
        1 for i in range(size_in) for t in range(taps) if 0 <= i * stride - pad + t < size_out
    )


def _transpose_conv(op: Operator, subgraph: Subgraph) -> MacEstimate:
    """Every input pixel meets every filter tap at one output pixel; the MACs are those pairs that
    land inside the output (the rest are cropped by the padding), times Cin*Cout. Batch ignored,
    as for CONV_2D."""
    tensors = subgraph.tensors
    filt, x = tensors[op.inputs[1]].shape, tensors[op.inputs[2]].shape
    out = tensors[op.outputs[0]].shape
    if len(filt) != 4 or len(x) != 4 or len(out) != 4:
        return MacEstimate(0, "")
    cout, kh, kw, cin = filt
    padding = op.options.get("padding", "SAME")
    sh, sw = int(op.options.get("stride_h", 1)), int(op.options.get("stride_w", 1))
    if min(sh, sw) < 1:
        return MacEstimate(0, "")
    rows = _transpose_conv_taps(x[1], out[1], kh, sh, pad_before(padding, out[1], kh, sh, 1))
    cols = _transpose_conv_taps(x[2], out[2], kw, sw, pad_before(padding, out[2], kw, sw, 1))
    return MacEstimate(
        rows * cols * cin * cout,
        f"TapsH*TapsW*Cin*Cout = {rows}*{cols}*{cin}*{cout} (in-output input x tap pairs)",
    )


def _batch_matmul(op: Operator, subgraph: Subgraph) -> MacEstimate:
    """B*M*N*K: one K-long dot product per output element, the batch dimensions included (they
    are the products' count, not an image batch)."""
    lhs = subgraph.tensors[op.inputs[0]].shape
    out = subgraph.tensors[op.outputs[0]].shape
    if len(lhs) < 2 or len(out) < 2:
        return MacEstimate(0, "")
    depth = lhs[-2] if op.options.get("adj_x") else lhs[-1]
    batch = _product(out[:-2])
    rows, cols = out[-2], out[-1]
    return MacEstimate(batch * rows * cols * depth, f"B*M*N*K = {batch}*{rows}*{cols}*{depth}")


def _lstm(op: Operator, subgraph: Subgraph) -> MacEstimate:
    tensors = subgraph.tensors
    x, recurrent = tensors[op.inputs[0]], tensors[op.inputs[8]]
    if len(x.shape) != 3 or len(recurrent.shape) != 2:
        return MacEstimate(0, "")
    steps, batches = x.shape[1], x.shape[0]
    if op.options.get("time_major"):
        steps, batches = batches, steps
    cells, n_out = recurrent.shape
    n_in = x.shape[2]
    gates = 3 if op.inputs[1] < 0 else 4
    projection = n_out * cells if len(op.inputs) > 16 and op.inputs[16] >= 0 else 0
    per_step = gates * cells * (n_in + n_out) + projection
    return MacEstimate(
        steps * batches * per_step,
        f"T*B*(G*Cell*(In+Out)+Proj) = {steps}*{batches}*({gates}*{cells}*({n_in}+{n_out})"
        f"+{projection})",
    )


def _svdf(op: Operator, subgraph: Subgraph) -> MacEstimate:
    tensors = subgraph.tensors
    x, time = tensors[op.inputs[0]], tensors[op.inputs[2]]
    if len(x.shape) != 2 or len(time.shape) != 2:
        return MacEstimate(0, "")
    batches, n_in = x.shape
    filters, memory = time.shape
    return MacEstimate(
        batches * filters * (n_in + memory),
        f"B*F*(In+Mem) = {batches}*{filters}*({n_in}+{memory})",
    )


_OTHER = {"UNIDIRECTIONAL_SEQUENCE_LSTM": _lstm, "SVDF": _svdf}


def estimate_macs(op: Operator, subgraph: Subgraph) -> MacEstimate:
    if op.opcode == "TRANSPOSE_CONV" and len(op.inputs) >= 3:
        return _transpose_conv(op, subgraph)
    if op.opcode == "BATCH_MATMUL" and len(op.inputs) >= 2:
        return _batch_matmul(op, subgraph)
    if op.opcode in _OTHER:
        return _OTHER[op.opcode](op, subgraph)
    tensors = subgraph.tensors
    if op.opcode not in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED") or len(op.inputs) < 2:
        return MacEstimate(0, "")
    filt = tensors[op.inputs[1]].shape
    out = tensors[op.outputs[0]].shape
    if op.opcode == "FULLY_CONNECTED":
        if not filt:
            return MacEstimate(0, "")
        in_features = filt[-1]
        out_elems = _product(out)
        return MacEstimate(in_features * out_elems, f"In*Out = {in_features}*{out_elems}")
    if len(filt) != 4 or len(out) != 4:
        return MacEstimate(0, "")
    _, ho, wo, _ = out
    if op.opcode == "CONV_2D":
        cout, kh, kw, cin = filt
        return MacEstimate(
            kh * kw * ho * wo * cout * cin,
            f"Kh*Kw*Ho*Wo*Cout*Cin = {kh}*{kw}*{ho}*{wo}*{cout}*{cin}",
        )
    _, kh, kw, cout = filt
    return MacEstimate(kh * kw * ho * wo * cout, f"Kh*Kw*Ho*Wo*Cout = {kh}*{kw}*{ho}*{wo}*{cout}")
