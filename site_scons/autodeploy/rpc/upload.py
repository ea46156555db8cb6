"""Uploading a model's data to a validator whose model runs from PSRAM.

The image carries no weights (autodeploy.memory.boot); before the first inference the host
sends them in chunks of the link's largest payload. Every chunk travels in one call, whose
message ends with a CRC-32 the board checks before it writes anything (the client retries a
damaged call). Chunks go in order and the board counts what it has received, so after a link
fault that outlasts the client's retries the host asks the board where it got to and goes on
from there instead of starting over; it gives up after `MAX_RESUMES` faults in a row without
progress, and at once when the link itself is lost (port closed). Last, the board checks the
whole image's CRC-32 against the one the build wrote into the firmware, and only then runs the
model.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import AutodeployError
from .errors import BoardError, BoardLinkLost

MAX_RESUMES = 5  # link faults in a row, each after every retry of a call, before giving up
PROGRESS_STEPS = 10  # progress lines per upload


class UploadError(AutodeployError):
    """The upload kept failing, or the board and the host disagree on what to upload."""


@dataclass(frozen=True)
class UploadResult:
    bytes: int
    seconds: float  # wall time on the host, from the first chunk to the board's verification
    chunks: int  # chunk calls sent (resent chunks included)
    retries: int  # calls resent by the client
    resumes: int  # link faults after which the upload went on from the board's count
    already_there: bool  # the board had verified this image before: nothing was sent

    @property
    def bytes_per_s(self) -> float | None:
        return self.bytes / self.seconds if self.seconds > 0 and not self.already_there else None


def upload_model_data(
    client, data: bytes, what: str, progress: Callable[[str], None] = print
) -> UploadResult:
    """Upload `data` (the ELF's upload image) to the board behind `client`; `what` names the
    model in messages and progress lines."""
    state = _expect(client.upload_state(), data, client.url)
    started, retries_before = time.monotonic(), client.retries_used
    if state.verified:
        return UploadResult(len(data), 0.0, 0, 0, 0, True)
    chunk = client.max_chunk()
    total_chunks = -(-len(data) // chunk)
    progress(
        f"[profile] {what}: uploading {len(data):,} bytes of model data in {total_chunks} "
        f"chunks of {chunk} bytes"
    )
    offset, sent, resumes, faults = state.received, 0, 0, 0
    reported = offset * PROGRESS_STEPS // len(data)
    while offset < len(data):
        try:
            state = client.upload(offset, data[offset : offset + chunk])
            sent += 1
        except BoardLinkLost:
            raise  # the port is gone: nothing to resume over
        except BoardError as err:
            faults += 1
            if faults > MAX_RESUMES:
                raise _gave_up(client, what, offset, len(data), chunk, faults, err) from None
            resumes += 1
            offset = _board_count(client, offset)
            continue
        faults = 0
        offset = state.received
        step = offset * PROGRESS_STEPS // len(data)
        if step > reported and offset < len(data):
            reported = step
            progress(f"[profile] {what}: uploaded {offset:,}/{len(data):,} bytes")
    state = client.verify_upload()
    if not state.verified:
        raise UploadError(
            f"{what}: the board at {client.url} received all {len(data):,} bytes of model data "
            "but did not accept them; reset the board and run again"
        )
    return UploadResult(
        len(data),
        time.monotonic() - started,
        sent,
        client.retries_used - retries_before,
        resumes,
        False,
    )


def _expect(state, data: bytes, url: str):
    """The board's upload state, after checking it expects exactly `data`."""
    crc = zlib.crc32(data)
    if state.bytes != len(data) or state.crc32 != crc:
        raise UploadError(
            f"the firmware on the board at {url} expects {state.bytes:,} bytes of model data "
            f"with CRC-32 0x{state.crc32:08x}, but its ELF holds {len(data):,} bytes with CRC-32 "
            f"0x{crc:08x}: the board runs another build; flash the image you profile"
        )
    return state


def _board_count(client, offset: int) -> int:
    """Where the board's upload stands after a fault (the host's own count if the board does
    not answer either: the next chunk then tests the link again)."""
    try:
        return client.upload_state().received
    except BoardLinkLost:
        raise
    except BoardError:
        return offset


def _gave_up(client, what, offset, total, chunk, faults, err) -> UploadError:
    return UploadError(
        f"{what}: uploading the model data to the board at {client.url} failed at chunk "
        f"{offset // chunk + 1} of {-(-total // chunk)} (offset {offset:,} of {total:,} bytes): "
        f"{faults} link faults in a row, each a call that failed all {1 + client.retries} "
        f"tries ({client.retries_used} retries in this session). Last error: {err}. Check the "
        f"cable/port and the baud rate ({client.baud}), then run again"
    )
