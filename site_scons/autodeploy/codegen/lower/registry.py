"""Registry of lowering functions, keyed by TFLite builtin opcode name.

A lowering module declares

    @register("CONV_2D")
    def lower_conv2d(op: Operator, sg: Subgraph) -> KernelCall: ...

and raises `Unsupported("<detail>")` for parameter combinations the runtime cannot run. All modules
of this package are imported once, on first use, so they self-register. SCons runs actions on
several threads: the first use loads every module under a lock, and the registry counts as loaded
only once all of them are in (another thread never sees a half-filled registry).
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.tflite.model import Operator, Subgraph

LowerFn = Callable[[Operator, Subgraph], KernelCall]

_REGISTRY: dict[str, LowerFn] = {}
_load_lock = threading.Lock()
_loaded = False


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


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    with _load_lock:
        if _loaded:
            return
        package = importlib.import_module(__package__)
        for info in pkgutil.iter_modules(package.__path__):
            if info.name != "registry" and not info.name.startswith("_"):
                importlib.import_module(f"{__package__}.{info.name}")
        _loaded = True


def supported_opcodes() -> frozenset[str]:
    """Opcodes that have a lowering function (some parameter combinations may still be rejected)."""
    _load_all()
    return frozenset(_REGISTRY)


def lower_operator(op: Operator, subgraph: Subgraph) -> KernelCall:
    """Lower one operator to a KernelCall; raises Unsupported if no kernel can run it."""
    _load_all()
    fn = _REGISTRY.get(op.opcode)
    if fn is None:
        name = op.custom_code if op.opcode == "CUSTOM" and op.custom_code else op.opcode
        raise Unsupported(f"no kernel for {name}")
    return fn(op, subgraph)
