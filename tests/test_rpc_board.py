"""The validator firmware on the host board, driven by BoardClient: metadata, chunked inputs and
outputs, seeded inputs, profiling and call errors, compared with the host-native runner and LiteRT;
and the wire format checked with pip erpc alone."""

from __future__ import annotations

import os
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter, OpResolverType
from erpc.basic_codec import BasicCodec
from erpc.codec import MessageInfo, MessageType
from erpc.crc16 import Crc16
from erpc.transport import SerialTransport
from support.faulty_link import BURST
from support.generated_program import GeneratedProgram
from support.host_board import HostBoard, build
from support.native_harness import random_inputs
from support.tflite_builder import ModelBuilder

from autodeploy.codegen.generator import NP_DTYPES
from autodeploy.rpc.client import BoardClient, CounterInfo
from autodeploy.rpc.errors import BoardCallError
from autodeploy.rpc.inputs import crc32, seeded_inputs

KWS = Path(__file__).resolve().parent.parent / "models" / "mlperf_tiny_kws_dscnn_int8.tflite"
ADD_SHAPE = [1, 64, 64, 8]  # 32 KB per tensor: several chunks each way


def _add_model() -> bytes:
    """Two int8 inputs added: a multi-input model with tensors larger than a frame."""
    b = ModelBuilder()
    x = b.tensor(ADD_SHAPE, "INT8", scale=0.05, zero_point=-3)
    y = b.tensor(ADD_SHAPE, "INT8", scale=0.07, zero_point=5)
    z = b.tensor(ADD_SHAPE, "INT8", scale=0.1, zero_point=-1)
    b.op("ADD", [x, y], [z], "AddOptions", {"fused_activation_function": "NONE"})
    return b.build(inputs=[x, y], outputs=[z])


def _int16_int64_model() -> bytes:
    """16x8 layers on an int16 input, and an int64 input passed through: INT16 and INT64 inputs
    and outputs on the link."""
    b = ModelBuilder()
    x = b.tensor([1, 6, 6, 3], "INT16", scale=1e-3, zero_point=0)
    rng = np.random.default_rng(4)
    w = b.const(rng.integers(-127, 128, (4, 3, 3, 3), dtype=np.int8), scale=[0.02] * 4)
    bias = b.const(rng.integers(-5000, 5000, 4).astype(np.int64), scale=[2e-5] * 4)
    conv = b.tensor([1, 6, 6, 4], "INT16", scale=4e-3, zero_point=0)
    opts = {"padding": "SAME", "stride_h": 1, "stride_w": 1, "fused_activation_function": "RELU"}
    b.op("CONV_2D", [x, w, bias], [conv], "Conv2DOptions", opts)
    flat = b.tensor([1, 144], "INT16", scale=4e-3, zero_point=0)
    b.op("RESHAPE", [conv, b.const(np.array([1, 144], np.int32))], [flat])
    fw = b.const(rng.integers(-127, 128, (5, 144), dtype=np.int8), scale=[0.01])
    fb = b.const(rng.integers(-9000, 9000, 5).astype(np.int64), scale=[4e-5])
    y = b.tensor([1, 5], "INT16", scale=0.05, zero_point=0)
    b.op("FULLY_CONNECTED", [flat, fw, fb], [y], "FullyConnectedOptions", {})
    big = b.tensor([2, 3], "INT64")
    big_flat = b.tensor([6], "INT64")
    b.op("RESHAPE", [big, b.const(np.array([6], np.int32))], [big_flat])
    return b.build(inputs=[x, big], outputs=[y, big_flat])


MODELS = {"kws": KWS.read_bytes(), "add": _add_model(), "s16": _int16_int64_model()}


@pytest.fixture(scope="module", params=sorted(MODELS))
def model(request):
    """(name, tflite bytes, built board, native program) per model."""
    data = MODELS[request.param]
    return request.param, data, build(data, request.param), GeneratedProgram([data])


@pytest.fixture
def client(model):
    with HostBoard(model[2].exe) as board, BoardClient(board.url, timeout_s=2.0) as c:
        yield c


def _outputs(c: BoardClient) -> list[np.ndarray]:
    result = []
    for k in range(c.info().num_outputs):
        t = c.tensor(True, k)
        result.append(np.frombuffer(c.get_output(k), NP_DTYPES[t.dtype]).reshape(t.shape))
    return result


def test_info_and_tensors_match_the_analysis(model, client):
    name, data, built, _ = model
    analysis = built.analysis
    info = client.info()
    assert (info.board, info.model, info.build_id) == (
        "host",
        name,
        analysis["model"]["sha256"][:16],
    )
    assert info.arena_bytes == analysis["memory_plan"]["arena_bytes"]
    assert info.num_inputs == len(analysis["inputs"])
    assert info.num_outputs == len(analysis["outputs"])
    assert info.num_layers == len(built.layer_tags)
    assert info.counter_hz == 1_000_000_000
    assert 1024 <= info.max_chunk < 4096
    for is_output, described in ((False, analysis["inputs"]), (True, analysis["outputs"])):
        for k, expected in enumerate(described):
            t = client.tensor(is_output, k)
            assert t.name == expected["name"]
            assert t.dtype == expected["dtype"]
            assert list(t.shape) == expected["shape"]
            assert t.bytes == expected["bytes"]
            quantized = bool(expected["scale"])  # the board says 0 for an unquantized tensor
            assert t.scale == pytest.approx(expected["scale"][0] if quantized else 0.0, rel=1e-7)
            assert t.zero_point == (expected["zero_point"][0] if quantized else 0)


def test_uploaded_inputs_give_the_native_runner_outputs(model, client):
    name, data, _, program = model
    sets = random_inputs(data, 2, seed=11)
    expected = program.run(0, sets)
    for inputs, want in zip(sets, expected, strict=True):
        start = time.perf_counter()
        for k, array in enumerate(inputs):
            client.set_input(k, array.tobytes())
        uploaded = time.perf_counter() - start
        assert client.invoke() > 0
        start = time.perf_counter()
        got = _outputs(client)
        downloaded = time.perf_counter() - start
        for g, w in zip(got, want, strict=True):
            np.testing.assert_array_equal(g, w)
    up = sum(a.nbytes for a in sets[-1])
    down = sum(a.nbytes for a in expected[-1])
    rates = f"set_input {up / uploaded / 1e6:.1f} MB/s, get_output {down / downloaded / 1e6:.1f}"
    print(f"{name}: {rates} MB/s on the host board")


def test_seeded_inputs_match_the_mirror_and_give_the_native_outputs(model, client):
    _, data, _, program = model
    tensors = [client.tensor(False, k) for k in range(client.info().num_inputs)]
    for seed, run in ((7, 0), (7, 1), (0xFFFFFFFF, 3)):
        crcs = client.fill_inputs(seed, run)
        inputs = seeded_inputs(seed, run, tensors)
        assert crcs == [crc32(a) for a in inputs]
        client.invoke()
        [expected] = program.run(0, [inputs])
        for g, w in zip(_outputs(client), expected, strict=True):
            np.testing.assert_array_equal(g, w)


def test_every_invocation_reads_the_staged_inputs(model, client):
    """Warm-up runs may overwrite input memory (the arena reuses it): the measured run must
    still see the staged inputs."""
    client.fill_inputs(1, 1)
    client.invoke(warmup=0)
    once = _outputs(client)
    client.invoke(warmup=3)
    for a, b in zip(once, _outputs(client), strict=True):
        np.testing.assert_array_equal(a, b)


def _reference_layer_outputs(data: bytes, inputs) -> Interpreter:
    it = Interpreter(
        model_content=data,
        experimental_op_resolver_type=OpResolverType.BUILTIN_REF,
        experimental_preserve_all_tensors=True,
    )
    it.allocate_tensors()
    for detail, array in zip(it.get_input_details(), inputs, strict=True):
        it.set_tensor(detail["index"], array)
    it.invoke()
    return it


def test_profile_has_one_entry_per_layer_with_the_reference_layer_outputs(model, client):
    _, data, built, _ = model
    tensors = [client.tensor(False, k) for k in range(client.info().num_inputs)]
    client.fill_inputs(21, 0)
    total = client.invoke(warmup=1, profile=True)
    stats = client.layer_stats()
    assert [s.tag for s in stats] == built.layer_tags
    macs = {layer["tag"]: layer["macs"] for layer in built.analysis["layers"]}
    assert [s.macs for s in stats] == [macs[t] for t in built.layer_tags]
    assert all(s.ticks > 0 for s in stats)
    assert sum(s.ticks for s in stats) <= total
    # Each layer's output CRC, against LiteRT's reference kernels keeping every tensor.
    reference = _reference_layer_outputs(data, seeded_inputs(21, 0, tensors))
    expected = [crc32(reference.get_tensor(t)) for t in built.layer_tensors]
    assert [s.output_crc32 for s in stats] == expected
    assert stats[-1].output_crc32 == crc32(client.get_output(0))


def test_call_errors_are_reported_and_the_board_keeps_serving(model, client):
    info = client.info()
    with pytest.raises(BoardCallError, match="get_tensor.*BAD_INDEX"):
        client.tensor(False, info.num_inputs)
    with pytest.raises(BoardCallError, match="get_tensor.*BAD_INDEX"):
        client.get_output(info.num_outputs + 3)
    with pytest.raises(BoardCallError, match="NOT_INVOKED.*invoke first"):
        client.get_output(0)
    with pytest.raises(BoardCallError, match="has \\d+ bytes"):
        client.set_input(0, b"\x01")
    client.fill_inputs(1, 0)
    client.invoke(profile=False)
    with pytest.raises(BoardCallError, match="NOT_PROFILED.*profile=True"):
        client.layer_stats()
    client.fill_inputs(1, 0)  # new inputs: the outputs of the last invoke are stale
    with pytest.raises(BoardCallError, match="NOT_INVOKED"):
        client.get_output(0)
    assert client.invoke() > 0 and len(client.get_output(0)) == client.tensor(True, 0).bytes
    assert client.retries_used == 0


def test_profiling_more_layers_than_the_table_is_refused():
    built = build(MODELS["kws"], "kws", defines=("ADRPC_MAX_LAYERS=4",))
    with HostBoard(built.exe) as board, BoardClient(board.url) as c:
        c.fill_inputs(0, 0)
        with pytest.raises(BoardCallError, match="TOO_MANY_LAYERS.*ADRPC_MAX_LAYERS"):
            c.invoke(profile=True)
        assert c.invoke(profile=False) > 0


# -- the wire, with pip erpc only ------------------------------------------------------------


def _request(method: int, sequence: int, fields=(), service: int = 1) -> bytes:
    """A request body, ending with the CRC-32 of the bytes before it."""
    codec = BasicCodec()
    codec.start_write_message(
        MessageInfo(MessageType.kInvocationMessage, service, method, sequence)
    )
    for write, value in fields:
        write(codec, value)
    return bytes(codec.buffer) + struct.pack("<I", zlib.crc32(codec.buffer))


def _frame(body: bytes) -> bytes:
    crc = Crc16()
    crc_body = crc.computeCRC16(body)
    length = struct.pack("<H", len(body))
    crc_header = (crc.computeCRC16(length) + crc.computeCRC16(struct.pack("<H", crc_body))) & 0xFFFF
    return struct.pack("<HHH", crc_header, len(body), crc_body) + body


def _burst(frame: bytes) -> bytes:
    """The frame with BURST XORed into its body, which keeps the body's CRC-16."""
    start = 10  # the sequence number: without the CRC-32 the board would answer it
    hit = bytes(a ^ b for a, b in zip(frame[start : start + len(BURST)], BURST, strict=True))
    return frame[:start] + hit + frame[start + len(BURST) :]


def _reply(link: SerialTransport, method: int, sequence: int, service: int = 1) -> BasicCodec:
    body = link.receive()
    assert struct.unpack("<I", body[-4:])[0] == zlib.crc32(body[:-4]), "reply CRC-32"
    codec = BasicCodec()
    codec.buffer = body[:-4]
    info = codec.start_read_message()
    assert info == MessageInfo(MessageType.kReplyMessage, service, method, sequence)
    return codec


def test_wire_format_with_pip_erpc_and_corrupted_frames_get_no_reply():
    built = build(MODELS["kws"], "kws")
    with HostBoard(built.exe) as board:
        link = SerialTransport(board.url, 115200, timeout=0.5)
        try:
            link.send(_request(1, 41))
            r = _reply(link, 1, 41)
            assert [r.read_string() for _ in range(3)][:2] == ["host", "kws"]
            assert [r.read_uint32() for _ in range(6)][1:4] == [1, 1, 13]
            # get_tensor(is_output=True, 0): bool, negative int32 and float fields
            link.send(
                _request(2, 42, [(BasicCodec.write_bool, True), (BasicCodec.write_uint32, 0)])
            )
            r = _reply(link, 2, 42)
            assert (r.read_int32(), r.read_string(), r.read_uint8()) == (0, "Identity", 0)
            assert [r.read_int32() for _ in range(r.start_read_list())] == [1, 12]
            assert (r.read_uint32(), r.read_float(), r.read_int32()) == (12, 0.00390625, -128)
            # An unknown method or service gets an error reply: one int32 UNKNOWN_METHOD (7).
            link.send(_request(99, 43))
            assert _reply(link, 99, 43).read_int32() == 7
            link.send(_request(1, 44, service=9))
            assert _reply(link, 1, 44, service=9).read_int32() == 7
            # Arguments that do not decode: BAD_REQUEST (6).
            link.send(_request(6, 45, [(BasicCodec.write_uint32, 0)]))
            assert _reply(link, 6, 45).read_int32() == 6

            # A damaged frame gets no reply, and the frame right behind it is still found.
            damages = {
                "bad header CRC": lambda f: bytes([f[0] ^ 0x40]) + f[1:],
                "bad body CRC": lambda f: f[:-1] + bytes([f[-1] ^ 0x01]),
                "too long": lambda f: _frame(bytes(5000)),
                "stalled in the body": lambda f: f[:10],
                # the body's CRC-16 still matches: only the message's CRC-32 tells
                "bad CRC-32": _burst,
            }
            for sequence, (reason, damage) in enumerate(damages.items(), 46):
                link._serial.write(damage(_frame(_request(1, sequence))))
                if reason.startswith("stalled"):
                    time.sleep(0.05)  # longer than the board's 20 ms stall limit
                link._serial.write(_frame(_request(1, sequence + 100)))
                assert _reply(link, 1, sequence + 100).read_string() == "host"
        finally:
            link.close()
    logged = [line.split(": ")[-1].strip() for line in board.log if line.startswith("adrpc:")]
    assert logged == list(damages)


@pytest.mark.filterwarnings("ignore:set(Daemon|Name):DeprecationWarning")  # pyserial's own
def test_calls_over_rfc2217_leave_the_port_settings_alone(monkeypatch):
    """pyserial 3.5's rfc2217:// client negotiates every port setting again whenever the read
    timeout is assigned (~200 ms per round trip while the link did so before every read);
    after the link is open, calls must not make it."""
    import serial.rfc2217
    from support.serial_relay import Relay

    negotiations = []
    negotiate = serial.rfc2217.Serial._reconfigure_port

    def counted(port, *args, **kwargs):
        negotiations.append(port)
        return negotiate(port, *args, **kwargs)

    monkeypatch.setattr(serial.rfc2217.Serial, "_reconfigure_port", counted)
    with HostBoard(build(MODELS["kws"], "kws").exe) as board:
        relay = Relay(board.url, rfc2217=True)
        with BoardClient(relay.url, timeout_s=2.0) as client:
            at_open = len(negotiations)
            infos = [client.info() for _ in range(5)]
            client.set_input(0, bytes(client.tensor(False, 0).bytes))
            client.invoke()
    assert {info.model for info in infos} == {"kws"}
    assert at_open >= 1 and len(negotiations) == at_open


def test_counter_calls_on_a_board_without_counters():
    """The host board has no core counters: it says so, refuses events, and a profiled invoke
    records zero values per layer; counts go stale when the selection changes."""
    built = build(MODELS["kws"], "kws")
    with HostBoard(built.exe) as board, BoardClient(board.url, timeout_s=2.0) as c:
        assert c.counter_info() == CounterInfo(kind="none", counters=0, events=0)
        with pytest.raises(BoardCallError, match="set_counters.*BAD_RANGE") as err:
            c.set_counters([0x0008])
        assert err.value.status == 2
        c.set_counters([])
        with pytest.raises(BoardCallError, match="get_layer_counters.*NOT_PROFILED"):
            c.layer_counters()
        c.fill_inputs(3, 0)
        c.invoke(profile=True)
        assert c.layer_counters() == [[]] * len(built.layer_tags)
        c.set_counters([])
        with pytest.raises(BoardCallError, match="NOT_PROFILED"):
            c.layer_counters()


@pytest.mark.parametrize("toolchain", ["gcc", "clang"])
@pytest.mark.parametrize(
    "platform, registers",
    [("apollo510_evb", ("0xE0003E00u", "0xE0003400u")), ("apollo4p_evb", ("0xE0001000u",))],
)
def test_counter_unit_follows_the_core(tmp_path, toolchain, platform, registers):
    """counters.c compiles warning-free for the M55 and the M4 with both compilers, and the
    architecture picks the unit: the PMU (PMU_TYPE, PMU_EVTYPER0) on the M55, the DWT (DWT_CTRL)
    on the M4."""
    import subprocess

    from autodeploy.config import load_platform
    from autodeploy.firmware.toolchains import toolchain as find_toolchain

    root = Path(__file__).resolve().parent.parent
    board = load_platform(root / f"platforms/{platform}.yaml")
    tc = find_toolchain(toolchain)
    source = root / "firmware/rpc/src/counters.c"
    cmd = [tc.require(os.environ["PATH"]), *tc.cflags(board), "-Wall", "-Wextra", "-Werror",
           f"-I{root}/firmware/rpc/include", str(source)]  # fmt: skip
    subprocess.run([*cmd, "-c", "-o", str(tmp_path / "counters.o")], check=True)
    expanded = subprocess.run([*cmd, "-E"], capture_output=True, text=True, check=True).stdout
    units = {"0xE0003E00u": "PMU", "0xE0001000u": "DWT"}
    assert {units[a] for a in units if a in expanded} == {units[registers[0]]}
    assert all(address in expanded for address in registers)
