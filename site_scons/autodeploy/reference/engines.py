"""The reference interpreters themselves. Each function may abort the process (both libraries
do on some models), so callers run them through runner.run_reference, never directly."""

from __future__ import annotations

import zlib

import numpy as np


def _litert(model_bytes: bytes, optimized: bool, preserve_all_tensors: bool = False):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    resolver = (
        OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
        if optimized
        else OpResolverType.BUILTIN_REF
    )
    it = Interpreter(
        model_content=model_bytes,
        experimental_op_resolver_type=resolver,
        experimental_preserve_all_tensors=preserve_all_tensors,
    )
    it.allocate_tensors()
    return it


def _set_inputs(it, inputs) -> None:
    for d, a in zip(it.get_input_details(), inputs, strict=True):
        it.set_tensor(d["index"], np.asarray(a, dtype=d["dtype"]).reshape(d["shape"]))


def litert_reference(model_bytes: bytes, input_sets, optimized=False) -> list[list[np.ndarray]]:
    """Outputs of LiteRT's reference kernels (BUILTIN_REF) for each input set; with `optimized`,
    of its optimized builtin kernels instead (no delegate)."""
    it = _litert(model_bytes, optimized)
    outs = it.get_output_details()
    results = []
    for inputs in input_sets:
        _set_inputs(it, inputs)
        it.invoke()
        results.append([it.get_tensor(d["index"]).copy() for d in outs])
    return results


def tflm_reference(model_bytes: bytes, input_sets) -> list[list[np.ndarray]]:
    """Outputs of the TFLite Micro host interpreter, for cases LiteRT refuses. The input sets
    run in sequence on one interpreter, so a stateful model carries its state from one to the
    next (as LiteRT's and the board's do)."""
    from tflite_micro.python.tflite_micro import runtime

    from autodeploy.tflite.reader import parse_model

    main = parse_model(model_bytes, "<tflm>").main
    n_out = len(main.outputs)
    # TFLM's default arena (10x the file) is too small for small models with large activations:
    # add room for every tensor twice (kernel scratch included), a generous upper bound.
    activations = sum(t.nbytes for t in main.tensors if not t.is_constant)
    arena = 10 * len(model_bytes) + 2 * activations + (16 << 10)
    it = runtime.Interpreter.from_bytes(model_bytes, arena_size=arena)
    results = []
    for inputs in input_sets:
        for k, a in enumerate(inputs):
            d = it.get_input_details(k)
            it.set_input(np.asarray(a, dtype=d["dtype"]).reshape(d["shape"]), k)
        it.invoke()
        results.append([it.get_output(k).copy() for k in range(n_out)])
    return results


def litert_layer_crcs(model_bytes: bytes, sequence, optimized=False) -> dict[int, int]:
    """CRC-32 of every operator's first output after the last of a sequence of invokes (one per
    input set; earlier ones bring a stateful model to its state), keyed by operator index (the
    number that starts a layer tag such as "3_DEPTHWISE_CONV_2D")."""
    from autodeploy.tflite.reader import parse_model

    it = _litert(model_bytes, optimized, preserve_all_tensors=True)
    for inputs in sequence:
        _set_inputs(it, inputs)
        it.invoke()
    crcs = {}
    for op in parse_model(model_bytes, "<reference>").main.operators:
        if op.outputs and op.outputs[0] >= 0:
            data = np.ascontiguousarray(it.get_tensor(op.outputs[0]))
            crcs[op.index] = zlib.crc32(data.tobytes())
    return crcs


#: Kind -> function(model_bytes, payload): what runner.run_reference may ask a child to compute.
KIND_FUNCTIONS = {
    "litert": lambda model, sets: litert_reference(model, sets),
    "litert-optimized": lambda model, sets: litert_reference(model, sets, optimized=True),
    "tflm": tflm_reference,
    "litert-layers": lambda model, inputs: litert_layer_crcs(model, inputs),
    "litert-optimized-layers": lambda model, inputs: litert_layer_crcs(model, inputs, True),
}
