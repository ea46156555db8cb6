"""Render KernelCalls to C: constant arrays, the static params struct and the call statement.

Used by the kernel test harness and by the whole-model code generator, so both emit identical
parameters. Generated code must include <math.h> if any float param may be infinite.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from autodeploy.codegen.kernel_call import CArray, CStruct, KernelCall

# C element type of a tensor pointer, by schema dtype name.
DTYPE_CTYPE = {
    "INT8": "int8_t",
    "UINT8": "uint8_t",
    "INT16": "int16_t",
    "UINT16": "uint16_t",
    "INT32": "int32_t",
    "UINT32": "uint32_t",
    "INT64": "int64_t",
    "UINT64": "uint64_t",
    "FLOAT32": "float",
    "FLOAT64": "double",
    "BOOL": "uint8_t",
}

_CTYPE_BYTES = {"int8_t": 1, "uint8_t": 1, "int16_t": 2, "uint16_t": 2, "float": 4, "double": 8}
_CTYPE_BYTES |= {"int64_t": 8, "uint64_t": 8}

_INT_LIMITS = {
    "int8_t": (-(1 << 7), (1 << 7) - 1),
    "uint8_t": (0, (1 << 8) - 1),
    "int16_t": (-(1 << 15), (1 << 15) - 1),
    "uint16_t": (0, (1 << 16) - 1),
    "int32_t": (-(1 << 31), (1 << 31) - 1),
    "uint32_t": (0, (1 << 32) - 1),
    "int64_t": (-(1 << 63), (1 << 63) - 1),
    "uint64_t": (0, (1 << 64) - 1),
}


def c_int(v: int) -> str:
    """An integer literal valid in C for any value in int64/uint64 range."""
    v = int(v)
    if v == -(1 << 31):
        return "(-2147483647 - 1)"
    if v == -(1 << 63):
        return "(-9223372036854775807LL - 1)"
    if v > (1 << 31) - 1 or v < -(1 << 31):
        return f"{v}LL" if v < (1 << 63) else f"{v}ULL"
    return str(v)


def c_float(v: float) -> str:
    """A float literal: shortest repr that round-trips the double (so float32 values are exact)."""
    v = float(v)
    if math.isnan(v):
        return "NAN"
    if math.isinf(v):
        return "INFINITY" if v > 0 else "(-INFINITY)"
    r = repr(v)
    if "e" not in r and "." not in r:
        r += ".0"
    return r


def format_values(values: Sequence, indent: str = "    ", width: int = 100) -> str:
    """Comma-separated literals wrapped to `width` columns (one per line group), no braces."""
    if isinstance(values, np.ndarray):
        values = values.tolist()  # Python ints and floats: the literal helpers' input
    items = [c_float(v) if isinstance(v, float) else c_int(v) for v in values]
    lines, cur = [], indent
    for i, it in enumerate(items):
        tok = it + ("," if i + 1 < len(items) else "")
        if len(cur) + len(tok) + 1 > width and cur.strip():
            lines.append(cur.rstrip())
            cur = indent
        cur += tok + " "
    if cur.strip():
        lines.append(cur.rstrip())
    return "\n".join(lines)


def render_array(ctype: str, name: str, values: Sequence, *, attr: str = "") -> str:
    """`static const <ctype> name[N] <attr> = {...};` (an empty array is not valid C)."""
    limits = _INT_LIMITS.get(ctype)
    if limits is not None and len(values):
        low, high = (int(v) for v in (min(values), max(values)))
        for v in (low, high):
            if not limits[0] <= v <= limits[1]:
                raise ValueError(f"{name}: value {v} out of range for {ctype}")
    suffix = f" {attr}" if attr else ""
    return (
        f"static const {ctype} {name}[{len(values)}]{suffix} = {{\n{format_values(values)}\n}};\n"
    )


class _Renderer:
    def __init__(self, prefix: str, attr: str):
        self.prefix = prefix
        self.attr = attr
        self.arrays: list[str] = []

    def value(self, path: str, v: object) -> str:
        if isinstance(v, CArray):
            if not len(v):
                return "NULL"
            name = f"{self.prefix}_{path}"
            self.arrays.append(render_array(v.ctype, name, v.values, attr=self.attr))
            return name
        if isinstance(v, CStruct):
            inner = ", ".join(f".{k} = {self.value(f'{path}_{k}', x)}" for k, x in v.fields)
            return "{" + inner + "}"
        if isinstance(v, bool):
            return "1" if v else "0"
        if isinstance(v, int):
            return c_int(v)
        if isinstance(v, float):
            return c_float(v)
        if isinstance(v, str):
            return v
        if isinstance(v, (tuple, list)):
            return "{" + ", ".join(self.value(f"{path}_{i}", x) for i, x in enumerate(v)) + "}"
        # numpy scalars
        if hasattr(v, "dtype"):
            kind = v.dtype.kind
            return c_float(float(v)) if kind == "f" else c_int(int(v))
        raise TypeError(f"cannot render param {path}={v!r}")


def params_bytes(call: KernelCall) -> int:
    """Bytes the call's parameters occupy in the model data: its constant arrays plus the struct.

    Struct fields are counted as 8 bytes each (a pointer or scalar, padding included), an upper
    bound for the 32-bit targets; the linked image's size report has the exact figure.
    """

    def size(value: object) -> int:
        if isinstance(value, CArray):
            return 8 + _CTYPE_BYTES.get(value.ctype, 4) * len(value.values)
        if isinstance(value, CStruct):
            return sum(size(v) for _, v in value.fields)
        if isinstance(value, (tuple, list)):
            return sum(size(v) for v in value)
        return 8

    return sum(size(v) for _, v in call.params) or 8


def render_params(call: KernelCall, prefix: str, attr: str = "") -> str:
    """Definitions for one call: its constant arrays, then `static const T <prefix>_params`.

    `prefix` must be a unique C identifier per call (e.g. "op12"); arrays are `<prefix>_<field>`.
    `attr` (e.g. a section attribute) goes on every definition.
    """
    r = _Renderer(prefix, attr)
    fields = [f"    .{name} = {r.value(name, v)}," for name, v in call.params]
    body = "\n".join(fields) if fields else "    0,"
    suffix = f" {attr}" if attr else ""
    struct = f"static const {call.params_type} {prefix}_params{suffix} = {{\n{body}\n}};\n"
    return "".join(r.arrays) + struct


def render_call(
    call: KernelCall,
    prefix: str,
    tensor_expr: Callable[[int], str],
    tensor_dtype: Callable[[int], str],
    scratch_expr: str | None = None,
) -> str:
    """The call statement `fn(&<prefix>_params, (const int8_t *)(in0), ..., (int8_t *)(out0));`.

    `tensor_expr(i)` is a C expression for the address of tensor i's data, `tensor_dtype(i)` its
    schema dtype; index -1 (omitted optional input) renders NULL. A call with scratch_bytes gets
    `scratch_expr` (the address of its working memory) as a last `void *` argument.
    """
    args = [f"&{prefix}_params"]
    for idx, const in [(i, True) for i in call.inputs] + [(i, False) for i in call.outputs]:
        if idx < 0:
            args.append("NULL")
            continue
        dtype = tensor_dtype(idx)
        ctype = DTYPE_CTYPE.get(dtype)
        if ctype is None:
            raise ValueError(f"tensor {idx}: no C type for dtype {dtype}")
        q = "const " if const else ""
        args.append(f"({q}{ctype} *)({tensor_expr(idx)})")
    if call.scratch_bytes:
        if scratch_expr is None:
            raise ValueError(f"{call.function} needs {call.scratch_bytes} scratch bytes")
        args.append(f"(void *)({scratch_expr})")
    one_line = f"{call.function}({', '.join(args)});"
    if len(one_line) <= 96:
        return one_line + "\n"
    return f"{call.function}(" + ",\n    ".join(args) + ");\n"
