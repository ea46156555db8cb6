"""Registry of lowering functions, keyed by TFLite builtin opcode name.

A lowering module declares

    @register("CONV_2D")
    def lower_conv2d(op: Operator, sg: Subgraph) -> KernelCall: ...

and raises `Unsupported("<detail>")` for parameter combinations the runtime cannot run. All modules
of this package are imported once, on first use (thread-safe), so they self-register.
"""

from __future__ import annotations

from collections.abc import Callable

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.module_loader import PackageModules
from autodeploy.tflite.model import Operator, Subgraph

LowerFn = Callable[[Operator, Subgraph], KernelCall]

_REGISTRY: dict[str, LowerFn] = {}
_MODULES = PackageModules(__package__)


class Unsupported(Exception):
    """The operator (or one of its parameter combinations) has no runtime kernel.

    `detail` is a short human-readable reason, e.g. "dilation 2 with stride 2".
    """

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def register(*opcodes: str) -> Callable[[LowerFn], LowerFn]:
    """Decorator registering a lowering function for one or more opcodes."""

    def deco(fn: LowerFn) -> LowerFn:
        for name in opcodes:
            if name in _REGISTRY and _REGISTRY[name] is not fn:
                raise RuntimeError(
                    f"opcode {name} registered twice: {_REGISTRY[name].__module__} and "
                    f"{fn.__module__}"
                )
            _REGISTRY[name] = fn
        return fn

    return deco


def supported_opcodes() -> frozenset[str]:
    """Opcodes that have a lowering function (some parameter combinations may still be rejected)."""
    _MODULES.load()
    return frozenset(_REGISTRY)


def lower_operator(op: Operator, subgraph: Subgraph) -> KernelCall:
    """Lower one operator to a KernelCall; raises Unsupported if no kernel can run it."""
    _MODULES.load()
    fn = _REGISTRY.get(op.opcode)
    if fn is None and op.opcode == "CUSTOM" and op.custom_code == "ethos-u":
        raise Unsupported(
            "custom op ethos-u: this model was compiled by Arm's Vela for an Ethos-U NPU; its "
            "command stream runs only on that NPU. Give the model from before Vela"
        )
    if fn is None:
        name = f"custom op {op.custom_code}" if op.opcode == "CUSTOM" else op.opcode
        raise Unsupported(f"no kernel for {name}")
    return fn(op, subgraph)
