"""A labgrid board farm on loopback for tests: a coordinator, exporters and places whose boards are
QEMU started by a fake flash command, with a fake power switch.

    with LabFarm(tmp_path, {"p1": ("ex1", {"board": "apollo510_evb"}), ...}) as farm:
        farm.coordinator  # "127.0.0.1:PORT" for LG_COORDINATOR
        farm.doom("p2")   # the next board flashed on p2 dies at the first request

Each place exports its board's UART as a NetworkSerialPort (raw TCP on a free loopback port:
what the flash command starts QEMU behind) and a NetworkPowerPort (model simplerest) on an HTTP
server in this process: switching a place off kills its board, as pulling the plug would.
Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from autodeploy.farm.environment import labgrid_python

FAKE_FLASHER = """\
# A stand-in for a vendor flash tool on the exporter host: "flashes" the flash image onto the
# place's board, which is really QEMU listening on the place's serial port, and leaves it running
# like a flashed board whose boot ROM starts the image at its entry point; the board it replaces
# is ended first. A place marked doomed gets a board that dies at the first request (the marker
# is used up). Every flash is logged with the placeholders it got.
import json, os, shutil, signal, socket, struct, subprocess, sys, time
image, device, host, place, serial_tag, state = sys.argv[1:7]
port = int(device.rsplit(":", 1)[1])
pid_file = os.path.join(state, place + ".pid")
if os.path.exists(pid_file):
    try:
        os.killpg(int(open(pid_file).read()), signal.SIGKILL)
    except ProcessLookupError:
        pass
    time.sleep(0.1)  # the port is free once the old board is gone
doomed = os.path.join(state, place + ".doomed")
dies = os.path.exists(doomed)
if dies:
    os.unlink(doomed)
# "written into the board's MRAM": the build removes its temporary image once the flash returns
elf = shutil.copy(image, os.path.join(state, place + ".flash.elf"))
entry = struct.unpack_from("<I", open(elf, "rb").read(), 24)[0]
with open(os.path.join(state, "flashes.jsonl"), "a") as log:
    log.write(json.dumps({"place": place, "host": host, "serial": serial_tag, "elf": elf,
                          "dies": dies, "time": time.time()}) + "\\n")
board_log = os.path.join(state, place + ".log")
DYING = (
    "import socket, sys; s = socket.create_server(('127.0.0.1', int(sys.argv[1]))); "
    "print('waiting for connection', flush=True); c, _ = s.accept(); c.recv(1); c.close()"
)
command = [sys.executable, "-c", DYING, str(port)] if dies else [
    "qemu-system-arm", "-M", "mps3-an547", "-nographic", "-monitor", "none", "-kernel", elf,
    "-device", f"loader,addr={entry},cpu-num=0", "-icount", "shift=0",
    "-semihosting-config", "enable=on,target=native",
    "-serial", f"tcp:127.0.0.1:{port},server=on,wait=on,nodelay=on"]
with open(board_log, "w") as out:
    board = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
open(pid_file, "w").write(str(board.pid))
for _ in range(400):
    if "waiting for connection" in open(board_log).read():
        print(f"flashed {elf} on {place}")
        sys.exit(0)
    if board.poll() is not None:
        break
    time.sleep(0.05)
sys.exit("the board did not come up: " + open(board_log).read())
"""

# Reads the coordinator's view (run by the labgrid environment's interpreter).
FARM_STATE = """\
import json, sys
from labgrid.remote.client import start_session
from labgrid.remote.generated import labgrid_coordinator_pb2 as pb2
session = start_session(sys.argv[1])
reply = session.loop.run_until_complete(session.stub.GetReservations(pb2.GetReservationsRequest()))
print(json.dumps({
    "acquired": {name: place.acquired for name, place in session.places.items()},
    "reservations": len(reply.reservations),
}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabFarm:
    def __init__(self, root: Path, places: dict[str, tuple[str, dict[str, str]]]):
        """places: name -> (exporter name, tags)."""
        self.root = root
        self.state = root / "boards"  # pid files, board logs, flashes.jsonl, doom markers
        self.state.mkdir(parents=True, exist_ok=True)
        self.places = places
        self.python = labgrid_python()  # the project's install on first use
        self.bin = self.python.parent
        self.coordinator = f"127.0.0.1:{free_port()}"
        self.serial_ports = {name: free_port() for name in places}
        self.power_index = {name: k for k, name in enumerate(places, start=1)}
        self.power_requests: list[tuple[str, int]] = []  # (place, 0 off / 1 on)
        self._processes: list[subprocess.Popen] = []
        self._power = ThreadingHTTPServer(("127.0.0.1", 0), self._power_handler())
        self.flasher = root / "fake_flasher.py"
        self.flasher.write_text(FAKE_FLASHER)

    # -- life cycle ----------------------------------------------------------------------------

    def __enter__(self) -> LabFarm:
        threading.Thread(target=self._power.serve_forever, daemon=True).start()
        try:
            self._start_coordinator()
            for exporter in sorted({e for e, _ in self.places.values()}):
                self._start_exporter(exporter)
            self._wait_for_resources()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        for process in self._processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        self._power.shutdown()
        self._power.server_close()
        self.kill_boards()

    def kill_boards(self) -> None:
        for pid_file in self.state.glob("*.pid"):
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.killpg(int(pid_file.read_text()), signal.SIGKILL)
            pid_file.unlink()

    def _spawn(self, name: str, command: list[str], cwd: Path) -> None:
        cwd.mkdir(parents=True, exist_ok=True)
        with open(self.root / f"{name}.log", "w") as log:
            self._processes.append(
                subprocess.Popen(
                    command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            )

    def _start_coordinator(self) -> None:
        folder = self.root / "coordinator"
        folder.mkdir(parents=True, exist_ok=True)
        places = {
            name: {
                "matches": [{"exporter": exporter, "group": name, "cls": "*"}],
                "tags": tags,
            }
            for name, (exporter, tags) in self.places.items()
        }
        (folder / "places.yaml").write_text(json.dumps(places))  # JSON is YAML
        self._spawn(
            "coordinator", [str(self.bin / "labgrid-coordinator"), "-l", self.coordinator], folder
        )
        # an exporter that finds no coordinator exits: start them once it listens
        host, port = self.coordinator.split(":")
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection((host, int(port)), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError("the coordinator did not listen within 60 s") from None
                time.sleep(0.1)

    def _start_exporter(self, exporter: str) -> None:
        power_url = f"http://127.0.0.1:{self._power.server_address[1]}/{{index}}/{{value}}"
        groups = {
            name: {
                "NetworkSerialPort": {
                    "host": "127.0.0.1",
                    "port": self.serial_ports[name],
                    "protocol": "raw",
                },
                "NetworkPowerPort": {
                    "model": "simplerest",
                    "host": power_url,
                    "index": self.power_index[name],
                },
            }
            for name, (owner, _) in self.places.items()
            if owner == exporter
        }
        config = self.root / f"{exporter}.yaml"
        config.write_text(json.dumps(groups))
        command = [
            str(self.bin / "labgrid-exporter"), "-c", self.coordinator, "-n", exporter,
            "--hostname", "127.0.0.1", str(config),
        ]  # fmt: skip
        self._spawn(exporter, command, self.root / exporter)

    def _wait_for_resources(self, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                out = self.client("resources")
            except subprocess.CalledProcessError:
                out = ""
            if all(f"/{name}/NetworkSerialPort" in out for name in self.places):
                return
            if time.monotonic() > deadline:
                logs = "\n".join(p.read_text()[-2000:] for p in self.root.glob("*.log"))
                raise TimeoutError(f"the farm did not come up:\n{out}\n{logs}")
            time.sleep(0.2)

    # -- using it ------------------------------------------------------------------------------

    def client(self, *args: str, user: str | None = None) -> str:
        """labgrid-client against this farm (as `user`, another engineer, when given)."""
        env = {**os.environ, "LG_COORDINATOR": self.coordinator}
        if user:
            env["LG_USERNAME"] = user
        return subprocess.run(
            [str(self.bin / "labgrid-client"), *args],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout

    def hold(self, place: str, user: str = "other") -> None:
        self.client("-p", place, "acquire", user=user)

    def let_go(self, place: str, user: str = "other") -> None:
        self.client("-p", place, "release", user=user)

    def state_now(self) -> dict:
        """{"acquired": {place: holder or None}, "reservations": count} from the coordinator."""
        out = subprocess.run(
            [str(self.python), "-c", FARM_STATE, self.coordinator],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        return json.loads(out.strip().splitlines()[-1])

    def doom(self, place: str) -> None:
        """The next board flashed on `place` dies at the first request."""
        (self.state / f"{place}.doomed").touch()

    def flashes(self) -> list[dict]:
        path = self.state / "flashes.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def board_pid(self, place: str) -> int:
        return int((self.state / f"{place}.pid").read_text())

    def _power_handler(self):
        farm = self
        by_index = {str(k): name for name, k in self.power_index.items()}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # simplerest: GET /<index>/<0|1> switches, GET /<index> reads
                parts = self.path.strip("/").split("/")
                place = by_index.get(parts[0])
                if place is None:
                    self.send_error(404)
                    return
                if len(parts) == 2:
                    value = int(parts[1])
                    farm.power_requests.append((place, value))
                    if value == 0:
                        farm._unplug(place)
                body = b"1"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler

    def _unplug(self, place: str) -> None:
        pid_file = self.state / f"{place}.pid"
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(int(pid_file.read_text()), signal.SIGKILL)
