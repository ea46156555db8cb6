"""Arena size of a model under TFLM, measured with the host TFLM interpreter (pip tflite-micro).

Each allocation attempt runs in a forked child: on a too-small arena the host interpreter may
crash the process (segmentation fault) instead of raising, so the parent only reads the exit
status.
"""

from __future__ import annotations

import faulthandler
import os

from autodeploy.errors import AutodeployError

ALIGNMENT = 16
# TFLM's int8 Softmax Prepare requires beta * input_scale * 2^26 > 1 (it aborts otherwise).
_SOFTMAX_MIN_PRODUCT = 2.0**-26
_LARGEST_ARENA = 1 << 28


def softmax_scale_fix(data: bytes) -> tuple[bytes, list[str]]:
    """A copy of the model whose Softmax input scales meet TFLM's limit, plus a note per change.

    Allocation sizes do not depend on scale values, so the copy measures the same arena; the
    notes go into the generated header because the original model aborts in TFLM's Prepare.
    """
    import flatbuffers
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

    model = fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(data, 0))
    notes = []
    for sub in model.subgraphs:
        for op in sub.operators or []:
            code = model.operatorCodes[op.opcodeIndex]
            if max(code.builtinCode, code.deprecatedBuiltinCode) != fb.BuiltinOperator.SOFTMAX:
                continue
            tensor = sub.tensors[op.inputs[0]]
            beta = op.builtinOptions.beta
            scale = tensor.quantization.scale[0]
            if beta * scale > _SOFTMAX_MIN_PRODUCT:
                continue
            tensor.quantization.scale = [_SOFTMAX_MIN_PRODUCT / beta * 1.01] + list(
                tensor.quantization.scale[1:]
            )
            name = tensor.name.decode() if isinstance(tensor.name, bytes) else tensor.name
            notes.append(
                f"SOFTMAX input '{name}' has scale {scale:.6g} (beta {beta:g}): TFLM's int8 "
                "Softmax needs beta * scale > 2^-26 and aborts in AllocateTensors() otherwise"
            )
    if not notes:
        return data, notes
    builder = flatbuffers.Builder(len(data) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output()), notes


def allocates(data: bytes, arena_bytes: int) -> bool:
    """True if the host TFLM interpreter builds the model and allocates its tensors."""
    pid = os.fork()
    if pid == 0:  # child: never returns into the caller's code
        status = 1
        try:
            faulthandler.disable()  # pytest's handler would report the expected crash
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)  # TFLM prints every failed attempt
            os.dup2(devnull, 2)
            from tflite_micro.python.tflite_micro import runtime

            runtime.Interpreter.from_bytes(data, arena_size=arena_bytes)
            status = 0
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    return status == 0


def smallest_arena(data: bytes, model_path: str) -> int:
    """The smallest multiple of ALIGNMENT bytes with which the model allocates (bisection)."""
    low, high = 0, 4096
    while not allocates(data, high):
        low, high = high, high * 2
        if high > _LARGEST_ARENA:
            raise AutodeployError(
                f"{model_path}: the host TFLM interpreter does not allocate this model even "
                f"with a {_LARGEST_ARENA >> 20} MB arena; check that TFLM supports its ops"
            )
    while high - low > ALIGNMENT:
        mid = (low + high) // 2 // ALIGNMENT * ALIGNMENT
        if mid <= low:
            break
        if allocates(data, mid):
            high = mid
        else:
            low = mid
    return high


def with_margin(smallest: int) -> int:
    """The arena size to emit: the host minimum plus 1/32, rounded up to ALIGNMENT.

    The host figure is already an upper bound for Cortex-M (its persistent structs hold 64-bit
    pointers); the 1/32 covers allocator bookkeeping that changes between TFLM releases.
    """
    size = smallest + smallest // 32
    return -(-size // ALIGNMENT) * ALIGNMENT
