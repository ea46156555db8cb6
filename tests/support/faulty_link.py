"""A TCP proxy that damages the byte stream between a host client and a board, reproducibly.

    with FaultyLink(board_port, seed=3, corrupt_every=3000, drop_every=5000) as link:
        client = BoardClient(link.url)

It listens on a free loopback port, accepts one client, connects to the board at
`upstream_host:upstream_port` (retrying while the board starts, as QEMU's serial socket does) and
forwards both directions. Each direction ("to_board", "to_host") has its own seeded schedule of
faults placed by byte offset in that direction's stream: a fault of a kind happens on average
every `<kind>_every` bytes (0 = never), so the same traffic meets the same faults run after
run. Kinds: corrupt (one byte XORed with a non-zero value), drop (one byte removed), stall
(forwarding pauses `stall_s` seconds before that byte), burst (BURST XORed into the body of the
next frame: damage that eRPC's CRC-16 cannot see). `faults` counts what was injected.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time

KINDS = ("corrupt", "drop", "stall", "burst")
DIRECTIONS = ("to_board", "to_host")
# The CRC-16 polynomial x^16 + x^12 + x^5 + 1 (0x11021) as bytes: XORed anywhere into a frame's
# body it adds a multiple of the polynomial, so the body's CRC-16 is unchanged.
BURST = bytes([0x01, 0x10, 0x21])
HEADER = 6  # eRPC frame header: crcHeader, length, crcBody (u16 each, little-endian)


class _Schedule:
    """Byte offsets of the next fault of each kind in one direction."""

    def __init__(self, rng: random.Random, every: dict[str, int]):
        self.rng = rng
        self.every = every
        self.next = {k: self._gap(k) for k in KINDS}

    def _gap(self, kind: str, start: int = 0) -> int | None:
        mean = self.every[kind]
        return start + self.rng.randint(1, 2 * mean - 1) if mean > 0 else None

    def due(self, offset: int) -> list[str]:
        """Kinds of fault at this stream offset (advancing their schedule)."""
        kinds = [k for k in KINDS if self.next[k] == offset]
        for k in kinds:
            self.next[k] = self._gap(k, offset)
        return kinds


class Bursts:
    """Follows the frames of a clean eRPC byte stream to XOR BURST into frame bodies: once a
    burst is due, into the next body with room for it, at most one per frame."""

    def __init__(self):
        self._header = bytearray()
        self._body_left = 0  # body bytes of the current frame still to come
        self._hit = False  # the current frame has its burst
        self._due = False
        self._pattern = b""  # burst bytes still to XOR in

    def feed(self, byte: int, due: bool) -> tuple[int, bool]:
        """The byte to forward, and whether a burst starts at it."""
        self._due |= due
        if not self._body_left:
            self._header.append(byte)
            if len(self._header) == HEADER:
                self._body_left = int.from_bytes(self._header[2:4], "little")
                self._header.clear()
                self._hit = False
            return byte, False
        starts = self._due and not self._hit and self._body_left >= len(BURST)
        if starts:
            self._pattern, self._due, self._hit = BURST, False, True
        self._body_left -= 1
        if self._pattern:
            byte ^= self._pattern[0]
            self._pattern = self._pattern[1:]
        return byte, starts


class FaultyLink:
    def __init__(
        self,
        upstream_port: int,
        *,
        upstream_host: str = "127.0.0.1",
        seed: int = 0,
        corrupt_every: int = 0,
        drop_every: int = 0,
        stall_every: int = 0,
        burst_every: int = 0,
        stall_s: float = 0.2,
        directions: tuple[str, ...] = DIRECTIONS,
        connect_timeout_s: float = 10.0,
    ):
        self.upstream = (upstream_host, upstream_port)
        self.stall_s = stall_s
        self.connect_timeout_s = connect_timeout_s
        every = {
            "corrupt": corrupt_every,
            "drop": drop_every,
            "stall": stall_every,
            "burst": burst_every,
        }
        none = dict.fromkeys(KINDS, 0)
        self._schedules = {
            d: _Schedule(random.Random(f"{seed}/{d}"), every if d in directions else none)
            for d in DIRECTIONS
        }
        self.faults = {d: dict.fromkeys(KINDS, 0) for d in DIRECTIONS}
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"socket://127.0.0.1:{self.port}"
        self._sockets: list[socket.socket] = []
        self._closed = threading.Event()
        self._threads = [threading.Thread(target=self._serve, daemon=True)]
        self._threads[0].start()

    def total(self, kind: str | None = None) -> int:
        """Faults injected so far, of one kind or all."""
        return sum(n for d in self.faults.values() for k, n in d.items() if kind in (None, k))

    def _serve(self) -> None:
        try:
            client, _ = self._listener.accept()
        except OSError:
            return  # closed before a client came
        board = self._connect_upstream()
        if board is None:
            client.close()
            return
        for s in (client, board):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sockets.append(s)
        for direction, src, dst in (("to_board", client, board), ("to_host", board, client)):
            t = threading.Thread(target=self._pump, args=(direction, src, dst), daemon=True)
            t.start()
            self._threads.append(t)

    def _connect_upstream(self) -> socket.socket | None:
        deadline = time.monotonic() + self.connect_timeout_s
        while not self._closed.is_set():
            try:
                return socket.create_connection(self.upstream, timeout=1.0)
            except OSError:
                if time.monotonic() > deadline:
                    return None
                time.sleep(0.05)
        return None

    def _pump(self, direction: str, src: socket.socket, dst: socket.socket) -> None:
        schedule, counts = self._schedules[direction], self.faults[direction]
        bursts = Bursts()
        offset = 0
        src.settimeout(None)
        try:
            while not self._closed.is_set():
                data = src.recv(65536)
                if not data:
                    break
                out = bytearray()
                for byte in data:
                    offset += 1
                    kinds = schedule.due(offset)
                    byte, burst = bursts.feed(byte, "burst" in kinds)
                    kinds = [k for k in kinds if k != "burst"] + ["burst"] * burst
                    for kind in kinds:
                        counts[kind] += 1
                    if "stall" in kinds:
                        dst.sendall(out)
                        out.clear()
                        time.sleep(self.stall_s)
                    if "drop" in kinds:
                        continue
                    if "corrupt" in kinds:
                        byte ^= schedule.rng.randint(1, 255)
                    out.append(byte)
                dst.sendall(out)
        except OSError:
            pass
        finally:
            # One side went away: end the other, as a serial cable would.
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._closed.set()
        self._listener.close()
        for s in self._sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        for t in self._threads:
            t.join(timeout=5)

    def __enter__(self) -> FaultyLink:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
