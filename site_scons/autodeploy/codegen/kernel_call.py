"""The contract between op lowering (Python) and the C kernels of firmware/runtime.

Lowering one TFLite operator yields a KernelCall: which C function to call, the fields of its
static parameter struct (all quantization arithmetic already done), and which tensors it reads and
writes. The code generator and the kernel tests both render KernelCalls to C, so the parameters a
test checks are exactly the ones the firmware uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class CArray:
    """A constant array field, emitted as its own `static const <ctype> name[]` definition.

    `values` is a tuple for short parameter arrays, or a 1-D numpy array for packed weights
    (millions of values: a tuple of Python ints would cost ten times the memory)."""

    ctype: str  # e.g. "int32_t"
    values: tuple[int, ...] | np.ndarray

    def __len__(self) -> int:
        return len(self.values)

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, CArray)
            and self.ctype == other.ctype
            and np.array_equal(np.asarray(self.values), np.asarray(other.values))
        )

    __hash__ = None  # mutable contents (numpy): not hashable


@dataclass(frozen=True)
class CStruct:
    """A nested struct value (e.g. a shape), rendered as a brace initializer."""

    fields: tuple[tuple[str, object], ...]


@dataclass
class KernelCall:
    """One call of a runtime kernel.

    The C call is `function(&params, <tensor pointers in `tensors` order>)`; a tensor pointer is the
    tensor's buffer cast to `(ctype *)` where ctype follows the tensor dtype (const for inputs).
    Absent optional tensors (index -1) are passed as NULL. A kernel that needs working memory
    declares `scratch_bytes`: the arena plan gives it room alive during this layer only, passed
    as a last `void *` argument.
    """

    function: str  # e.g. "adrt_conv2d_s8"
    params_type: str  # e.g. "adrt_conv2d_params_t"
    params: list[
        tuple[str, object]
    ]  # ordered struct fields: int, float, str (C expr), CArray, CStruct
    inputs: tuple[int, ...]  # tensor indices read, in argument order
    outputs: tuple[int, ...]  # tensor indices written, in argument order
    kernel: str = "c"  # the variant: "mve" (Helium), "dsp" (DSP SIMD) or "c" (portable)
    scratch_bytes: int = 0

    def param(self, name: str):
        """The value of parameter `name` (KeyError if the call has none)."""
        for field, value in self.params:
            if field == name:
                return value
        raise KeyError(f"{self.function} has no parameter {name}")
