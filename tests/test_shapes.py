"""Shapes computed from the graph, as TFLite's Prepare() does: stale stored shapes are corrected
(and listed in the analysis), inconsistent graphs are refused with the layer named."""

from pathlib import Path

import numpy as np
import pytest
from support.native_harness import assert_bit_exact
from support.tflite_builder import ModelBuilder

from autodeploy.analysis.model_analysis import analyze
from autodeploy.analysis.report import analysis_markdown
from autodeploy.codegen.pipeline import compile_bytes
from autodeploy.errors import TfliteFormatError
from autodeploy.target import PORTABLE
from autodeploy.tflite.reader import parse_model

MODELS = sorted((Path(__file__).resolve().parent.parent / "models").glob("*.tflite"))
STALE = "tcn_dilated_int8"  # made with the stored shapes of the graph before the dilation rewrite


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_every_shipped_model_has_the_shapes_its_layers_compute(path):
    program = compile_bytes(path.read_bytes(), path.name, PORTABLE)
    if path.stem == STALE:  # the blocks of dilation 2, 4, 8 are batches the file stores as 1
        assert [(f.stored[0], f.inferred[0]) for f in program.shape_fixes] == [
            (1, 2), (1, 2), (1, 4), (1, 4), (1, 8), (1, 8)
        ]  # fmt: skip
    else:
        assert program.shape_fixes == []


def _dilated_depthwise_with_stale_shapes() -> bytes:
    """A 2-dilated 3x3 depthwise as converters lower it (SPACE_TO_BATCH_ND -> DEPTHWISE ->
    BATCH_TO_SPACE_ND), with the batch-1 shapes of the graph before the rewrite stored."""
    rng = np.random.default_rng(4)
    b = ModelBuilder()
    x = b.tensor([1, 1, 124, 24], "INT8", 0.05, 3)
    block = b.const(np.array([1, 2], np.int32))
    pads = b.const(np.array([[0, 0], [2, 2]], np.int32))
    crops = b.const(np.array([[0, 0], [0, 0]], np.int32))
    spaced = b.tensor([1, 1, 124, 24], "INT8", 0.05, 3)  # stale: really [2, 1, 64, 24]
    w = b.const(rng.integers(-127, 128, (1, 1, 3, 24), dtype=np.int8), scale=[0.02] * 24,
                zero_point=[0] * 24, quantized_dimension=3)  # fmt: skip
    bias = b.const(rng.integers(-500, 500, 24, dtype=np.int32), scale=[0.001] * 24)
    conv = b.tensor([1, 1, 124, 24], "INT8", 0.1, -4)  # stale: really [2, 1, 62, 24]
    y = b.tensor([1, 1, 124, 24], "INT8", 0.1, -4)
    b.op("SPACE_TO_BATCH_ND", [x, block, pads], [spaced])
    b.op("DEPTHWISE_CONV_2D", [spaced, w, bias], [conv], "DepthwiseConv2DOptions",
         {"padding": "VALID", "stride_h": 1, "stride_w": 1, "depth_multiplier": 1},
         version=2)  # fmt: skip
    b.op("BATCH_TO_SPACE_ND", [conv, block, crops], [y])
    return b.build([x], [y])


def test_stale_shapes_are_computed_listed_and_run_bit_exact():
    data = _dilated_depthwise_with_stale_shapes()
    analysis = analyze(compile_bytes(data, "tcn.tflite", PORTABLE))
    fixes = {
        (f["layer"], tuple(f["stored"]), tuple(f["inferred"])) for f in analysis["shape_fixes"]
    }
    assert fixes == {(0, (1, 1, 124, 24), (2, 1, 64, 24)), (1, (1, 1, 124, 24), (2, 1, 62, 24))}
    assert analysis["layers"][1]["output_shapes"] == [[2, 1, 62, 24]]
    markdown = analysis_markdown("tcn", analysis, {"platform": "p", "requested": {
        "model_location": "auto", "arena_location": "auto"}, "placement": {
        "model_location": "TCM", "arena_location": "TCM", "usage": {}}})  # fmt: skip
    assert (
        "## Shapes computed from the graph" in markdown and "| 1x1x124x24 | 2x1x62x24 |" in markdown
    )
    assert_bit_exact(data, n_inputs=3)


def test_an_inconsistent_graph_is_refused_with_the_layer():
    b = ModelBuilder()
    x = b.tensor([1, 8, 8, 3], "INT8", 0.1, 0)
    z = b.tensor([1, 8, 4, 3], "INT8", 0.1, 0)
    y = b.tensor([1, 8, 8, 3], "INT8", 0.1, 0)
    b.op("ADD", [x, z], [y], "AddOptions", {})
    with pytest.raises(TfliteFormatError, match=r"layer 0 ADD is inconsistent: .*do not broadcast"):
        compile_bytes(b.build([x, z], [y]), "bad.tflite", PORTABLE)


def _one_op(opcode, inputs, outputs, options_type=None, options=None):
    """A single-op model; `inputs` are (shape, dtype) for graph inputs or numpy constants, and
    every output is stored with the stale shape [1]."""
    b = ModelBuilder()
    ins = [
        b.const(i) if isinstance(i, np.ndarray) else b.tensor(i[0], i[1], 0.1, 0) for i in inputs
    ]
    outs = [b.tensor([1], dtype, 0.1, 0) if dtype == "INT8" else b.tensor([1], dtype)
            for dtype in outputs]  # fmt: skip
    b.op(opcode, ins, outs, options_type, options)
    graph_inputs = [t for t, i in zip(ins, inputs, strict=True) if not isinstance(i, np.ndarray)]
    return b.build(graph_inputs, outs)


I32 = np.int32
SHAPE_CASES = [
    (_one_op("SPLIT_V", [([2, 10, 3], "INT8"), np.array([3, -1, 1], I32), np.array(1, I32)],
             ["INT8"] * 3, "SplitVOptions", {"num_splits": 3}),
     [(2, 3, 3), (2, 6, 3), (2, 1, 3)]),
    (_one_op("UNPACK", [([2, 3, 4], "INT8")], ["INT8"] * 3, "UnpackOptions", {"axis": 1}),
     [(2, 4)] * 3),
    (_one_op("GATHER", [([2, 5, 3], "INT8"), np.zeros((2, 4), I32)], ["INT8"], "GatherOptions",
             {"axis": 1, "batch_dims": -1}),
     [(2, 4, 3)]),
    (_one_op("ARG_MAX", [([2, 5, 3], "INT8"), np.array([-2], I32)], ["INT64"], "ArgMaxOptions",
             {"output_type": "INT64"}),
     [(2, 3)]),
    (_one_op("SUM", [([2, 5, 3], "INT8"), np.array([0, 2], I32)], ["INT8"], "ReducerOptions",
             {"keep_dims": True}),
     [(1, 5, 1)]),
    (_one_op("DEPTH_TO_SPACE", [([1, 2, 3, 8], "INT8")], ["INT8"], "DepthToSpaceOptions",
             {"block_size": 2}),
     [(1, 4, 6, 2)]),
    (_one_op("SPACE_TO_DEPTH", [([1, 4, 6, 2], "INT8")], ["INT8"], "SpaceToDepthOptions",
             {"block_size": 2}),
     [(1, 2, 3, 8)]),
    (_one_op("RESIZE_BILINEAR", [([1, 2, 3, 4], "INT8"), np.array([5, 7], I32)], ["INT8"]),
     [(1, 5, 7, 4)]),
    (_one_op("BATCH_MATMUL", [([3, 1, 6, 4], "INT8"), ([2, 5, 6], "INT8")], ["INT8"],
             "BatchMatMulOptions", {"adj_x": True, "adj_y": True}),
     [(3, 2, 4, 5)]),
    (_one_op("TRANSPOSE_CONV", [np.array([1, 8, 8, 2], I32), np.ones((2, 3, 3, 4), np.int8),
                                ([1, 4, 4, 4], "INT8")], ["INT8"]),
     [(1, 8, 8, 2)]),
    (_one_op("PRELU", [([1, 4, 4, 3], "INT8"), ([1, 1, 3], "INT8")], ["INT8"]), [(1, 4, 4, 3)]),
]  # fmt: skip


@pytest.mark.parametrize(
    "model, shapes",
    SHAPE_CASES,
    ids=[parse_model(m, "op").main.operators[0].opcode for m, _ in SHAPE_CASES],
)
def test_new_op_output_shapes_are_computed(model, shapes):
    program = compile_bytes(model, "op.tflite", PORTABLE)
    sub = program.model.main
    assert [tuple(sub.tensors[i].shape) for i in sub.operators[0].outputs] == shapes


def test_a_depth_to_space_of_a_non_image_is_refused_with_the_layer():
    model = _one_op("DEPTH_TO_SPACE", [([2, 8, 4], "INT8")], ["INT8"], "DepthToSpaceOptions",
                    {"block_size": 2})  # fmt: skip
    with pytest.raises(
        TfliteFormatError, match=r"layer 0 DEPTH_TO_SPACE is inconsistent: .*rank-3"
    ):
        compile_bytes(model, "bad.tflite", PORTABLE)
