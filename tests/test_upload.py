"""Uploading a model's data (a model in PSRAM) to the validator, on the host board: the validator
firmware built natively with an upload buffer of its own, so the calls are tested fast and alone
(tests/test_boot.py uploads a real model to the emulated board). Chunks are checked by each
message's CRC-32, go in order, survive a link fault without starting over, and the board runs the
model only after the whole image's CRC-32 matched; an upload that keeps failing gives up with
the chunk, the retries and what to check."""

from __future__ import annotations

import numpy as np
import pytest
from support.faulty_link import FaultyLink
from support.host_board import HostBoard, build
from support.tflite_builder import ModelBuilder

from autodeploy.rpc.client import BoardClient
from autodeploy.rpc.errors import BoardCallError
from autodeploy.rpc.upload import MAX_RESUMES, UploadError, upload_model_data

IMAGE = np.random.default_rng(11).integers(0, 256, 40_000, dtype=np.uint8).tobytes()


def _relu_model() -> bytes:
    b = ModelBuilder()
    x = b.tensor([1, 16], "INT8", scale=0.1, zero_point=0)
    y = b.tensor([1, 16], "INT8", scale=0.1, zero_point=0)
    b.op("RELU", [x], [y])
    return b.build(inputs=[x], outputs=[y])


@pytest.fixture(scope="module")
def board_exe():
    return build(_relu_model(), "relu", upload=IMAGE).exe


def quiet(line: str) -> None:
    pass


def test_the_model_runs_only_after_the_whole_upload_is_verified(board_exe):
    with HostBoard(board_exe) as board, BoardClient(board.url) as client:
        state = client.upload_state()
        assert (state.bytes, state.received, state.verified) == (len(IMAGE), 0, False)
        with pytest.raises(BoardCallError, match="NOT_UPLOADED"):
            client.invoke()
        chunk = client.max_chunk()
        assert client.upload(0, IMAGE[:chunk]).received == chunk
        with pytest.raises(BoardCallError, match="BAD_RANGE"):  # a gap: chunks go in order
            client.upload(2 * chunk, IMAGE[2 * chunk : 3 * chunk])
        assert client.upload(0, IMAGE[:chunk]).received == chunk  # sent again: harmless
        with pytest.raises(BoardCallError, match="BAD_RANGE"):  # bytes still missing
            client.verify_upload()
        result = upload_model_data(client, IMAGE, "relu", quiet)  # resumes at the board's count
        assert result.chunks == -(-(len(IMAGE) - chunk) // chunk) and not result.already_there
        assert client.upload_state().verified
        client.set_input(0, bytes(range(16)))
        client.invoke()
        assert client.get_output(0) == bytes(range(16))  # RELU of non-negative int8
        again = upload_model_data(client, IMAGE, "relu", quiet)
        assert again.already_there and again.chunks == 0


def test_bytes_that_miss_the_firmwares_crc_are_dropped(board_exe):
    wrong = bytes(len(IMAGE))
    with HostBoard(board_exe) as board, BoardClient(board.url) as client:
        chunk = client.max_chunk()
        for offset in range(0, len(wrong), chunk):
            client.upload(offset, wrong[offset : offset + chunk])
        with pytest.raises(BoardCallError, match="UPLOAD_MISMATCH"):
            client.verify_upload()
        assert client.upload_state().received == 0  # starts over
        with pytest.raises(UploadError, match="expects 40,000 bytes of model data with CRC-32"):
            upload_model_data(client, wrong, "relu", quiet)  # refused before sending anything
        assert client.upload_state().received == 0


def test_a_link_fault_resumes_from_the_boards_count(board_exe):
    """Stalls longer than every retry of a call: the upload asks the board where it got to
    and goes on from there; every byte arrives once verified, none is sent twice but the chunk
    in flight at each fault."""
    with (
        HostBoard(board_exe) as board,
        FaultyLink(
            board.port, seed=2, stall_every=15_000, stall_s=1.0, directions=("to_board",)
        ) as link,
        BoardClient(link.url, timeout_s=0.2, retries=1) as client,
    ):
        lines = []
        result = upload_model_data(client, IMAGE, "relu", lines.append)
        assert client.upload_state().verified
    chunks = -(-len(IMAGE) // client.max_chunk())
    assert link.total("stall") > 0 and result.resumes > 0
    assert result.chunks <= chunks + result.resumes
    assert lines[0].startswith(f"[profile] relu: uploading 40,000 bytes of model data in {chunks}")


def test_an_upload_that_keeps_failing_gives_up_with_what_to_check(board_exe):
    with HostBoard(board_exe) as board, BoardClient(board.url, timeout_s=0.1, retries=1) as c:
        chunk, upload = c.max_chunk(), c.upload

        def pausing(offset: int, data: bytes):
            if offset == 2 * chunk:
                board.pause()  # the board stops answering mid-upload
            return upload(offset, data)

        c.upload = pausing
        with pytest.raises(UploadError) as err:
            upload_model_data(c, IMAGE, "relu", quiet)
    message = str(err.value)
    assert message.startswith(
        f"relu: uploading the model data to the board at {c.url} failed at chunk 3 of 10 "
        f"(offset {2 * chunk:,} of 40,000 bytes): {MAX_RESUMES + 1} link faults in a row, "
        "each a call that failed all 2 tries"
    )
    assert (
        "did not answer upload" in message and "Check the cable/port and the baud rate" in message
    )
