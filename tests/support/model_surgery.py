"""Small in-place edits of .tflite bytes for tests: cut a model after an earlier tensor.

Only what a flatbuffer allows without re-serializing: shortening the operator vector of
subgraph 0 and pointing its (single) output at another tensor.
"""

from __future__ import annotations

import struct


def _table_field(buf: bytes, table: int, field: int) -> int:
    """Absolute position of a table field, or 0 if absent."""
    vtable = table - struct.unpack_from("<i", buf, table)[0]
    vtable_size = struct.unpack_from("<H", buf, vtable)[0]
    slot = 4 + 2 * field
    if slot >= vtable_size:
        return 0
    offset = struct.unpack_from("<H", buf, vtable + slot)[0]
    return table + offset if offset else 0


def _deref(buf: bytes, pos: int) -> int:
    return pos + struct.unpack_from("<I", buf, pos)[0]


def truncate_main_subgraph(model: bytes, keep_operators: int, new_output: int) -> bytes:
    """Keep the first `keep_operators` operators and make tensor `new_output` the only output."""
    buf = bytearray(model)
    root = _deref(buf, 0)
    subgraphs = _deref(buf, _table_field(buf, root, 2))
    sub = _deref(buf, subgraphs + 4)
    outputs = _deref(buf, _table_field(buf, sub, 2))
    operators = _deref(buf, _table_field(buf, sub, 3))
    if struct.unpack_from("<I", buf, outputs)[0] != 1:
        raise ValueError("only single-output models can be cut this way")
    if keep_operators > struct.unpack_from("<I", buf, operators)[0]:
        raise ValueError("cannot keep more operators than the model has")
    struct.pack_into("<i", buf, outputs + 4, new_output)
    struct.pack_into("<I", buf, operators, keep_operators)
    return bytes(buf)
