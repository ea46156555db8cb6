"""The contract between op lowering (Python) and the C kernels of firmware/runtime.

Lowering one TFLite operator yields a KernelCall: which C function to call, the fields of its
static parameter struct (all quantization arithmetic already done), and which tensors it reads and
writes. The code generator and the kernel tests both render KernelCalls to C, so the parameters a
test checks are exactly the ones the firmware uses.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CArray:
    """A constant array field, emitted as its own `static const <ctype> name[]` definition."""

    ctype: str  # e.g. "int32_t"
    values: tuple[int, ...]


@dataclass(frozen=True)
class CStruct:
    """A nested struct value (e.g. a shape), rendered as a brace initializer."""

    fields: tuple[tuple[str, object], ...]


@dataclass
class KernelCall:
    """One call of a runtime kernel.

    The C call is `function(&params, <tensor pointers in `tensors` order>)`; a tensor pointer is the
    tensor's buffer cast to `(ctype *)` where ctype follows the tensor dtype (const for inputs).
    Absent optional tensors (index -1) are passed as NULL.
    """

    function: str  # e.g. "adrt_conv2d_s8"
    params_type: str  # e.g. "adrt_conv2d_params_t"
    params: list[
        tuple[str, object]
    ]  # ordered struct fields: int, float, str (C expr), CArray, CStruct
    inputs: tuple[int, ...]  # tensor indices read, in argument order
    outputs: tuple[int, ...]  # tensor indices written, in argument order
