"""Registry of lowering functions, keyed by TFLite builtin opcode name.

A lowering module declares

    @register("CONV_2D")
    def lower_conv2d(op: Operator, sg: Subgraph) -> KernelCall: ...

and raises `Unsupported("<detail>")` for parameter combinations the runtime cannot run. A lowering
for one activation type only registers with `dtype`, e.g. `@register("CONV_2D", dtype="INT16")`:
it is used when the op's activation input (see `activation_dtype`) has that type, the opcode's
plain lowering otherwise. All
modules of this package are imported once, on first use (thread-safe), so they self-register.
"""

from __future__ import annotations

from collections.abc import Callable

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.module_loader import PackageModules
from autodeploy.tflite.model import Operator, Subgraph

LowerFn = Callable[[Operator, Subgraph], KernelCall]

_REGISTRY: dict[str, LowerFn] = {}
_BY_DTYPE: dict[tuple[str, str], LowerFn] = {}  # (opcode, activation dtype) -> lowering
# The input that carries an op's activations where it is not input 0 (TRANSPOSE_CONV's input 0 is
# its output shape).
_ACTIVATION_INPUT = {"TRANSPOSE_CONV": 2}
_MODULES = PackageModules(__package__)


class Unsupported(Exception):
    """The operator (or one of its parameter combinations) has no runtime kernel.

    `detail` is a short human-readable reason, e.g. "dilation 2 with stride 2".
    """

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def register(*opcodes: str, dtype: str | None = None) -> Callable[[LowerFn], LowerFn]:
    """Decorator registering a lowering function for one or more opcodes; with `dtype`, only for
    ops whose activation input has that type."""

    def deco(fn: LowerFn) -> LowerFn:
        for name in opcodes:
            table, key = (_REGISTRY, name) if dtype is None else (_BY_DTYPE, (name, dtype))
            if key in table and table[key] is not fn:
                raise RuntimeError(
                    f"opcode {key} registered twice: {table[key].__module__} and {fn.__module__}"
                )
            table[key] = fn
        return fn

    return deco


def supported_opcodes() -> frozenset[str]:
    """Opcodes that have a lowering function (some parameter combinations may still be rejected)."""
    _MODULES.load()
    return frozenset(_REGISTRY) | {name for name, _ in _BY_DTYPE}


def opcodes_for_dtype(dtype: str) -> frozenset[str]:
    """Opcodes with a lowering for ops whose first input has type `dtype`."""
    _MODULES.load()
    return frozenset(name for name, t in _BY_DTYPE if t == dtype)


def activation_dtype(op: Operator, subgraph: Subgraph) -> str | None:
    """Type of the op's activation input (input 0, or TRANSPOSE_CONV's input 2), None without
    one."""
    position = _ACTIVATION_INPUT.get(op.opcode, 0)
    index = op.inputs[position] if len(op.inputs) > position else -1
    return subgraph.tensors[index].dtype if index >= 0 else None


def lower_operator(op: Operator, subgraph: Subgraph) -> KernelCall:
    """Lower one operator to a KernelCall; raises Unsupported if no kernel can run it."""
    _MODULES.load()
    fn = _BY_DTYPE.get((op.opcode, activation_dtype(op, subgraph))) or _REGISTRY.get(op.opcode)
    if fn is None and op.opcode == "CUSTOM" and op.custom_code == "ethos-u":
        raise Unsupported(
            "custom op ethos-u: this model was compiled by Arm's Vela for an Ethos-U NPU; its "
            "command stream runs only on that NPU. Give the model from before Vela"
        )
    if fn is None:
        name = f"custom op {op.custom_code}" if op.opcode == "CUSTOM" else op.opcode
        raise Unsupported(f"no kernel for {name}")
    return fn(op, subgraph)
