"""A damaged or dead link: corrupted, dropped and stalled bytes, and bursts that eRPC's CRC-16
cannot see, are detected and retried with results identical to a clean link's; a link that keeps
damaging replies, a board that stops answering or goes away fail in bounded time with a message
that says which it is and what to try."""

from __future__ import annotations

import socket
import struct
import time

import numpy as np
import pytest
from erpc.crc16 import Crc16
from support.faulty_link import Bursts, FaultyLink
from support.host_board import HostBoard, build
from support.tflite_builder import ModelBuilder

from autodeploy.rpc.client import BoardClient
from autodeploy.rpc.errors import BoardProtocolError, BoardTimeoutError

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


@pytest.fixture(scope="module")
def expected(board_exe) -> dict:
    """The session's results over a clean link."""
    with HostBoard(board_exe) as board, BoardClient(board.url) as clean:
        result = _session(clean)
        assert clean.retries_used == 0
    return result


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


def test_faults_in_both_directions_are_retried_and_change_no_result(board_exe, expected):
    every = dict(corrupt_every=15000, drop_every=20000, stall_every=30000, burst_every=20000)
    with (
        HostBoard(board_exe) as board,
        FaultyLink(board.port, seed=1, **every) as link,
        BoardClient(link.url, timeout_s=0.3, retries=12) as client,
    ):
        got = _session(client)
        faults = link.faults
    assert got == expected
    assert client.retries_used > 0
    for direction in ("to_board", "to_host"):
        assert all(faults[direction][k] > 0 for k in ("corrupt", "drop", "burst")), faults
    assert link.total("stall") > 0
    print(f"faults {faults}, retries {client.retries_used}")


def test_the_bursts_of_the_faulty_link_keep_the_frame_crc16():
    body = bytes(range(40))
    frame = struct.pack("<HHH", 0, len(body), Crc16().computeCRC16(body)) + body
    bursts = Bursts()
    damaged = bytes(bursts.feed(byte, due=k == 0)[0] for k, byte in enumerate(frame))
    assert damaged[:6] == frame[:6] and damaged[6:] != body  # in the body, not the header
    assert Crc16().computeCRC16(damaged[6:]) == Crc16().computeCRC16(body)


def test_bursts_that_pass_the_crc16_are_caught_by_the_crc32_and_retried(board_exe, expected):
    """A burst in a request makes the board drop it (the host times out and resends); in a
    reply, the host rejects it and resends: one retry per burst, and every number right."""
    with (
        HostBoard(board_exe) as board,
        FaultyLink(board.port, seed=2, burst_every=12000) as link,
        BoardClient(link.url, timeout_s=0.3, retries=12) as client,
    ):
        got = _session(client)
        faults = link.faults
    assert got == expected
    assert faults["to_board"]["burst"] > 0 and faults["to_host"]["burst"] > 0, faults
    assert client.retries_used == link.total("burst")
    dropped = [line for line in board.log if line.startswith("adrpc:")]
    assert dropped == ["adrpc: dropped a request: bad CRC-32\n"] * faults["to_board"]["burst"]


@pytest.mark.parametrize(
    ("faults", "detail"),
    [
        ({"burst_every": 1}, "(3 corrupted; last error: CRC-32 mismatch)"),
        ({"drop_every": 40}, "(3 cut short)"),  # each reply loses a body byte (seed 0)
    ],
    ids=["bursts", "drops"],
)
def test_a_link_that_damages_every_reply_is_reported_as_a_link_fault(board_exe, faults, detail):
    with (
        HostBoard(board_exe) as board,
        FaultyLink(board.port, directions=("to_host",), **faults) as link,
        BoardClient(link.url, timeout_s=0.3, retries=2) as client,
        pytest.raises(BoardProtocolError) as failure,
    ):
        client.info()
    message = str(failure.value)
    assert f"{link.url}: the link corrupted 3 of 3 replies to get_info {detail}" in message
    assert "check the cable/port and the baud rate (115200)" in message
    assert "crashed" not in message


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
