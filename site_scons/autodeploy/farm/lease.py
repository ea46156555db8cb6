"""One place of a board farm, held for one job by a labgrid agent process of its own.

    with Lease(request, "kws apollo510_evb-gcc-auto-auto-HP") as lease:
        place = lease.acquire()          # waits for a free matching place
        ... place.url, lease.stage(elf), lease.power("cycle") ...
    # released: place given back, reservation cancelled

Thread-safety: SCons runs jobs as threads of one process, and a labgrid session shared between
threads confuses the coordinator, so each Lease starts its own agent (autodeploy/farm/agent.py,
in the labgrid environment) with its own connection, and nothing here is shared between leases
but the one-time install. A Lease is used by the one thread that made it.

The agent is a child of the tool (autodeploy.children) with SIGTERM as its stop signal: on
Ctrl-C, or when the tool dies, it cancels the reservation and releases the place before it
exits; the thread waiting on it then sees it gone and raises Interrupted.
"""

from __future__ import annotations

import json
import signal
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import children
from .environment import labgrid_python
from .request import FarmError, FarmRequest

AGENT = Path(__file__).with_name("agent.py")
RELEASE_TIMEOUT_S = 20.0  # cancel + release are two coordinator calls; theirs is 10 s each
POWER_OFF_S = 2.0  # a power cycle's off time (labgrid's default)


class PlaceUnusable(FarmError):
    """The place given to this job cannot be used (not acquirable, no serial port): another
    board may do."""

    def __init__(self, place: str | None, message: str):
        super().__init__(message)
        self.place = place


@dataclass(frozen=True)
class Place:
    name: str
    tags: dict[str, str]
    host: str  # the exporter host the board is attached to
    local: bool  # that host is this machine
    serial: dict  # host, port, protocol ("raw" or "rfc2217")
    power: bool  # has a power resource `labgrid-client power` can switch

    @property
    def url(self) -> str:
        """The pyserial URL of the board's console."""
        host = f"[{self.serial['host']}]" if ":" in self.serial["host"] else self.serial["host"]
        if self.serial["protocol"] == "raw":
            return f"socket://{host}:{self.serial['port']}"
        # ser2net's RFC 2217 server does not answer modem-control requests
        return f"rfc2217://{host}:{self.serial['port']}?ign_set_control"


class Lease:
    def __init__(
        self,
        request: FarmRequest,
        what: str,
        progress: Callable[[str], None] = print,
        exclude: tuple[str, ...] = (),
    ):
        self.request = request
        self.what = what  # the job, for messages: "kws apollo510_evb-gcc-auto-auto-HP"
        self.progress = progress
        self.exclude = exclude  # places this job must not get (failed boards it still holds)
        self.place: Place | None = None
        self._agent: subprocess.Popen | None = None
        self._stderr = None

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def acquire(self) -> Place:
        """Reserve, wait for and acquire a place; prints progress while waiting."""
        payload = {
            "coordinator": self.request.coordinator,
            "filter": self.request.filter,
            "exclude": list(self.exclude),
        }
        python = labgrid_python(self.progress)
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by release())
        self._agent = children.spawn(
            [str(python), "-I", str(AGENT), json.dumps(payload)],
            stop_signal=signal.SIGTERM,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        while True:
            message = self._receive("waiting for a place")
            event = message.get("event")
            if event == "waiting":
                self.progress(
                    f"[farm] {self.what}: waiting for a free {self.request.label}: "
                    f"{message['queued']} queued for {message['matching']} matching places"
                )
            elif event == "acquired":
                self.place = Place(**message["place"])
                self.progress(
                    f"[farm] {self.what}: acquired place {self.place.name} "
                    f"(exporter host {self.place.host})"
                )
                return self.place
            elif event == "error":
                if message["kind"] == "place":
                    raise PlaceUnusable(message.get("place"), message["message"])
                raise FarmError(f"{self.what}: {message['message']}")

    def stage(self, path: Path) -> tuple[str, list[str]]:
        """The image's path on the exporter host (copied there by labgrid unless that host is
        this machine or shares the path), and the command prefix that runs a command there
        (`ssh ... host`; empty when the host is this machine)."""
        if self.place.local:
            return str(path), []
        reply = self._command({"cmd": "stage", "path": str(path)}, "copying the image")
        return reply["path"], reply["prefix"]

    def power(self, action: str, off_s: float = POWER_OFF_S) -> None:
        """Switch the place's power: "cycle", "on" or "off" (labgrid-client power)."""
        self._command({"cmd": "power", "action": action, "off_s": off_s}, f"power {action}")

    def release(self) -> None:
        """Give the place and the reservation back and end the agent. Idempotent."""
        agent, self._agent = self._agent, None
        if agent is None:
            return
        try:
            agent.stdin.write(json.dumps({"cmd": "release"}) + "\n")
            agent.stdin.close()
        except OSError:
            pass  # it ended already (and gave everything back as it did)
        try:
            agent.wait(timeout=RELEASE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            children.kill(agent)
            agent.wait()
            name = self.place.name if self.place else "its place"
            self.progress(
                f"[farm] {self.what}: could not release {name} in {RELEASE_TIMEOUT_S:g} s; if "
                f"it stays acquired: labgrid-client -p {name} release --kick"
            )
        else:
            if self.place:
                self.progress(f"[farm] {self.what}: released place {self.place.name}")
        finally:
            agent.stdout.close()
            self._stderr.close()

    def _command(self, command: dict, doing: str) -> dict:
        self._agent.stdin.write(json.dumps(command) + "\n")
        self._agent.stdin.flush()
        reply = self._receive(doing)
        if not reply.get("ok"):
            raise PlaceUnusable(
                self.place.name,
                f"{self.what}: {doing} on place {self.place.name} failed: {reply['message']}",
            )
        return reply

    def _receive(self, doing: str) -> dict:
        line = self._agent.stdout.readline()
        if line:
            return json.loads(line)
        self._agent.wait()
        if children.interrupted():
            raise children.Interrupted()
        self._stderr.seek(0)
        tail = self._stderr.read().decode(errors="replace").strip().splitlines()[-15:]
        raise FarmError(
            f"{self.what}: the labgrid agent ended while {doing} (exit code "
            f"{self._agent.returncode}):\n" + "\n".join(tail)
        )
