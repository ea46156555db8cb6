"""A board from a labgrid farm (DEVICE=labgrid:...): a place reserved and acquired for one job,
flashed on the exporter host it hangs off, reached through the place's serial port, and always
released (autodeploy.farm.lease).

The flash template runs where the board is: on this machine when the exporter host is this
machine, else through labgrid's SSH connection to the exporter host, with the image copied there
by labgrid (its managed-file copy, skipped when the path is shared, e.g. over NFS). It fills
{host} (the exporter host), {place} and {tags[NAME]} (a place tag, e.g. a probe's serial number)
besides {elf} (the image's path on that host) and {device} (the console's pyserial URL).

run_on_farm() runs a job's work on a farm board: a board that fails (flash, link, console) is
kept while another is acquired (so the retry cannot get it again), then released, and the work
runs once more; a second failure is reported with both places' names.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from typing import TypeVar

from ..farm.lease import Lease, Place, PlaceUnusable
from ..farm.request import FarmError, FarmRequest
from .device import Device, DeviceError

T = TypeVar("T")


class FarmBoard(Device):
    def __init__(
        self,
        platform,
        elf: str | os.PathLike,
        log_path: str | os.PathLike,
        request: FarmRequest,
        *,
        what: str,
        progress: Callable[[str], None] = print,
        exclude: tuple[str, ...] = (),
    ):
        super().__init__(platform, elf, log_path, url="")
        self.lease = Lease(request, what, progress, exclude)
        self.place: Place | None = None

    @property
    def description(self) -> str:
        return f"{self.platform.name} on farm place {self.place.name} ({self.place.host})"

    def acquire(self) -> None:
        self.place = self.lease.acquire()
        self.url = self.place.url

    def flash(self) -> None:
        with self.flash_image() as image:
            staged, prefix = self.lease.stage(image)
            command = self.flash_command(
                staged, host=self.place.host, place=self.place.name, tags=self.place.tags
            )
            self._flash([*prefix, shlex.join(command)] if prefix else command)

    @property
    def power_switch(self) -> bool:
        return self.place.power  # the place has a power resource

    def power_cycle(self) -> None:
        """Off, on, and flash again (a load-and-run image does not survive a power cycle)."""
        self.lease.power("cycle")
        self.flash()

    def release(self) -> None:
        self.lease.release()

    def __enter__(self) -> FarmBoard:
        try:
            self.acquire()
            self.flash()
        except BaseException:
            self.release()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def run_on_farm(
    platform,
    elf: str | os.PathLike,
    log_path: str | os.PathLike,
    request: FarmRequest,
    work: Callable[[FarmBoard], T],
    *,
    lost: tuple[type[BaseException], ...],
    what: str,
    progress: Callable[[str], None] = print,
) -> tuple[FarmBoard, T]:
    """(board, work(board)) on a board of the farm, released afterwards. `lost`: the errors of
    `work` that mean the board failed (a dead link, a silent console); flash failures and
    unusable places count too."""
    failures: list[tuple[str, BaseException]] = []
    held: FarmBoard | None = None  # the failed board, until the retry has another
    try:
        while True:
            board = FarmBoard(
                platform,
                elf,
                log_path,
                request,
                what=what,
                progress=progress,
                exclude=tuple(name for name, _ in failures),
            )
            try:
                board.acquire()
                if held:
                    held.release()
                    held = None
                board.flash()
                result = work(board)
            except (DeviceError, PlaceUnusable, *lost) as err:
                if held:
                    held.release()
                name = board.place.name if board.place else getattr(err, "place", None)
                failures.append((name or "?", err))
                if len(failures) == 2 or request.named:
                    board.release()
                    raise _failed(what, request, failures) from None
                progress(
                    f"[farm] {what}: the board on place {name} failed; retrying once on "
                    "another board"
                )
                held = board
                continue
            except FarmError as err:
                board.release()
                if failures:  # no other board to retry on
                    raise _failed(what, request, failures, str(err)) from None
                raise
            except BaseException:
                board.release()
                raise
            board.release()
            return board, result
    finally:
        if held:
            held.release()


def _failed(
    what: str, request: FarmRequest, failures: list, no_retry: str | None = None
) -> FarmError:
    runs = "; and, retried, ".join(f"on place {name}: {err}" for name, err in failures)
    if request.named:
        why = f" (DEVICE names {request.label}, so there is no other board to retry on)"
    elif no_retry:
        why = f" (not retried: {no_retry})"
    else:
        why = ""
    return FarmError(f"{what}: the board failed {runs}{why}")
