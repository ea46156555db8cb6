"""Per-layer MAC estimate with the reference tool's formula (shapes NHWC, filter = input 1).

CONV_2D: Kh*Kw*Ho*Wo*Cout*Cin, DEPTHWISE_CONV_2D: Kh*Kw*Ho*Wo*Cout, FULLY_CONNECTED: filter's last
dimension times the output elements; every other op counts 0. Like the reference, batch is ignored.
Cin comes from the filter, so a grouped CONV_2D counts its real (per-group) work.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def estimate_macs(op: Operator, subgraph: Subgraph) -> MacEstimate:
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
