"""Host side of the Board service (firmware/rpc/autodeploy.erpc) over any pyserial URL.

Frames and messages are pip erpc's FramedTransport and BasicCodec; this module adds what a
flaky link needs: a CRC-32 that ends every message body (the frame's CRC-16 lets some bursts
through), a deadline on every reply, a bound on frame length, and retries. Every call is
idempotent, so a call whose reply timed out, failed a CRC or was cut short is resent with a new
sequence number after the line goes idle; replies to earlier attempts are recognised by their
sequence number and skipped.
"""

from __future__ import annotations

import struct
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import serial
from erpc.basic_codec import BasicCodec
from erpc.client import RequestError
from erpc.codec import CodecError, MessageInfo, MessageType
from erpc.transport import SerialTransport

from autodeploy.rpc.errors import (
    BoardCallError,
    BoardLinkLost,
    BoardProtocolError,
    BoardTimeoutError,
)

MAX_BODY = 4096  # firmware/rpc/include/adrpc/frame.h ADRPC_MAX_BODY
SERVICE = 1
METHODS = {
    "get_info": 1,
    "get_tensor": 2,
    "set_input": 3,
    "fill_inputs": 4,
    "invoke": 5,
    "get_output": 6,
    "get_layer_stats": 7,
    "get_upload_state": 8,
    "upload": 9,
    "verify_upload": 10,
    "get_counter_info": 11,
    "set_counters": 12,
    "get_layer_counters": 13,
}
COUNTER_KINDS = ("none", "pmu", "dwt")  # CounterInfo.kind order (adrpc/counters.h)
DTYPES = ("INT8", "UINT8", "INT16", "INT32", "FLOAT32", "INT64")  # adrt_dtype_t order
# The IDL's enum Status, as (name, what it means and what to do).
STATUS = {
    1: ("BAD_INDEX", "the model has no tensor with that index"),
    2: (
        "BAD_RANGE",
        "the offset or length lies outside the tensor (or the layer list), or more counter "
        "events were selected than the core counts at once",
    ),
    3: ("NOT_INVOKED", "no successful invoke since the inputs last changed; invoke first"),
    4: (
        "NOT_PROFILED",
        "the last invoke did not profile (or the counters were selected after it); invoke with "
        "profile=True first",
    ),
    5: (
        "TOO_MANY_LAYERS",
        "the model has more layers than the firmware can profile; rebuild the firmware with a "
        "larger ADRPC_MAX_LAYERS",
    ),
    6: (
        "BAD_REQUEST",
        "the board could not decode the request; the firmware and this tool disagree on the "
        "protocol: rebuild and reflash the firmware",
    ),
    7: (
        "UNKNOWN_METHOD",
        "the firmware does not serve this call; rebuild and reflash the firmware with this "
        "version of the tool",
    ),
    8: ("INVOKE_FAILED", "the model's invoke returned an error"),
    9: (
        "NOT_UPLOADED",
        "the model's data (in PSRAM) are not uploaded and verified yet; upload them first",
    ),
    10: (
        "UPLOAD_MISMATCH",
        "the uploaded model data do not have the CRC-32 the firmware expects; the board "
        "dropped them: upload them again from the ELF the board was flashed with",
    ),
}
UNKNOWN_METHOD = 7  # the STATUS of a call the firmware does not serve (older firmware)
IDLE_S = 0.1  # silence that ends the drain of a damaged or late reply before a retry
SEAL = struct.Struct("<I")  # ends every body: zlib CRC-32 of the bytes before it (board.h)


@dataclass(frozen=True)
class BoardInfo:
    board: str
    model: str
    build_id: str
    arena_bytes: int
    num_inputs: int
    num_outputs: int
    num_layers: int
    counter_hz: int
    max_chunk: int


@dataclass(frozen=True)
class TensorInfo:
    name: str
    dtype: str  # one of DTYPES
    shape: tuple[int, ...]
    bytes: int
    scale: float
    zero_point: int


@dataclass(frozen=True)
class UploadState:
    """Where the upload of the model's data stands (bytes 0: the image carries them)."""

    bytes: int
    received: int  # in order from the start
    crc32: int  # what the whole image must have, written into the firmware by the build
    verified: bool  # received, checked, and the model may run


@dataclass(frozen=True)
class LayerStat:
    tag: str
    macs: int
    ticks: int
    output_crc32: int


@dataclass(frozen=True)
class CounterInfo:
    """The core's event counters as the firmware found them."""

    kind: str  # one of COUNTER_KINDS
    counters: int  # hardware counters that answer (0: none, as under QEMU)
    events: int  # events one profiled invoke counts for this model


class _Timeout(Exception):
    """No whole frame by the deadline; `partial`: part of one had arrived (bytes were lost)."""

    def __init__(self, partial: bool):
        super().__init__("timeout")
        self.partial = partial


class _BadFrame(Exception):
    pass


class _Link(SerialTransport):
    """erpc's serial transport with a deadline on reads and a bound on frame length.

    The port's read timeout is set once, at open, and never again: pyserial 3.5's rfc2217://
    client re-sends every port setting and waits for the server's answers whenever .timeout is
    assigned, which cost ~200 ms per round trip when it was set before every read. A read that
    waits returns after IDLE_S at most, so a deadline is missed by at most that much."""

    def __init__(self, url: str, baud: int):
        super().__init__(url, baud, timeout=IDLE_S)
        self.deadline = 0.0
        self._frame_bytes = 0  # of the frame being received

    def receive_by(self, deadline: float) -> bytes:
        """The next frame's body without its CRC-32."""
        self.deadline = deadline
        self._frame_bytes = 0
        try:
            return _unseal(bytes(self.receive()))
        except RequestError as exc:  # erpc's CRC-16 checks
            raise _BadFrame(str(exc)) from exc

    def _base_receive(self, count: int) -> bytes:
        # FramedTransport reads the 6-byte header, then `length` body bytes: a length beyond
        # what the board ever sends is a corrupted header that slipped through its CRC.
        if count > MAX_BODY:
            raise _BadFrame(f"frame length {count} > {MAX_BODY}")
        data = bytearray()
        while len(data) < count:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout(partial=self._frame_bytes + len(data) > 0)
            data += self._serial.read(count - len(data))
        self._frame_bytes += count
        return bytes(data)

    def drain(self) -> None:
        """Read until the line has been silent for IDLE_S (the port's read timeout), so the next
        frame starts clean."""
        while self._serial.read(4096):
            pass
        self._serial.reset_input_buffer()


def _seal(body: bytes) -> bytes:
    return body + SEAL.pack(zlib.crc32(body))


def _unseal(body: bytes) -> bytes:
    """The body without its CRC-32, which must match: damage the frame's CRC-16 let through."""
    message, crc = body[: -SEAL.size], body[-SEAL.size :]
    if crc != SEAL.pack(zlib.crc32(message)):  # also when the body is shorter than a CRC
        raise _BadFrame("CRC-32 mismatch")
    return message


def _open(url: str, baud: int, connect_timeout_s: float) -> _Link:
    """Opens the URL, retrying until connect_timeout_s (an emulator listens a moment after
    it starts)."""
    deadline = time.monotonic() + connect_timeout_s
    while True:
        try:
            return _Link(url, baud)
        except (serial.SerialException, OSError, ValueError) as exc:
            if time.monotonic() >= deadline:
                raise BoardTimeoutError(
                    f"could not open the board link {url} within {connect_timeout_s:.1f} s "
                    f"({exc}); check that the board or emulator is running and that the "
                    "port is right"
                ) from exc
            time.sleep(0.1)


class BoardClient:
    """The Board service on the board at `url` (any pyserial URL)."""

    def __init__(
        self,
        url: str,
        *,
        baud: int = 115200,
        timeout_s: float = 5.0,
        retries: int = 3,
        connect_timeout_s: float = 10.0,
    ):
        self.url = url
        self.baud = baud
        self.timeout_s = timeout_s
        self.retries = retries
        self.retries_used = 0
        self._sequence = 0
        self._info: BoardInfo | None = None
        self._tensors: dict[tuple[bool, int], TensorInfo] = {}
        self._link = _open(url, baud, connect_timeout_s)
        self._link._serial.reset_input_buffer()

    def __enter__(self) -> BoardClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._link.close()

    # -- the calls ---------------------------------------------------------------------------

    def info(self) -> BoardInfo:
        r = self._call("get_info", ())
        with self._decoding("get_info"):
            self._info = BoardInfo(
                board=r.read_string(),
                model=r.read_string(),
                build_id=r.read_string(),
                arena_bytes=r.read_uint32(),
                num_inputs=r.read_uint32(),
                num_outputs=r.read_uint32(),
                num_layers=r.read_uint32(),
                counter_hz=r.read_uint32(),
                max_chunk=r.read_uint32(),
            )
            _end(r)
        return self._info

    def tensor(self, is_output: bool, index: int) -> TensorInfo:
        key = (bool(is_output), index)
        if key in self._tensors:
            return self._tensors[key]
        r = self._call("get_tensor", ((bool, is_output), (int, index)))
        with self._decoding("get_tensor"):
            self._check(r.read_int32(), "get_tensor", is_output=is_output, index=index)
            name, dtype = r.read_string(), r.read_uint8()
            shape = tuple(r.read_int32() for _ in range(r.start_read_list()))
            info = TensorInfo(
                name=name,
                dtype=DTYPES[dtype] if dtype < len(DTYPES) else f"dtype {dtype}",
                shape=shape,
                bytes=r.read_uint32(),
                scale=r.read_float(),
                zero_point=r.read_int32(),
            )
            _end(r)
        self._tensors[key] = info
        return info

    def set_input(self, index: int, data: bytes) -> None:
        data = bytes(data)
        expected = self.tensor(False, index).bytes
        if len(data) != expected:
            raise BoardCallError(
                f"set_input({index}): {len(data)} bytes given, but input {index} of the model "
                f"on {self.url} has {expected} bytes"
            )
        chunk = self.max_chunk()
        for offset in range(0, len(data), chunk):
            piece = data[offset : offset + chunk]
            r = self._call("set_input", ((int, index), (int, offset), (bytes, piece)))
            with self._decoding("set_input"):
                self._check(r.read_int32(), "set_input", index=index, offset=offset)
                _end(r)

    def fill_inputs(self, seed: int, run: int) -> list[int]:
        """Fills every input on the board with the seeded generator (inputs.seeded_inputs);
        returns the CRC-32 of each input's bytes."""
        r = self._call("fill_inputs", ((int, seed), (int, run)))
        with self._decoding("fill_inputs"):
            crcs = [r.read_uint32() for _ in range(r.start_read_list())]
            _end(r)
        return crcs

    def invoke(self, warmup: int = 0, profile: bool = False, timeout_s: float | None = None) -> int:
        """Runs the model (after `warmup` unmeasured runs); returns the measured run's counter
        ticks (info().counter_hz per second)."""
        r = self._call("invoke", ((int, warmup), (bool, profile)), timeout_s)
        with self._decoding("invoke"):
            self._check(r.read_int32(), "invoke", warmup=warmup, profile=profile)
            ticks = r.read_uint64()
            _end(r)
        return ticks

    def get_output(self, index: int) -> bytes:
        size = self.tensor(True, index).bytes
        chunk = self.max_chunk()
        data = bytearray()
        for offset in range(0, size, chunk):
            length = min(chunk, size - offset)
            r = self._call("get_output", ((int, index), (int, offset), (int, length)))
            with self._decoding("get_output"):
                self._check(r.read_int32(), "get_output", index=index, offset=offset)
                piece = r.read_binary()
                _end(r)
                if len(piece) != length:
                    raise _ShortReply(f"{len(piece)} bytes of output, {length} asked")
            data += piece
        return bytes(data)

    def layer_stats(self) -> list[LayerStat]:
        """Per-layer stats of the last profiled invoke, fetched in pages that fit a frame."""
        stats: list[LayerStat] = []
        while True:
            r = self._call("get_layer_stats", ((int, len(stats)), (int, 0xFFFFFFFF)))
            with self._decoding("get_layer_stats"):
                self._check(r.read_int32(), "get_layer_stats", first=len(stats))
                total = r.read_uint32()
                page = [
                    LayerStat(r.read_string(), r.read_uint32(), r.read_uint64(), r.read_uint32())
                    for _ in range(r.start_read_list())
                ]
                _end(r)
                if not page and len(stats) < total:
                    raise _ShortReply(f"no layer stats from layer {len(stats)} of {total}")
            stats += page
            if len(stats) >= total:
                return stats

    def counter_info(self) -> CounterInfo:
        r = self._call("get_counter_info", ())
        with self._decoding("get_counter_info"):
            self._check(r.read_int32(), "get_counter_info")
            kind = r.read_uint8()
            info = CounterInfo(
                kind=COUNTER_KINDS[kind] if kind < len(COUNTER_KINDS) else f"kind {kind}",
                counters=r.read_uint32(),
                events=r.read_uint32(),
            )
            _end(r)
        return info

    def set_counters(self, events: list[int]) -> None:
        """Selects the events (PMU event numbers, or DWT counter indices) that later profiled
        invokes count per layer; at most counter_info().events."""
        r = self._call("set_counters", ((list, list(events)),))
        with self._decoding("set_counters"):
            self._check(r.read_int32(), "set_counters", events=list(events))
            _end(r)

    def layer_counters(self) -> list[list[int]]:
        """Per layer, the selected events' counts in the last profiled invoke (in pages)."""
        layers: list[list[int]] = []
        while True:
            r = self._call("get_layer_counters", ((int, len(layers)), (int, 0xFFFFFFFF)))
            with self._decoding("get_layer_counters"):
                self._check(r.read_int32(), "get_layer_counters", first=len(layers))
                total, events = r.read_uint32(), r.read_uint32()
                counts = [r.read_uint32() for _ in range(r.start_read_list())]
                _end(r)
                if events == 0:
                    return [[] for _ in range(total)]
                if len(counts) % events or (not counts and len(layers) < total):
                    raise _ShortReply(f"{len(counts)} counts for {events} events per layer")
            layers += [counts[k : k + events] for k in range(0, len(counts), events)]
            if len(layers) >= total:
                return layers

    def upload_state(self) -> UploadState:
        return self._upload_reply("get_upload_state", self._call("get_upload_state", ()))

    def upload(self, offset: int, data: bytes) -> UploadState:
        """Writes `data` (at most info().max_chunk bytes) at `offset` of the upload image;
        `offset` must not pass what the board has received (chunks go in order)."""
        r = self._call("upload", ((int, offset), (bytes, bytes(data))))
        return self._upload_reply("upload", r, offset=offset, length=len(data))

    def verify_upload(self) -> UploadState:
        """The board checks the whole upload against the firmware's CRC-32; on
        UPLOAD_MISMATCH it drops what it received."""
        return self._upload_reply("verify_upload", self._call("verify_upload", ()))

    def max_chunk(self) -> int:
        """Largest binary payload of one call."""
        if self._info is None:
            self.info()
        return self._info.max_chunk

    # -- plumbing ----------------------------------------------------------------------------

    def _upload_reply(self, name: str, r: BasicCodec, **args) -> UploadState:
        with self._decoding(name):
            self._check(r.read_int32(), name, **args)
            state = UploadState(r.read_uint32(), r.read_uint32(), r.read_uint32(), r.read_bool())
            _end(r)
        return state

    def _call(self, name: str, args, timeout_s: float | None = None) -> BasicCodec:
        """Sends the call and returns the codec positioned at the reply's fields."""
        method = METHODS[name]
        timeout = self.timeout_s if timeout_s is None else timeout_s
        tries = 1 + self.retries
        outcomes: Counter[str] = Counter()
        last_error = ""
        for attempt in range(tries):
            if attempt:
                self.retries_used += 1
                self._link.drain()
            self._sequence = (self._sequence + 1) & 0xFFFFFFFF
            request = BasicCodec()
            info = MessageInfo(MessageType.kInvocationMessage, SERVICE, method, self._sequence)
            request.start_write_message(info)
            for kind, value in args:
                _WRITERS[kind](request, value)
            try:
                self._link.send(_seal(bytes(request.buffer)))
                reply = self._reply(method, time.monotonic() + timeout)
            except (serial.SerialException, OSError) as exc:
                raise BoardLinkLost(
                    f"the link to the board at {self.url} failed during {name} ({exc}): the "
                    "board or emulator may have exited or reset; check its output, reset it "
                    "and run again"
                ) from exc
            except _Timeout as exc:
                outcomes["cut short" if exc.partial else "never came"] += 1
            except _BadFrame as exc:
                outcomes["corrupted"] += 1
                last_error = str(exc)
            else:
                self._error_reply(reply, name)
                return reply
        raise self._failure(name, tries, timeout, outcomes, last_error)

    def _failure(
        self, name: str, tries: int, timeout: float, outcomes: Counter, last_error: str
    ) -> Exception:
        """Silence means the board is gone; anything else means it answers over a bad link."""
        damaged = outcomes["corrupted"] + outcomes["cut short"]
        if not damaged:
            return BoardTimeoutError(
                f"board at {self.url} did not answer {name} ({tries} tries, {timeout:.1f} s "
                "each): the board may have crashed or reset; check the cable/port, reset the "
                "board and run again"
            )
        # "2 corrupted, 1 cut short, 10 never came": alphabetical is also most telling first
        detail = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
        if last_error:
            detail += f"; last error: {last_error}"
        return BoardProtocolError(
            f"board at {self.url}: the link corrupted {damaged} of {tries} replies to {name} "
            f"({detail}): the board is answering but the link is unreliable; check the "
            f"cable/port and the baud rate ({self.baud}), then run again"
        )

    def _reply(self, method: int, deadline: float) -> BasicCodec:
        """The reply to the current sequence number; replies to earlier attempts are
        skipped."""
        while True:
            body = self._link.receive_by(deadline)
            reply = BasicCodec()
            reply.buffer = bytearray(body)
            try:
                info = reply.start_read_message()
            except (CodecError, ValueError, struct.error) as exc:
                raise _BadFrame(f"bad message header: {exc}") from exc
            if info.sequence != self._sequence:
                continue
            if (info.type, info.service, info.request) != (
                MessageType.kReplyMessage,
                SERVICE,
                method,
            ):
                raise _BadFrame(f"reply for service {info.service} method {info.request}")
            return reply

    def _error_reply(self, reply: BasicCodec, name: str) -> None:
        """A reply holding only a non-zero status is the board refusing the call."""
        if len(reply.buffer) == 12:
            status = struct.unpack_from("<i", reply.buffer, 8)[0]
            if status != 0:
                self._check(status, name)

    def _check(self, status: int, name: str, **args) -> None:
        if status == 0:
            return
        label, meaning = STATUS.get(status, (f"status {status}", "unknown status"))
        call = f"{name}({', '.join(f'{k}={v}' for k, v in args.items())})"
        raise BoardCallError(
            f"board at {self.url}: {call} failed with {label}: {meaning}", status=status
        )

    @contextmanager
    def _decoding(self, name: str) -> Iterator[None]:
        """Reply fields that do not decode mean host and firmware disagree on the protocol."""
        try:
            yield
        except (struct.error, UnicodeDecodeError, _ShortReply) as exc:
            raise BoardProtocolError(
                f"the reply of the board at {self.url} to {name} does not decode ({exc}): the "
                "firmware and this tool disagree on the protocol; rebuild and reflash the "
                "firmware"
            ) from exc


class _ShortReply(Exception):
    pass


def _end(reply: BasicCodec) -> None:
    """The reply was decoded completely and exactly."""
    # BasicCodec reads binary and strings without bounds checks: a short reply shows up here.
    if reply._cursor != len(reply.buffer):
        raise _ShortReply(f"{len(reply.buffer)} bytes, {reply._cursor} expected")


def _write_u32_list(codec: BasicCodec, values: list[int]) -> None:
    codec.start_write_list(len(values))
    for value in values:
        codec.write_uint32(value)


_WRITERS: dict[type, Callable[[BasicCodec, object], None]] = {
    bool: BasicCodec.write_bool,
    int: BasicCodec.write_uint32,
    bytes: BasicCodec.write_binary,
    list: _write_u32_list,
}
