"""A stand-in for the subset of the `joulescope` 1.5 (v1 backend) API that autodeploy.power uses,
wired to a simulated board running the power firmware.

Faithful where the code depends on it:
- `scan()` returns a list of devices ([] when none is attached);
- `parameter_set(name, value)` accepts only the v1 names and value strings, and raises KeyError
  otherwise, as the real driver does;
- statistics arrive on the driver's own thread every `period_s`; after
  `statistics_accumulators_clear()` the next update becomes the origin: `time.range` and the
  `charge`/`energy` accumulators count from it (v1 Device._on_stats);
- `extio_status()["gpi_value"]["value"]` is GPI0 | GPI1 << 1, the board's in0/in1 pins.

The board follows the handshake of firmware/apps/power/main.c on its console and GPIO.
"""

from __future__ import annotations

import threading
import time

PARAMETERS = {
    "sensor_power": {"off", "on"},
    "i_range": {"auto", "10 A", "2 A", "180 mA", "18 mA", "1.8 mA", "180 µA", "18 µA", "off"},
    "v_range": {"15V", "5V"},
    "io_voltage": {"1.8V", "2.1V", "2.5V", "2.7V", "3.0V", "3.3V", "3.6V", "5.0V"},
    "gpo0": {"0", "1"},
    "gpo1": {"0", "1"},
}


class FakeBoard:
    """The power firmware on a board: a console port (write/read like pyserial) and GPIO pins
    wired to a FakeDevice (trigger <- GPO0, in0/in1 -> GPI0/GPI1)."""

    def __init__(
        self,
        model: str = "kws",
        inference_s: float = 0.004,
        active_w: float = 0.0279,
        idle_w: float = 0.001,
        ack_delay_s: float = 0.01,
        acks: bool = True,
        counter_hz: int = 32_000_000,
    ):
        self.inference_s = inference_s
        self.active_w = active_w
        self.idle_w = idle_w
        self.ack_delay_s = ack_delay_s
        self.acks = acks
        self.counter_hz = counter_hz
        self.device: FakeDevice | None = None
        self.gpi = 0
        self.running = False
        self.requests: list[str] = []
        self._out = bytearray(f"READY {model}\n".encode())
        self._lock = threading.Lock()
        self.timeout = 0.05
        self.closed = False

    def power_w(self) -> float:
        return self.active_w if self.running else self.idle_w

    # console (pyserial-like)
    def write(self, data: bytes) -> int:
        for line in data.decode().splitlines():
            self.requests.append(line)
            parts = line.split()
            if parts[0] == "RUN":
                threading.Thread(target=self._run, args=(parts,), daemon=True).start()
        return len(data)

    def read(self, n: int) -> bytes:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._out:
                    chunk = bytes(self._out[:n])
                    del self._out[:n]
                    return chunk
            time.sleep(0.001)
        return b""

    def close(self) -> None:
        self.closed = True

    def _trigger(self) -> bool:
        return self.device is not None and self.device.parameters.get("gpo0") == "1"

    def _wait(self, level: bool) -> None:
        while self._trigger() != level:
            time.sleep(0.0005)

    def _run(self, parts: list[str]) -> None:
        mode, runs, handshake = parts[1], int(parts[2]), parts[4] == "1"
        if handshake:
            self.gpi = 0
            self._wait(True)
            if not self.acks:
                return  # a board that never answers the trigger
            time.sleep(self.ack_delay_s)
            self.gpi = 3
            self._wait(False)
            self.gpi = 0
        self.running = True
        start = time.monotonic()
        time.sleep(runs * self.inference_s)
        ticks = round((time.monotonic() - start) * self.counter_hz)
        self.running = False
        if handshake:
            self.gpi = 2
        with self._lock:
            self._out += f"DONE {mode} {runs} {ticks} {self.counter_hz}\n".encode()


class FakeDevice:
    def __init__(self, board: FakeBoard, period_s: float = 0.01, zero_windows: int = 0):
        self.board = board
        board.device = self
        self.period_s = period_s
        self.zero_windows = zero_windows  # the first N windows read 0 energy (sensor glitch)
        self.parameters: dict[str, str] = {"gpo0": "0"}
        self.is_open = False
        self.closed = False
        self.clears = 0
        self._callbacks: list = []
        self._energy = 0.0  # J since open
        self._charge = 0.0
        self._samples = 0
        self._offsets: list[float] | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def __str__(self) -> str:
        return "Joulescope:FAKE0001"

    def open(self, event_callback_fn=None, mode=None, timeout=None) -> None:
        self.is_open = True
        self._thread = threading.Thread(target=self._stream, daemon=True)
        self._thread.start()

    def close(self, timeout=None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.is_open = False
        self.closed = True

    def parameter_set(self, name: str, value) -> None:
        if name not in PARAMETERS or str(value) not in PARAMETERS[name]:
            raise KeyError(f"value {value} not allowed for parameter {name}")
        self.parameters[name] = str(value)

    def parameter_get(self, name: str):
        return self.parameters[name]

    def statistics_callback_register(self, cbk, source=None) -> None:
        self._callbacks.append(cbk)

    def statistics_callback_unregister(self, cbk, source=None) -> None:
        self._callbacks.remove(cbk)

    def statistics_accumulators_clear(self) -> None:
        self._offsets = None
        self.clears += 1

    def extio_status(self) -> dict:
        return {"gpi_value": {"value": self.board.gpi, "units": ""}}

    def _stream(self) -> None:
        rate = 2_000_000  # JS220 sample rate: time.samples counts at 2 MHz
        last = time.monotonic()
        while not self._stop.wait(self.period_s):
            now = time.monotonic()
            start = self._samples
            self._samples += round((now - last) * rate)
            if self.parameters.get("sensor_power") == "on" and self.clears > self.zero_windows:
                watts = self.board.power_w()
                self._energy += watts * (now - last)
                self._charge += watts / 1.8 * (now - last)
            last = now
            s_start, s_stop = start / rate, self._samples / rate
            if self._offsets is None:
                self._offsets = [s_start, self._charge, self._energy]
            t0, q0, e0 = self._offsets
            value = {
                "time": {
                    "samples": {"value": [start, self._samples], "units": "samples"},
                    "range": {"value": [s_start - t0, s_stop - t0], "units": "s"},
                },
                "accumulators": {
                    "energy": {"value": self._energy - e0, "units": "J"},
                    "charge": {"value": self._charge - q0, "units": "C"},
                },
            }
            for cbk in list(self._callbacks):
                cbk(value)


class FakeJoulescope:
    """Module-like: `scan()` as in `joulescope` (v1)."""

    def __init__(self, devices: list[FakeDevice]):
        self.devices = devices

    def scan(self, name=None, config=None) -> list[FakeDevice]:
        return list(self.devices)
