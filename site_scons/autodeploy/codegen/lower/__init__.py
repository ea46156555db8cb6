"""Per-operator lowering: one module per kernel family, each registering with `registry`.

Use `registry.lower_operator(op, subgraph)` to turn a TFLite operator into a KernelCall.
"""

from autodeploy.codegen.lower.registry import (
    Unsupported,
    lower_operator,
    register,
    supported_opcodes,
)

__all__ = ["Unsupported", "lower_operator", "register", "supported_opcodes"]
