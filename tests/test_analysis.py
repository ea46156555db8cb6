"""Per-layer analysis: the reference MAC formula, layer facts and warnings on real models."""

from pathlib import Path

import pytest

from autodeploy.analysis.model_analysis import analyze_bytes

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
ALL_OPS = frozenset({"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "AVERAGE_POOL_2D",
                     "RESHAPE", "SOFTMAX"})  # fmt: skip


def analyze(name, supported=ALL_OPS):
    path = MODELS_DIR / name
    return analyze_bytes(path.read_bytes(), f"models/{name}", supported)


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
    result = analyze("mlperf_tiny_ic_resnet8_cifar10_int8.tflite")
    unsupported = [w for w in result["warnings"] if w["code"] == "unsupported-op"]
    assert [w["message"].split()[0] for w in unsupported] == ["ADD"]
    assert len(unsupported[0]["layers"]) == 3
    assert "supported:" in unsupported[0]["advice"]


def test_column_layout_1d_conv_is_flagged():
    result = analyze("mlperf_tiny_sww_streaming_wakeword_int8.tflite", frozenset())
    codes = {w["code"] for w in result["warnings"]}
    assert "conv1d-h-by-1" in codes
    finding = next(w for w in result["warnings"] if w["code"] == "conv1d-h-by-1")
    assert "1 x W" in finding["advice"]
