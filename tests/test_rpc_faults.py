"""A damaged or dead link: corrupted, dropped and stalled bytes are detected and retried with
results identical to a clean link's; a board that stops answering or goes away fails in bounded
time with a message that says what to try."""

from __future__ import annotations

import socket
import time

import numpy as np
import pytest
from support.faulty_link import FaultyLink
from support.host_board import HostBoard, build
from support.tflite_builder import ModelBuilder

from autodeploy.rpc.client import BoardClient
from autodeploy.rpc.errors import BoardTimeoutError

SHAPE = [1, 32, 32, 16]  # 16 KB per tensor: a few frames each way per call


def _add_model() -> bytes:
    b = ModelBuilder()
    x = b.tensor(SHAPE, "INT8", scale=0.05, zero_point=-3)
    y = b.tensor(SHAPE, "INT8", scale=0.07, zero_point=5)
    z = b.tensor(SHAPE, "INT8", scale=0.1, zero_point=-1)
    b.op("ADD", [x, y], [z], "AddOptions", {"fused_activation_function": "RELU"})
    return b.build(inputs=[x, y], outputs=[z])


@pytest.fixture(scope="module")
def board_exe():
    return build(_add_model(), "add").exe


def _session(client: BoardClient) -> dict:
    """Every call once or more, with results that would show any wrong byte."""
    rng = np.random.default_rng(5)
    inputs = [rng.integers(-128, 128, SHAPE, dtype=np.int8) for _ in range(2)]
    result = {"info": client.info(), "tensors": [client.tensor(False, 0), client.tensor(True, 0)]}
    for k, array in enumerate(inputs):
        client.set_input(k, array.tobytes())
    client.invoke(warmup=1, profile=True)
    result["uploaded"] = client.get_output(0)
    result["stats"] = [(s.tag, s.macs, s.output_crc32) for s in client.layer_stats()]
    result["crcs"] = [client.fill_inputs(seed, 2) for seed in (1, 2)]
    client.invoke()
    result["seeded"] = client.get_output(0)
    return result


def test_faults_in_both_directions_are_retried_and_change_no_result(board_exe):
    with HostBoard(board_exe) as board, BoardClient(board.url) as clean:
        expected = _session(clean)
        assert clean.retries_used == 0
    with (
        HostBoard(board_exe) as board,
        FaultyLink(
            board.port, seed=1, corrupt_every=15000, drop_every=20000, stall_every=30000
        ) as link,
        BoardClient(link.url, timeout_s=0.3, retries=12) as client,
    ):
        got = _session(client)
        faults = link.faults
    assert got == expected
    assert client.retries_used > 0
    for direction in ("to_board", "to_host"):
        assert faults[direction]["corrupt"] > 0 and faults[direction]["drop"] > 0, faults
    assert link.total("stall") > 0
    print(f"faults {faults}, retries {client.retries_used}")


def test_a_board_that_stops_answering_fails_in_bounded_time_then_recovers(board_exe):
    with HostBoard(board_exe) as board, BoardClient(board.url, timeout_s=0.4, retries=2) as client:
        info = client.info()
        board.pause()
        start = time.monotonic()
        with pytest.raises(BoardTimeoutError) as failure:
            client.get_output(0)
        assert time.monotonic() - start < 3.0
        message = str(failure.value)
        assert board.url in message and "did not answer get_tensor (3 tries, 0.4 s each)" in message
        assert "crashed or reset" in message and "reset the board and run again" in message
        assert client.retries_used == 2
        # Woken up, it answers the three queued calls: the client skips those stale replies.
        board.resume()
        assert client.info() == info


def test_a_board_that_goes_away_is_reported(board_exe):
    with HostBoard(board_exe) as board, BoardClient(board.url, timeout_s=0.5) as client:
        client.info()
        board.stop()
        with pytest.raises(BoardTimeoutError, match="exited or reset.*run again"):
            client.info()


def test_no_board_at_the_url_is_reported_after_the_connect_timeout():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: connections are refused
        start = time.monotonic()
        with pytest.raises(BoardTimeoutError, match=f"could not open .*:{port} within 0.5 s"):
            BoardClient(f"socket://127.0.0.1:{port}", connect_timeout_s=0.5)
        assert time.monotonic() - start < 2.0
