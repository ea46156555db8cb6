"""A loopback relay in front of a board's serial URL, as a lab's serial server would be: raw TCP,
or RFC 2217 (the client negotiates port settings with pyserial's PortManager here), one client.

    relay = Relay("socket://127.0.0.1:PORT", rfc2217=True)
    BoardClient(relay.url)  # rfc2217://127.0.0.1:RELAY_PORT
"""

from __future__ import annotations

import socket
import threading

import serial
import serial.rfc2217


class Relay:
    """Accepts one TCP client on a loopback port and connects it to `upstream` (a pyserial URL);
    with rfc2217=True the client speaks RFC 2217 and pyserial's PortManager answers it."""

    def __init__(self, upstream: str, rfc2217: bool):
        self.upstream = upstream
        self.rfc2217 = rfc2217
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        scheme = "rfc2217" if self.rfc2217 else "socket"
        return f"{scheme}://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        client, _ = self.listener.accept()
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        board = serial.serial_for_url(self.upstream, timeout=0.05)
        manager = serial.rfc2217.PortManager(board, _Writer(client)) if self.rfc2217 else None
        down = threading.Thread(target=self._to_client, args=(board, client, manager), daemon=True)
        down.start()
        try:
            while data := client.recv(4096):
                board.write(b"".join(manager.filter(data)) if manager else data)
        except OSError:
            pass
        finally:
            self.stopped.set()
            down.join()
            board.close()
            client.close()

    def _to_client(self, board, client, manager) -> None:
        try:
            while not self.stopped.is_set():
                data = board.read(1)  # returns at the first byte (or after the timeout)
                if data:
                    data += board.read(board.in_waiting)
                    client.sendall(b"".join(manager.escape(data)) if manager else data)
                if manager:
                    manager.check_modem_lines()
        except (OSError, serial.SerialException):
            pass


class _Writer:
    """What PortManager writes its telnet answers to."""

    def __init__(self, sock: socket.socket):
        self.sock = sock

    def write(self, data: bytes) -> None:
        self.sock.sendall(data)
