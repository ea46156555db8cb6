"""Registry of kernel variants, keyed by (portable kernel function, instruction set).

Lowering (codegen/lower/) turns each op into the portable C call: the readable reference with
every quantization parameter computed. A variant module then declares

    @variant("adrt_conv2d_s8", "mve")
    def conv2d_mve(call: KernelCall, layer: LayerContext) -> KernelCall | None: ...

returning the same computation as a call of its own kernel (weights packed for it at build time,
scratch memory declared), or None when its kernel does not cover these parameters (the next
instruction set of the target is tried, then the portable call stays). A variant must be bit-exact
with the portable call on every input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.module_loader import PackageModules
from autodeploy.target import Target
from autodeploy.tflite.model import Operator, Subgraph, Tensor


@dataclass(frozen=True)
class LayerContext:
    """What a variant may read besides the portable call: the op and its tensors."""

    op: Operator
    subgraph: Subgraph

    def tensor(self, index: int) -> Tensor:
        return self.subgraph.tensors[index]

    def constant(self, index: int, dtype) -> np.ndarray:
        """A constant tensor's data as a numpy array of its shape."""
        t = self.subgraph.tensors[index]
        assert t.data is not None, f"tensor {index} is not constant"
        return np.frombuffer(t.data, dtype=dtype).reshape(t.shape)


VariantFn = Callable[[KernelCall, LayerContext], KernelCall | None]

_REGISTRY: dict[tuple[str, str], VariantFn] = {}
_MODULES = PackageModules(__package__)


def variant(function: str, isa: str) -> Callable[[VariantFn], VariantFn]:
    """Decorator registering a variant of portable kernel `function` for instruction set `isa`."""

    def deco(fn: VariantFn) -> VariantFn:
        key = (function, isa)
        if key in _REGISTRY and _REGISTRY[key] is not fn:
            raise RuntimeError(f"variant {function}/{isa} registered twice")
        _REGISTRY[key] = fn
        return fn

    return deco


def choose_variant(call: KernelCall, layer: LayerContext, target: Target) -> KernelCall:
    """The fastest call of the target's instruction sets that covers `call`, else `call`."""
    _MODULES.load()
    for isa in target.kernel_isas:
        fn = _REGISTRY.get((call.function, isa))
        if fn is None:
            continue
        chosen = fn(call, layer)
        if chosen is not None:
            assert chosen.kernel == isa, f"{fn.__name__} returned a {chosen.kernel} call"
            return chosen
    return call
