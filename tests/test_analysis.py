"""Per-layer analysis: the reference MAC formula, layer facts and warnings on real models."""

from pathlib import Path

import numpy as np
import pytest
from support.stateful_models import lstm_model, ring_buffer_model, svdf_model
from support.tflite_builder import ModelBuilder

from autodeploy.analysis.model_analysis import analyze_bytes
from autodeploy.target import DSP, MVE, PORTABLE

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


def analyze(name, target=PORTABLE):
    path = MODELS_DIR / name
    return analyze_bytes(path.read_bytes(), f"models/{name}", target)


@pytest.mark.parametrize(
    "name", ["mlperf_tiny_kws_dscnn_int8.tflite", "mlperf_tiny_kws_dscnn_int8_aligned.tflite"]
)
def test_kws_macs_match_reference_per_layer(name):
    result = analyze(name)
    macs = [layer["macs"] for layer in result["layers"]]
    assert macs == [
        320000,
        72000,
        512000,
        72000,
        512000,
        72000,
        512000,
        72000,
        512000,
        0,
        0,
        768,
        0,
    ]
    assert result["totals"]["macs"] == 2_656_768
    assert result["layers"][0]["mac_eq"] == "Kh*Kw*Ho*Wo*Cout*Cin = 10*4*25*5*64*1"


def test_kws_layer_facts():
    result = analyze("mlperf_tiny_kws_dscnn_int8.tflite")
    first = result["layers"][0]
    assert first["op"] == "CONV_2D"
    assert first["input_shapes"] == [[1, 49, 10, 1]]
    assert first["output_shapes"] == [[1, 25, 5, 64]]
    assert first["filter_shape"] == [64, 10, 4, 1]
    assert first["stride"] == [2, 2]
    assert first["padding"] == "SAME"
    assert first["fused_activation"] == "RELU"
    assert first["weight_bytes"] == 64 * 10 * 4 + 64 * 4  # int8 filter + int32 bias
    assert first["activation_bytes_read"] == 490
    assert first["activation_bytes_written"] == 25 * 5 * 64
    assert result["totals"]["layers"] == 13
    assert result["totals"]["op_set"]["DEPTHWISE_CONV_2D"] == 4
    assert result["warnings"] == []


def test_mnv3sm_totals_match_published_case_study():
    result = analyze("mobilenet_v3_small_a075_224_int8.tflite")
    assert result["totals"]["macs"] == 43_399_344


def test_unsupported_ops_are_named_per_layer():
    b = ModelBuilder()
    x = b.tensor([1, 8], "INT8", 0.1, 0)
    hidden = [b.tensor([1, 8], "INT8", 0.1, 0) for _ in range(3)]
    y = b.tensor([1, 8], "INT8", 0.1, 0)
    b.op("EXP", [x], [hidden[0]])
    b.op("RELU", [hidden[0]], [hidden[1]])
    b.op("EXP", [hidden[1]], [hidden[2]])
    b.op("EXP", [hidden[2]], [y])
    result = analyze_bytes(b.build([x], [y]), "exp.tflite", PORTABLE)
    unsupported = [w for w in result["warnings"] if w["code"] == "unsupported-op"]
    assert [w["message"].split()[0] for w in unsupported] == ["EXP"]
    assert list(unsupported[0]["layers"]) == [0, 2, 3]
    assert "supported:" in unsupported[0]["advice"] and "CONV_2D" in unsupported[0]["advice"]
    assert [layer["kernel"] for layer in result["layers"]] == [None, "c", None, None]


def test_column_layout_1d_conv_is_flagged():
    result = analyze("mlperf_tiny_sww_streaming_wakeword_int8.tflite")
    codes = {w["code"] for w in result["warnings"]}
    assert "conv1d-h-by-1" in codes
    finding = next(w for w in result["warnings"] if w["code"] == "conv1d-h-by-1")
    assert "1 x W" in finding["advice"]


def _depthwise_model(dilation: int) -> bytes:
    b = ModelBuilder()
    x = b.tensor([1, 12, 12, 8], "INT8", 0.05, 0)
    w = b.const(np.ones((1, 3, 3, 8), np.int8), scale=[0.01] * 8, quantized_dimension=3)
    bias = b.const(np.zeros(8, np.int32), scale=[0.0005] * 8)
    y = b.tensor([1, 12, 12, 8], "INT8", 0.1, 0)
    opts = {"padding": "SAME", "stride_h": 1, "stride_w": 1, "depth_multiplier": 1,
            "dilation_h_factor": dilation, "dilation_w_factor": dilation}  # fmt: skip
    b.op("DEPTHWISE_CONV_2D", [x, w, bias], [y], "DepthwiseConv2DOptions", opts, version=2)
    return b.build([x], [y])


def test_dilated_depthwise_is_flagged_with_advice():
    plain = analyze_bytes(_depthwise_model(1), "plain.tflite", PORTABLE)
    dilated = analyze_bytes(_depthwise_model(2), "dilated.tflite", PORTABLE)
    assert [w["code"] for w in plain["warnings"]] == []
    (finding,) = dilated["warnings"]
    assert finding["code"] == "dilated-depthwise" and list(finding["layers"]) == [0]
    assert "zero-inserted" in finding["advice"]


def test_float_tensors_are_flagged():
    b = ModelBuilder()
    x = b.tensor([1, 16], "FLOAT32")
    q = b.tensor([1, 16], "INT8", 0.1, 0)
    b.op("QUANTIZE", [x], [q])
    result = analyze_bytes(b.build([x], [q]), "float.tflite", PORTABLE)
    (finding,) = [w for w in result["warnings"] if w["code"] == "float-tensors"]
    assert list(finding["layers"]) == [0] and "full-integer" in finding["advice"]


def test_unsupported_parameters_are_named_with_their_detail():
    b = ModelBuilder()
    x = b.tensor([1, 10], "INT8", 0.1, 0)
    y = b.tensor([1, 10], "INT8", 0.5, 3)  # softmax output must be scale 1/256, zero point -128
    b.op("SOFTMAX", [x], [y], "SoftmaxOptions", {"beta": 1.0})
    result = analyze_bytes(b.build([x], [y]), "softmax.tflite", PORTABLE)
    (finding,) = result["warnings"]
    assert finding["code"] == "unsupported-parameters" and list(finding["layers"]) == [0]
    assert "layer 0 SOFTMAX:" in finding["message"]


def test_a_vela_model_and_other_custom_ops_are_named_with_their_layer():
    b = ModelBuilder()
    x = b.tensor([1, 16], "INT8", 0.1, 0)
    stream = b.const(np.frombuffer(b"COP1" + bytes(12), np.uint8))
    y = b.tensor([1, 16], "INT8", 0.1, 0)
    z = b.tensor([1, 16], "INT8", 0.1, 0)
    b.op("CUSTOM:ethos-u", [stream, x], [y])
    b.op("CUSTOM:MyFancyOp", [y], [z])
    result = analyze_bytes(b.build([x], [z]), "vela.tflite", PORTABLE)
    (finding,) = result["warnings"]
    assert finding["code"] == "custom-op" and list(finding["layers"]) == [0, 1]
    assert "layer 0: custom op ethos-u: this model was compiled by Arm's Vela" in finding["message"]
    assert "Give the model from before Vela" in finding["message"]
    assert "layer 1: no kernel for custom op MyFancyOp" in finding["message"]


def _int16_conv_reshape_model() -> bytes:
    b = ModelBuilder()
    x = b.tensor([1, 6, 6, 3], "INT16", 1e-3, 0)
    w = b.const(np.ones((4, 3, 3, 3), np.int8), scale=[0.02] * 4)
    bias = b.const(np.zeros(4, np.int64), scale=[2e-5] * 4)
    y = b.tensor([1, 6, 6, 4], "INT16", 4e-3, 0)
    opts = {"padding": "SAME", "stride_h": 1, "stride_w": 1}
    b.op("CONV_2D", [x, w, bias], [y], "Conv2DOptions", opts)
    flat = b.tensor([1, 144], "INT16", 4e-3, 0)
    b.op("RESHAPE", [y, b.const(np.array([1, 144], np.int32))], [flat])
    return b.build([x], [flat])


def test_int16_layers_are_runnable_and_flagged_as_portable_where_int8_gets_vector_kernels():
    data = _int16_conv_reshape_model()
    for target in (MVE, DSP):
        result = analyze_bytes(data, "s16.tflite", target)
        (finding,) = result["warnings"]  # no unsupported layer
        assert finding["code"] == "int16-activations"
        assert list(finding["layers"]) == [0]  # the conv, not the byte-copying RESHAPE
        assert "portable C" in finding["message"]
    assert analyze_bytes(data, "s16.tflite", PORTABLE)["warnings"] == []


def test_lstm_analysis_counts_gate_products_and_trusts_its_intermediates():
    model = lstm_model(n_time=7, n_input=3, n_cell=4, projection=True, n_output=2)
    result = analyze_bytes(model, "lstm.tflite", PORTABLE)
    (layer,) = result["layers"]
    # 7 steps x (4 gates x 4 cells x (3 inputs + 2 outputs) + projection 2 x 4)
    assert layer["macs"] == 7 * (4 * 4 * (3 + 2) + 2 * 4)
    assert layer["mac_eq"] == "T*B*(G*Cell*(In+Out)+Proj) = 7*1*(4*4*(3+2)+8)"
    # the float32 intermediates carry scales only; the int16 cell state is the kernel's own
    assert result["warnings"] == []
    assert result["stateful"] is True
    plan = result["memory_plan"]
    assert [s["name"] for s in plan["state"]] == ["output_state", "cell"]
    assert plan["persistent_bytes"] == 16 + 16  # 2 int8 and 4 int16 values, each aligned
    # the intermediates get no arena space
    planned = {t["name"] for t in plan["tensors"]}
    assert not planned & {"gate0", "gate1", "gate2", "gate3", "hidden"}


def test_cifg_lstm_and_svdf_macs():
    cifg = analyze_bytes(lstm_model(n_time=5, cifg=True), "cifg.tflite", PORTABLE)
    assert cifg["layers"][0]["macs"] == 5 * 3 * 4 * (3 + 4)
    svdf = analyze_bytes(svdf_model(batches=2, filters=6, memory=5), "svdf.tflite", PORTABLE)
    assert svdf["layers"][0]["macs"] == 2 * 6 * (8 + 5)
    assert svdf["warnings"] == [] and svdf["stateful"] is True


def test_evaluated_call_once_subgraph_is_not_a_warning():
    result = analyze_bytes(ring_buffer_model(), "ring.tflite", PORTABLE)
    assert result["warnings"] == []
    assert result["model"]["subgraphs"] == 2
    folded = [layer["op"] for layer in result["layers"] if layer["folded"]]
    assert folded == ["CALL_ONCE", "VAR_HANDLE", "VAR_HANDLE", "VAR_HANDLE"]
    assert result["stateful"] is True


def test_a_stateless_model_is_not_stateful():
    assert analyze("mlperf_tiny_kws_dscnn_int8.tflite")["stateful"] is False
