"""The labgrid side of one lease on a board farm: one process per job, run by the interpreter of
the labgrid environment (autodeploy.farm.environment), never imported by the tool itself.

    python agent.py '{"coordinator": "127.0.0.1:20408", "filter": {"board": "apollo510_evb"},
                      "exclude": []}'

It opens its own session with the coordinator (the coordinator tells clients apart by their
connection, so sessions are never shared between jobs), reserves a place matching the filter,
waits for it, acquires it, and tells the tool which place it got. It then serves commands until
told to release or until its input closes, and always gives the place and the reservation back:
also on SIGTERM (the tool's interrupt, or the tool dying: autodeploy.children sends it) and on
errors. The place is held by the coordinator, not by this process: a lease that is not given
back stays taken until someone runs `labgrid-client -p PLACE release --kick`.

Protocol: one JSON object per line. Out: {"event": "waiting", "queued": N, "matching": M},
{"event": "acquired", "place": {...}}, {"event": "error", "kind": K, "message": M, "place": P},
and replies {"ok": true, ...} or {"ok": false, "message": M}. In: {"cmd": "stage", "path": P},
{"cmd": "power", "action": "cycle" | "on" | "off", "off_s": S}, {"cmd": "release"}.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import select
import signal
import socket
import sys
import time

from labgrid import Target
from labgrid.remote.client import ClientSession, ensure_event_loop
from labgrid.remote.common import Reservation, ReservationState
from labgrid.remote.generated import labgrid_coordinator_pb2 as pb2
from labgrid.resource.remote import RemotePlace, RemotePlaceManager
from labgrid.util.managedfile import ManagedFile
from labgrid.util.proxy import proxymanager
from labgrid.util.ssh import sshmanager

CONNECT_S = 10.0  # to reach the coordinator
CALL_S = 10.0  # one coordinator call
POLL_S = 0.2  # reservation polls: a freed place is allocated at once and seen within this
SERIAL_READY_S = 10.0  # after acquiring: the exporter may still be starting ser2net
IDLE_S = 1.0  # between commands, the session's updates are taken in this often
SERIAL_CLASSES = ("NetworkSerialPort",)  # what exporters turn every serial port into
POWER_CLASSES = (
    "NetworkPowerPort",
    "NetworkUSBPowerPort",
    "NetworkSiSPMPowerPort",
    "PDUDaemonPort",
    "TasmotaPowerPort",
    "NetworkYKUSHPowerPort",
    "NetworkSysfsGPIO",
)  # what `labgrid-client power` drives


class Stop(Exception):
    """SIGTERM, SIGINT or SIGHUP: give everything back and leave."""


class Refused(Exception):
    """The lease cannot be had; `kind` tells the tool whether another board might do."""

    def __init__(self, kind: str, message: str, place: str | None = None):
        super().__init__(message)
        self.kind = kind  # "coordinator", "no-match", "place"
        self.place = place  # the place it is about, if any


class Agent:
    def __init__(self, request: dict, out):
        self.request = request
        self.out = out
        self.loop = ensure_event_loop()
        self.session: ClientSession | None = None
        self.token: str | None = None
        self.place: str | None = None  # once acquired
        self._port = None  # its serial port resource, once a command needs it

    # -- talking to the tool -------------------------------------------------------------------

    def send(self, **message) -> None:
        self.out.write(json.dumps(message) + "\n")
        self.out.flush()

    def serve(self) -> None:
        """Answer commands until 'release' or the end of input."""
        commands = os.fdopen(sys.stdin.fileno(), "rb", buffering=0, closefd=False)
        while True:
            # unbuffered: select() sees every line that has not been read yet
            ready, _, _ = select.select([commands], [], [], IDLE_S)
            if not ready:
                self._run(asyncio.sleep(0))  # take in the coordinator's updates
                continue
            line = commands.readline()
            if not line:
                return
            command = json.loads(line)
            if command["cmd"] == "release":
                return
            try:
                self.send(ok=True, **getattr(self, "cmd_" + command["cmd"])(command))
            except Exception as err:  # reported to the tool, which names the place and the job
                self.send(ok=False, message=f"{type(err).__name__}: {err}")

    # -- the coordinator -----------------------------------------------------------------------

    def _run(self, coroutine, timeout: float | None = CALL_S):
        return self.loop.run_until_complete(asyncio.wait_for(coroutine, timeout))

    def connect(self) -> None:
        address = proxymanager.get_grpc_address(self.request["coordinator"], default_port=20408)
        self.session = ClientSession(address, self.loop)
        try:
            self._run(self.session.start(), CONNECT_S)
        except Exception as err:
            raise Refused(
                "coordinator",
                f"could not reach the labgrid coordinator at {address} ({err or 'timeout'}); "
                "check LG_COORDINATOR and that the coordinator runs",
            ) from None

    def matching_places(self) -> list[str]:
        wanted = self.request["filter"].items()
        return sorted(
            name
            for name, place in self.session.places.items()
            if name not in self.request["exclude"]
            and all((place.tags | {"name": name}).get(k) == v for k, v in wanted)
        )

    def reserve(self) -> None:
        matching = self.matching_places()
        if not matching:
            raise Refused("no-match", self._no_match())
        filters = {"main": pb2.Reservation.Filter(filter=self.request["filter"])}
        reply = self._run(
            self.session.stub.CreateReservation(pb2.CreateReservationRequest(filters=filters))
        )
        self.token = reply.reservation.token
        last = None
        while True:
            reply = self._run(
                self.session.stub.PollReservation(pb2.PollReservationRequest(token=self.token))
            )
            reservation = Reservation.from_pb2(reply.reservation)
            if reservation.state is ReservationState.allocated:
                return self.acquire(reservation.allocations["main"][0])
            if reservation.state is not ReservationState.waiting:
                raise Refused(
                    "place", f"the reservation became {reservation.state.name} while waiting"
                )
            queued = self._queued()
            if (queued, len(matching)) != last:
                last = (queued, len(matching))
                self.send(event="waiting", queued=queued, matching=len(matching))
            self._run(asyncio.sleep(POLL_S), None)

    def _queued(self) -> int:
        """Reservations waiting for the same filter, ours included."""
        reply = self._run(self.session.stub.GetReservations(pb2.GetReservationsRequest()))
        reservations = (Reservation.from_pb2(r) for r in reply.reservations)
        return sum(
            r.state is ReservationState.waiting and r.filters.get("main") == self.request["filter"]
            for r in reservations
        )

    def _no_match(self) -> str:
        wanted = ", ".join(f"{k}={v}" for k, v in self.request["filter"].items())
        places = "; ".join(
            f"{name} [{', '.join(f'{k}={v}' for k, v in sorted(place.tags.items())) or 'no tags'}]"
            for name, place in sorted(self.session.places.items())
        )
        excluded = ", ".join(self.request["exclude"])
        other = f" other than {excluded}" if excluded else ""
        return (
            f"no place{other} of the farm matches {wanted} (places: {places or 'none'}); tag one "
            "with `labgrid-client -p PLACE set-tags KEY=VALUE` or fix DEVICE="
        )

    def acquire(self, name: str) -> None:
        try:
            self._run(self.session.stub.AcquirePlace(pb2.AcquirePlaceRequest(placename=name)))
            self.place = name
            self._run(self.session.sync_with_coordinator())
        except Exception as err:
            details = err.details() if hasattr(err, "details") else str(err)
            raise Refused("place", f"place {name} could not be acquired: {details}", name) from None
        serial = self._serial_port(name)
        place = self.session.places[name]
        self.send(
            event="acquired",
            place={
                "name": name,
                "tags": dict(place.tags),
                "host": serial["host"],
                "local": _is_local(serial["host"]),
                "serial": serial,
                "power": any(cls in POWER_CLASSES for _, cls in self._resources(name)),
            },
        )

    def _resources(self, name: str) -> dict:
        return self.session.get_target_resources(self.session.places[name])

    def _serial_port(self, name: str) -> dict:
        """The place's serial port once the exporter says it is available."""
        deadline = time.monotonic() + SERIAL_READY_S
        while True:
            ports = {
                resource_name: entry
                for (resource_name, cls), entry in self._resources(name).items()
                if cls in SERIAL_CLASSES
            }
            if len(ports) > 1:
                ports = {k: v for k, v in ports.items() if k == "console"} or ports
            if len(ports) != 1:
                found = ", ".join(sorted(ports)) or "none"
                raise Refused(
                    "place",
                    f"place {name} needs exactly one serial port (or one named 'console'); it "
                    f"has: {found}",
                    name,
                )
            (entry,) = ports.values()
            if entry.avail and entry.args.get("port"):
                return {
                    "host": entry.args["host"],
                    "port": entry.args["port"],
                    "protocol": entry.args.get("protocol", "rfc2217"),
                }
            if time.monotonic() > deadline:
                raise Refused(
                    "place",
                    f"the serial port of place {name} is not available (is the board plugged "
                    "in and its exporter running?)",
                    name,
                )
            self._run(asyncio.sleep(POLL_S), None)

    def give_back(self) -> None:
        """Cancel the reservation and release the place, whatever happened before."""
        if self.session is None:
            return
        for what, call in (
            ("cancel the reservation", self._cancel),
            ("release place", self._release),
        ):
            try:
                call()
            except Exception as err:  # a stderr line for the log; the tool reports the place
                print(f"agent: could not {what}: {err}", file=sys.stderr)
        try:
            self._run(self.session.stop(), 2.0)
            self._run(self.session.close(), 2.0)
        except Exception:
            pass  # leaving anyway

    def _cancel(self) -> None:
        if self.token:
            token, self.token = self.token, None
            request = pb2.CancelReservationRequest(token=token)
            self._run(self.session.stub.CancelReservation(request))

    def _release(self) -> None:
        if self.place:
            place, self.place = self.place, None
            self._run(self.session.stub.ReleasePlace(pb2.ReleasePlaceRequest(placename=place)))

    # -- commands ------------------------------------------------------------------------------

    def _serial_resource(self):
        """The place's serial port as a labgrid resource (what labgrid's file copy takes)."""
        if self._port is None:
            manager = RemotePlaceManager.get()
            manager.session, manager.loop = self.session, self.loop
            target = Target(self.place)
            RemotePlace(target, name=self.place)
            self._port = next(r for r in target.resources if type(r).__name__ in SERIAL_CLASSES)
        return self._port

    def cmd_stage(self, command: dict) -> dict:
        """Where the image is on the exporter host, and the command prefix that runs there."""
        port = self._serial_resource()
        if _is_local(port.host):
            return {"path": command["path"], "prefix": []}
        image = ManagedFile(command["path"], port)  # skips the copy when the path is shared
        image.sync_to_resource()
        return {"path": image.get_remote_path(), "prefix": sshmanager.open(port.host).get_prefix()}

    def cmd_power(self, command: dict) -> dict:
        """labgrid-client's own power action on the place (it picks the driver)."""
        self.session.args = argparse.Namespace(
            place=self.place,
            action=command["action"],
            delay=command.get("off_s"),
            name=None,
            state=None,
            initial_state=None,
        )
        self.session.power()
        return {}


def _is_local(host: str) -> bool:
    """This machine: the exporter's commands run here, with the tool's own paths."""
    try:
        if ipaddress.ip_address(host).is_loopback:
            return True
    except ValueError:
        pass
    return host in ("localhost", socket.gethostname(), socket.getfqdn())


def _stop(signum, frame):
    raise Stop()


def main() -> int:
    request = json.loads(sys.argv[1])
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w")  # the protocol; labgrid prints go to stderr
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _stop)
    agent = Agent(request, out)
    try:
        agent.connect()
        agent.reserve()
        agent.serve()
    except Refused as err:
        agent.send(event="error", kind=err.kind, message=str(err), place=err.place)
        if agent.place:
            agent.serve()  # hold the unusable place, so the tool's retry gets another one
    except Stop:
        pass
    except Exception as err:  # e.g. the coordinator went away: the tool says which lease failed
        agent.send(event="error", kind="coordinator", message=f"{type(err).__name__}: {err}")
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)  # giving back takes a moment: finish it
        agent.give_back()
        sshmanager.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
