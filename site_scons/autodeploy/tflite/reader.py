"""Bounds-checked reader for .tflite flatbuffers, producing the plain data of model.py.

The flatbuffer is walked by hand instead of through generated accessors, so that every offset,
vtable, vector length and index is checked before it is used. A corrupt, truncated or foreign file
raises TfliteFormatError (and only that) with a message naming the file, the object and the byte
offset involved.

Flatbuffer layout reminders (all little endian):
- uoffset (u32): forward offset, relative to where it is stored, to a table, vector or string.
- table: starts with an soffset (i32); the table's vtable is at table_pos - soffset.
- vtable: u16 vtable size in bytes, u16 table size, then one u16 per field: the field's offset
  from the table start, 0 when the field is absent (then the schema default applies).
- vector / string: u32 element count followed by the elements (strings are also 0-terminated).
"""

from __future__ import annotations

import math
import os
import struct

from autodeploy.errors import TfliteFormatError
from autodeploy.tflite import schema
from autodeploy.tflite.model import DTYPE_BYTES, Model, Operator, Quantization, Subgraph, Tensor

SCHEMA_VERSION = 3
FILE_IDENTIFIER = b"TFL3"
_HINT = "Re-export the model with the TFLite converter or check that the file is a .tflite."

# Tensor types whose constant data has no fixed size.
_VARIABLE_SIZE_TYPES = frozenset({"STRING", "RESOURCE", "VARIANT"})
# Zero points must be representable in the quantized type.
_ZERO_POINT_RANGE = {"INT8": (-128, 127), "UINT8": (0, 255), "INT4": (-8, 7)}

# The smallest possible model: root uoffset + identifier + a table with its vtable.
_MIN_SIZE = 16

_U8 = struct.Struct("<B")
_I8 = struct.Struct("<b")
_U16 = struct.Struct("<H")
_U16X2 = struct.Struct("<HH")
_I32 = struct.Struct("<i")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_F32 = struct.Struct("<f")

# Well-known file signatures, to tell the user what the file is instead.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive (e.g. a Keras .keras file or a MediaPipe .task bundle)"),
    (b"\x89HDF\r\n\x1a\n", "an HDF5 file (e.g. a Keras .h5 model)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an ELF binary"),
    (b"version https://git-lfs", "a Git LFS pointer, not the model itself (run `git lfs pull`)"),
)


class _Corrupt(Exception):
    """Internal: a format problem; parse_model turns it into TfliteFormatError."""


class _Buf:
    """The file bytes plus bounds-checked primitive reads."""

    __slots__ = ("data", "size", "budget")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.size = len(data)
        # Upper bound on vector elements materialised. A valid file stores each element once, so
        # this only trips when corrupt offsets make many objects share one huge vector (which
        # would otherwise make parsing time quadratic in the file size).
        self.budget = 2 * self.size + 4096

    def need(self, pos: int, n: int, what: str, where: str) -> None:
        if pos < 0 or pos + n > self.size:
            raise _Corrupt(
                f"{where}: {what} runs past end of file (offset {pos}, needs {n} bytes, "
                f"file is {self.size} bytes)"
            )

    def uoffset(self, pos: int, what: str, where: str) -> int:
        """Follow the uoffset stored at pos; returns the absolute target position."""
        self.need(pos, 4, f"offset to {what}", where)
        target = pos + _U32.unpack_from(self.data, pos)[0]
        if target + 4 > self.size:
            raise _Corrupt(
                f"{where}: offset to {what} points past end of file (offset {pos} -> {target}, "
                f"file is {self.size} bytes)"
            )
        return target

    def spend(self, n: int, where: str) -> None:
        self.budget -= n
        if self.budget < 0:
            raise _Corrupt(
                f"{where}: vectors add up to more elements than a {self.size}-byte file can hold "
                "(corrupt offsets make objects overlap)"
            )


class _Table:
    """One flatbuffer table whose header and vtable have been checked."""

    __slots__ = ("buf", "pos", "vt", "vt_size", "where")

    def __init__(self, buf: _Buf, pos: int, where: str) -> None:
        self.buf = buf
        self.pos = pos
        self.where = where
        size = buf.size
        buf.need(pos, 4, "table", where)
        vt = pos - _I32.unpack_from(buf.data, pos)[0]
        if vt < 0:
            raise _Corrupt(f"{where}: vtable offset points before start of file (table at {pos})")
        if vt + 4 > size:
            raise _Corrupt(
                f"{where}: vtable runs past end of file (table at offset {pos}, vtable at {vt}, "
                f"file is {size} bytes)"
            )
        vt_size, obj_size = _U16X2.unpack_from(buf.data, vt)
        if vt_size < 4 or vt_size & 1 or vt + vt_size > size:
            raise _Corrupt(
                f"{where}: bad vtable size {vt_size} (vtable at offset {vt}, file is {size} bytes)"
            )
        if obj_size < 4 or pos + obj_size > size:
            raise _Corrupt(
                f"{where}: bad table size {obj_size} (table at offset {pos}, file is {size} bytes)"
            )
        self.vt = vt
        self.vt_size = vt_size

    def _field(self, slot: int) -> int:
        """Absolute position of field `slot`, or 0 when absent."""
        vo = 4 + 2 * slot
        if vo >= self.vt_size:
            return 0
        off = _U16.unpack_from(self.buf.data, self.vt + vo)[0]
        return self.pos + off if off else 0

    def _scalar(self, slot: int, st: struct.Struct, default, name: str):
        p = self._field(slot)
        if not p:
            return default
        self.buf.need(p, st.size, f"field '{name}'", self.where)
        return st.unpack_from(self.buf.data, p)[0]

    def u8(self, slot: int, default: int, name: str) -> int:
        return self._scalar(slot, _U8, default, name)

    def i8(self, slot: int, default: int, name: str) -> int:
        return self._scalar(slot, _I8, default, name)

    def boolean(self, slot: int, default: bool, name: str) -> bool:
        return bool(self._scalar(slot, _U8, default, name))

    def i32(self, slot: int, default: int, name: str) -> int:
        return self._scalar(slot, _I32, default, name)

    def u32(self, slot: int, default: int, name: str) -> int:
        return self._scalar(slot, _U32, default, name)

    def u64(self, slot: int, default: int, name: str) -> int:
        return self._scalar(slot, _U64, default, name)

    def f32(self, slot: int, default: float, name: str) -> float:
        return self._scalar(slot, _F32, default, name)

    def ref(self, slot: int, name: str) -> int | None:
        """Absolute position of the table/vector/string referenced by field `slot`, or None."""
        p = self._field(slot)
        if not p:
            return None
        return self.buf.uoffset(p, name, self.where)

    def vector(self, slot: int, elem_size: int, name: str) -> tuple[int, int] | None:
        """(start of elements, count) of the vector in field `slot`, bounds checked; or None."""
        t = self.ref(slot, name)
        if t is None:
            return None
        buf = self.buf
        n = _U32.unpack_from(buf.data, t)[0]  # uoffset() guaranteed 4 bytes at t
        start = t + 4
        if n * elem_size > buf.size - start:
            raise _Corrupt(
                f"{self.where}: {name} vector ({n} elements of {elem_size} bytes) runs past end "
                f"of file (offset {start}, file is {buf.size} bytes)"
            )
        buf.spend(n, self.where)
        return start, n

    def _unpack(self, slot: int, code: str, size: int, name: str) -> tuple | None:
        v = self.vector(slot, size, name)
        if v is None:
            return None
        start, n = v
        return struct.unpack_from(f"<{n}{code}", self.buf.data, start)

    def ints(self, slot: int, name: str) -> tuple[int, ...] | None:
        return self._unpack(slot, "i", 4, name)

    def floats(self, slot: int, name: str) -> tuple[float, ...] | None:
        return self._unpack(slot, "f", 4, name)

    def int64s(self, slot: int, name: str) -> tuple[int, ...] | None:
        return self._unpack(slot, "q", 8, name)

    def string(self, slot: int, name: str) -> str | None:
        v = self.vector(slot, 1, name)
        if v is None:
            return None
        start, n = v
        return self.buf.data[start : start + n].decode("utf-8", errors="replace")

    def tables(self, slot: int, name: str) -> list[int]:
        """Absolute positions of the tables in the vector of tables in field `slot`."""
        v = self.vector(slot, 4, name)
        if v is None:
            return []
        start, n = v
        uoffset = self.buf.uoffset
        return [uoffset(start + 4 * i, f"{name}[{i}]", self.where) for i in range(n)]


def _enum(table: tuple[str, ...], value: int, enum: str, what: str, where: str) -> str:
    if 0 <= value < len(table):
        return table[value]
    raise _Corrupt(f"{where}: {what} value {value} is not a known {enum} (0..{len(table) - 1})")


def _check_indices(
    values: tuple[int, ...], limit: int, what: str, where: str, allow_optional: bool = False
) -> None:
    low = -1 if allow_optional else 0
    for i, v in enumerate(values):
        if v < low or v >= limit:
            raise _Corrupt(
                f"{where}: {what}[{i}] is {v}, not a valid tensor index "
                f"({'-1 or ' if allow_optional else ''}0..{limit - 1})"
            )


class _Parser:
    def __init__(self, data: bytes, path: str) -> None:
        self.buf = _Buf(data)
        self.data = data
        self.path = path
        self.buffers: list[tuple[int, int] | None] = []
        self.buffer_data: dict[int, bytes | None] = {}
        self.opcodes: list[tuple[str, int, str | None]] = []

    def parse(self) -> Model:
        buf = self.buf
        size = buf.size
        if size == 0:
            raise _Corrupt("file is empty (0 bytes)")
        if size < _MIN_SIZE:
            raise _Corrupt(f"file is only {size} bytes, too small to hold a TFLite model")
        ident = self.data[4:8]
        if ident != FILE_IDENTIFIER and ident.isalnum():
            raise _Corrupt(f"file identifier is {ident!r}, expected {FILE_IDENTIFIER!r}")
        root = buf.uoffset(0, "root table", "file header")
        m = _Table(buf, root, "model")
        version = m.u32(0, 0, "version")
        if version != SCHEMA_VERSION:
            raise _Corrupt(f"model: schema version is {version}, expected {SCHEMA_VERSION}")

        self._parse_buffers(m)
        self._parse_opcodes(m)
        description = m.string(3, "description") or ""
        m.vector(5, 4, "metadata_buffer")
        for i, p in enumerate(m.tables(6, "metadata")):
            t = _Table(buf, p, f"metadata {i}")
            t.string(0, "name")
            b = t.u32(1, 0, "buffer")
            if self.buffers and b >= len(self.buffers):
                raise _Corrupt(f"metadata {i}: buffer index {b} out of range")
        for i, p in enumerate(m.tables(7, "signature_defs")):
            _Table(buf, p, f"signature_def {i}")

        sg_pos = m.tables(2, "subgraphs")
        if not sg_pos:
            raise _Corrupt("model has no subgraphs")
        subgraphs = [self._parse_subgraph(i, p) for i, p in enumerate(sg_pos)]
        return Model(
            path=self.path,
            file_size=size,
            version=version,
            description=description,
            subgraphs=subgraphs,
            operator_codes=[name for name, _, _ in self.opcodes],
        )

    def _parse_buffers(self, m: _Table) -> None:
        size = self.buf.size
        for i, p in enumerate(m.tables(4, "buffers")):
            where = f"buffer {i}"
            t = _Table(self.buf, p, where)
            vec = t.vector(0, 1, "data")
            offset = t.u64(1, 0, "offset")
            length = t.u64(2, 0, "size")
            if offset > 1:  # large-model layout: data stored after the flatbuffer
                if offset + length > size:
                    raise _Corrupt(
                        f"{where}: data (offset {offset}, size {length}) runs past end of file "
                        f"(file is {size} bytes)"
                    )
                span = (offset, length) if length else None
            else:
                span = vec if vec and vec[1] else None
            self.buffers.append(span)

    def _buffer_bytes(self, index: int) -> bytes | None:
        if index == 0 or index >= len(self.buffers):
            return None
        if index not in self.buffer_data:
            span = self.buffers[index]
            self.buffer_data[index] = None if span is None else self.data[span[0] : sum(span)]
        return self.buffer_data[index]

    def _parse_opcodes(self, m: _Table) -> None:
        for i, p in enumerate(m.tables(1, "operator_codes")):
            where = f"operator code {i}"
            t = _Table(self.buf, p, where)
            deprecated = t.i8(0, 0, "deprecated_builtin_code")
            custom_code = t.string(1, "custom_code")
            version = t.i32(2, 1, "version")
            code = max(deprecated, t.i32(3, 0, "builtin_code"))
            name = _enum(schema.BUILTIN_OPERATORS, code, "BuiltinOperator", "builtin code", where)
            self.opcodes.append((name, version, custom_code))

    def _parse_subgraph(self, index: int, pos: int) -> Subgraph:
        where = f"subgraph {index}"
        t = _Table(self.buf, pos, where)
        tensors = [
            self._parse_tensor(f"{where}, tensor {i}", i, p)
            for i, p in enumerate(t.tables(0, "tensors"))
        ]
        n = len(tensors)
        inputs = t.ints(1, "inputs") or ()
        outputs = t.ints(2, "outputs") or ()
        _check_indices(inputs, n, "inputs", where)
        _check_indices(outputs, n, "outputs", where)
        operators = [
            self._parse_operator(f"{where}, operator {i}", i, p, n)
            for i, p in enumerate(t.tables(3, "operators"))
        ]
        name = t.string(4, "name") or ""
        return Subgraph(
            index=index,
            name=name,
            tensors=tensors,
            inputs=inputs,
            outputs=outputs,
            operators=operators,
        )

    def _parse_tensor(self, where: str, index: int, pos: int) -> Tensor:
        t = _Table(self.buf, pos, where)
        shape = t.ints(0, "shape") or ()
        for d in shape:
            if d < 0:
                raise _Corrupt(f"{where}: shape {list(shape)} has a negative dimension")
        dtype = _enum(schema.TENSOR_TYPES, t.i8(1, 0, "type"), "TensorType", "type", where)
        buffer = t.u32(2, 0, "buffer")
        if buffer >= len(self.buffers) and not (buffer == 0 and not self.buffers):
            raise _Corrupt(
                f"{where}: buffer index {buffer} out of range (model has "
                f"{len(self.buffers)} buffers)"
            )
        name = t.string(3, "name") or ""
        qpos = t.ref(4, "quantization")
        is_variable = t.boolean(5, False, "is_variable")
        sparsity = t.ref(6, "sparsity")
        if sparsity is not None:
            _Table(self.buf, sparsity, f"{where}: sparsity")
        signature = t.ints(7, "shape_signature")
        if signature is not None:
            for d in signature:
                if d < -1:
                    raise _Corrupt(
                        f"{where}: shape_signature {list(signature)} has a dimension below -1"
                    )
        quant = None if qpos is None else self._parse_quant(where, qpos, shape, dtype)
        data = self._buffer_bytes(buffer)
        if data is not None and sparsity is None and dtype not in _VARIABLE_SIZE_TYPES:
            # TFLite's interpreter requires constant data to be exactly the tensor's size.
            count = 1
            for d in shape:
                count *= d
            need = (count + 1) // 2 if dtype == "INT4" else count * DTYPE_BYTES[dtype]
            if len(data) != need:
                raise _Corrupt(
                    f"{where}: constant data (buffer {buffer}) is {len(data)} bytes but shape "
                    f"{list(shape)} of {dtype} needs {need} bytes"
                )
        return Tensor(
            index=index,
            name=name,
            shape=shape,
            dtype=dtype,
            buffer=buffer,
            quantization=quant,
            is_variable=is_variable,
            shape_signature=signature,
            data=data,
        )

    def _parse_quant(
        self, where: str, pos: int, shape: tuple[int, ...], dtype: str
    ) -> Quantization | None:
        where = f"{where}: quantization"
        q = _Table(self.buf, pos, where)
        q.vector(0, 4, "min")
        q.vector(1, 4, "max")
        scale = q.floats(2, "scale")
        zero_point = q.int64s(3, "zero_point")
        q.u8(4, 0, "details_type")
        details = q.ref(5, "details")
        if details is not None:
            _Table(self.buf, details, f"{where} details")
        qdim = q.i32(6, 0, "quantized_dimension")
        if not scale or not zero_point:
            return None  # TFLite and TFLM treat this as "not quantized"
        if len(scale) != len(zero_point):
            raise _Corrupt(
                f"{where}: {len(scale)} scales but {len(zero_point)} zero points (must match)"
            )
        for i, v in enumerate(scale):
            if not math.isfinite(v):
                raise _Corrupt(f"{where}: scale[{i}] is {v}")
        limits = _ZERO_POINT_RANGE.get(dtype)
        if limits is not None:
            for i, z in enumerate(zero_point):
                if not limits[0] <= z <= limits[1]:
                    raise _Corrupt(f"{where}: zero_point[{i}] = {z} does not fit {dtype}")
        if len(scale) > 1:
            rank = len(shape)
            if 0 <= qdim < rank:
                if shape[qdim] != len(scale):
                    raise _Corrupt(
                        f"{where}: {len(scale)} per-channel scales but dimension {qdim} of "
                        f"shape {list(shape)} is {shape[qdim]}"
                    )
            elif rank != 1:  # rank-1 (bias) tensors are accepted as is, like TFLM does
                raise _Corrupt(
                    f"{where}: quantized_dimension {qdim} is out of range for shape {list(shape)}"
                )
        return Quantization(scale=scale, zero_point=zero_point, quantized_dimension=qdim)

    def _parse_operator(self, where: str, index: int, pos: int, n_tensors: int) -> Operator:
        buf = self.buf
        t = _Table(buf, pos, where)
        opcode_index = t.u32(0, 0, "opcode_index")
        if opcode_index >= len(self.opcodes):
            raise _Corrupt(
                f"{where}: opcode_index {opcode_index} out of range (model has "
                f"{len(self.opcodes)} operator codes)"
            )
        opcode, version, custom_code = self.opcodes[opcode_index]
        inputs = t.ints(1, "inputs") or ()
        outputs = t.ints(2, "outputs") or ()
        _check_indices(inputs, n_tensors, "inputs", where, allow_optional=True)
        _check_indices(outputs, n_tensors, "outputs", where)
        options_type_value = t.u8(3, 0, "builtin_options_type")
        options_pos = t.ref(4, "builtin_options")
        t.vector(5, 1, "custom_options")
        t.i8(6, 0, "custom_options_format")
        t.vector(7, 1, "mutating_variable_inputs")
        intermediates = t.ints(8, "intermediates") or ()
        _check_indices(intermediates, n_tensors, "intermediates", where)
        large_offset = t.u64(9, 0, "large_custom_options_offset")
        large_size = t.u64(10, 0, "large_custom_options_size")
        if large_offset > 1 and large_offset + large_size > buf.size:
            raise _Corrupt(
                f"{where}: large custom options (offset {large_offset}, size {large_size}) run "
                f"past end of file (file is {buf.size} bytes)"
            )
        t.u8(11, 0, "builtin_options_2_type")
        options2_pos = t.ref(12, "builtin_options_2")
        if options2_pos is not None:
            _Table(buf, options2_pos, f"{where}: builtin_options_2")

        options_type = None
        options: dict = {}
        if 0 < options_type_value < len(schema.BUILTIN_OPTIONS):
            # Unknown union types are skipped, as the flatbuffers verifier does.
            options_type = schema.BUILTIN_OPTIONS[options_type_value]
        if options_type is not None:
            table = None
            if options_pos is not None:
                table = _Table(buf, options_pos, f"{where}: {options_type}")
            fields = schema.OPTION_FIELDS.get(options_type)
            if fields is not None:
                options = _decode_options(table, fields)
        return Operator(
            index=index,
            opcode=opcode,
            inputs=inputs,
            outputs=outputs,
            version=version,
            custom_code=custom_code,
            options_type=options_type,
            options=options,
            intermediates=intermediates,
        )


def _decode_options(table: _Table | None, fields) -> dict:
    out: dict = {}
    for key, slot, kind, default in fields:
        if table is None:
            out[key] = default
        elif kind == schema.I32:
            out[key] = table.i32(slot, default, key)
        elif kind == schema.BOOL:
            out[key] = table.boolean(slot, default, key)
        elif kind == schema.F32:
            out[key] = table.f32(slot, default, key)
        elif kind == schema.I8:
            out[key] = table.i8(slot, default, key)
        elif kind == schema.I32_VEC:
            v = table.ints(slot, key)
            out[key] = default if v is None else v
        elif kind == schema.STRING:
            v = table.string(slot, key)
            out[key] = default if v is None else v
        else:
            enum, names = schema.ENUM_KINDS[kind]
            value = table.i8(slot, None, key)
            out[key] = default if value is None else _enum(names, value, enum, key, table.where)
    return out


def _file_note(data: bytes) -> str:
    """Extra hint when the file does not look like a TFLite flatbuffer at all."""
    if len(data) < 8:
        return ""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return f" (the file looks like {what})"
    if data[4:8] != FILE_IDENTIFIER:
        return f" (bytes 4..8 are {data[4:8]!r}, not the {FILE_IDENTIFIER!r} file identifier)"
    return ""


def _error(path: str, detail: str) -> TfliteFormatError:
    return TfliteFormatError(f"{path}: not a valid TFLite flatbuffer: {detail}. {_HINT}")


def parse_model(data: bytes, path: str = "<memory>") -> Model:
    """Parse .tflite bytes into a Model. Bad input raises TfliteFormatError and nothing else."""
    try:
        if not isinstance(data, bytes):
            data = bytes(data)
        return _Parser(data, str(path)).parse()
    except _Corrupt as e:
        raise _error(path, f"{e}{_file_note(data)}") from None
    except TfliteFormatError:
        raise
    except Exception as e:  # noqa: BLE001 - the contract is "only TfliteFormatError escapes"
        # Not expected: every check above should fire first. Tests look for this wording.
        raise _error(path, f"unexpected {type(e).__name__} while parsing: {e}") from e


def read_model(path) -> Model:
    """Read and parse a .tflite file. Missing or unreadable files raise TfliteFormatError."""
    try:
        name = os.fspath(path)
        with open(name, "rb") as f:
            data = f.read()
    except (OSError, TypeError, ValueError) as e:
        reason = getattr(e, "strerror", None) or str(e)
        raise TfliteFormatError(
            f"{path}: cannot read TFLite model file: {reason}. Check the model path."
        ) from None
    return parse_model(data, name if isinstance(name, str) else os.fsdecode(name))
