"""Power measured with a Joulescope, against a fake of the joulescope v1 API wired to a simulated
board that follows the power firmware's handshake."""

from __future__ import annotations

import time

import pytest
from support.fake_joulescope import FakeBoard, FakeDevice, FakeJoulescope

from autodeploy.power.console import Gpio, PowerConsole, PowerConsoleError
from autodeploy.power.joulescope import (
    JoulescopeError,
    Meter,
    Timeouts,
    measure_mode,
    open_joulescope,
)
from autodeploy.power.report import build_power, power_markdown

GPIO = Gpio(trigger=14, in0=29, in1=36)
FAST = Timeouts(ack_s=0.3, run_s=5.0, stats_s=1.0)


def _rig(board: FakeBoard, **device_kw):
    device = FakeDevice(board, **device_kw)
    console = PowerConsole(board, "fake board")
    console.ready("kws", 1.0)
    return device, console


def test_whole_flow_measures_each_mode() -> None:
    modes = {"LP": (0.008, 0.0078), "HP": (0.004, 0.0279)}  # s per inference, W
    board = FakeBoard(idle_w=0.0005)
    device, console = _rig(board, period_s=0.002)
    results = {}
    with Meter(open_joulescope(FakeJoulescope([device])), 1.8, FAST) as meter:
        assert device.parameters == {
            "sensor_power": "on",
            "i_range": "auto",
            "v_range": "15V",
            "io_voltage": "1.8V",
            "gpo0": "0",
        }
        for name, (inference_s, watts) in modes.items():
            board.inference_s, board.active_w = inference_s, watts
            results[name] = measure_mode(meter, console, name, 50, 42, GPIO)
    assert device.closed and device.parameters["gpo0"] == "0"
    assert board.requests == ["RUN LP 50 42 1 14 29 36", "RUN HP 50 42 1 14 29 36"]
    for name, (inference_s, watts) in modes.items():
        r = results[name]
        assert r["attempts"] == 1
        # The window ends at the first statistics update after GPI = 2 (2 ms period here), so
        # it matches the board's own count of its running time to within a few updates.
        board_ms = r["board_ticks"] / 32e6 / 50 * 1e3
        assert board_ms >= inference_s * 1e3
        assert r["time_ms"] == pytest.approx(board_ms, rel=0.1)
        assert r["power_mw"] == pytest.approx(watts * 1e3, rel=0.1)
        assert r["energy_uj"] == pytest.approx(r["power_mw"] * r["time_ms"], rel=1e-9)
    report = build_power(
        {"model": "kws", "variant": "v", "platform": "p", "toolchain": "gcc", "runs_power": 50,
         "seed": 42},
        results,
        "measured (Joulescope)",
        "note",
    )  # fmt: skip
    assert set(report["summary"]) == {f"{m} {u}" for m in modes for u in ("ms", "uJ", "mW")}
    text = power_markdown(report)
    assert text.count("measured (Joulescope)") == 3 and "| HP |" in text and "| LP |" in text


def test_missing_device() -> None:
    with pytest.raises(JoulescopeError, match="no Joulescope found"):
        open_joulescope(FakeJoulescope([]))


def test_two_devices_are_refused() -> None:
    board = FakeBoard()
    with pytest.raises(JoulescopeError, match="2 Joulescopes found"):
        open_joulescope(FakeJoulescope([FakeDevice(board), FakeDevice(board)]))


def test_board_that_never_acks_times_out_and_releases_the_device() -> None:
    board = FakeBoard(acks=False)
    device, console = _rig(board)
    start = time.monotonic()
    with (
        pytest.raises(JoulescopeError, match=r"acknowledge the trigger .* within 0.3 s"),
        Meter(device, 1.8, FAST) as meter,
    ):
        measure_mode(meter, console, "HP", 10, 42, GPIO)
    assert time.monotonic() - start < 2.0
    assert device.closed and device.parameters["gpo0"] == "0"


def test_zero_energy_is_measured_again() -> None:
    board = FakeBoard()
    device, console = _rig(board, zero_windows=1)
    with Meter(device, 1.8, FAST) as meter:
        result = measure_mode(meter, console, "HP", 20, 42, GPIO)
    assert result["attempts"] == 2 and result["energy_uj"] > 0
    assert device.clears == 2


def test_zero_energy_twice_fails() -> None:
    board = FakeBoard()
    device, console = _rig(board, zero_windows=5)
    with (
        pytest.raises(JoulescopeError, match="read 0 energy twice"),
        Meter(device, 1.8, FAST) as meter,
    ):
        measure_mode(meter, console, "HP", 5, 42, GPIO)


def test_wrong_firmware_is_reported() -> None:
    board = FakeBoard(model="other")
    with pytest.raises(PowerConsoleError, match="expected 'READY kws'"):
        PowerConsole(board, "fake board").ready("kws", 0.5)


class OpenedBoard:
    """What run_on_board hands the power step: a measured board, with or without a power
    switch; a power cycle reboots the fake board (it says READY again)."""

    measured = True
    url = "fake://"
    description = "fake board"

    def __init__(self, board: FakeBoard, power_switch: bool):
        self.board = board
        self.power_switch = power_switch
        self.cycles_after: list[list[str]] = []  # the console requests before each cycle

    def power_cycle(self) -> None:
        self.cycles_after.append(list(self.board.requests))
        self.board._out += b"READY kws\n"


def _power_on_board(tmp_path, monkeypatch, opened: OpenedBoard):
    from scons_project import PROJECT

    from autodeploy.config import load_config
    from autodeploy.power import run

    platform = load_config(PROJECT).platforms["apollo510_evb"]
    device = FakeDevice(opened.board, period_s=0.002)
    monkeypatch.setattr(
        run, "run_on_board", lambda platform, elf, log, dev, work, **kw: (opened, work(opened))
    )
    monkeypatch.setattr(run.serial, "serial_for_url", lambda url, baudrate: opened.board)
    request = run.PowerRequest(
        model="kws", variant="v-HP", platform=platform, toolchain="gcc", runs=20, seed=7,
        tflite_sha256="ab" * 32, elf=tmp_path / "power.elf", log_path=tmp_path / "power.log",
        device="/dev/ttyACM0",
    )  # fmt: skip
    paths = (tmp_path / "power.json", tmp_path / "power.md")
    power = run.power_variant(request, paths, joulescope=FakeJoulescope([device]), timeouts=FAST)
    return power, device, paths


def test_power_variant_on_a_board_writes_measured_reports(tmp_path, monkeypatch) -> None:
    """The board branch of the power step: DEVICE= opens the board, the Joulescope measures
    every CPU mode of the platform, and the reports say "measured"."""
    opened = OpenedBoard(FakeBoard(inference_s=0.002), power_switch=False)
    power, device, paths = _power_on_board(tmp_path, monkeypatch, opened)
    board = opened.board
    assert opened.cycles_after == []
    assert power["source"] == "measured (Joulescope)" and set(power["modes"]) == {"LP", "HP"}
    assert device.parameters["io_voltage"] == "1.8V" and device.closed and board.closed
    assert board.requests == ["RUN LP 20 7 1 14 29 36", "RUN HP 20 7 1 14 29 36", "END"]
    assert "measured (Joulescope)" in paths[1].read_text()
    assert power["run"]["tflite_sha256"] == "ab" * 32 and power["run"]["seed"] == 7


def test_a_board_with_a_power_switch_is_cycled_between_cpu_modes(tmp_path, monkeypatch) -> None:
    opened = OpenedBoard(FakeBoard(inference_s=0.002), power_switch=True)
    power, _, _ = _power_on_board(tmp_path, monkeypatch, opened)
    assert set(power["modes"]) == {"LP", "HP"}
    # once, after the first mode; the console then waited for READY before the second
    assert opened.cycles_after == [["RUN LP 20 7 1 14 29 36"]]
    assert opened.board.requests[-2:] == ["RUN HP 20 7 1 14 29 36", "END"]


def test_the_fake_offers_only_what_the_real_joulescope_api_has():
    """Every method the fake device (and so the power code) uses exists on joulescope 1.5's
    v1 Device, taking the same leading parameters (the real ones may have more optional ones),
    and scan() takes the same arguments."""
    import inspect

    import joulescope
    from joulescope.v1.device import Device
    from support.fake_joulescope import FakeDevice, FakeJoulescope

    def params(fn) -> list[str]:
        return [p for p in inspect.signature(fn).parameters if p != "self"]

    public = [name for name in vars(FakeDevice) if not name.startswith("_")]
    assert "parameter_set" in public and "extio_status" in public
    for name in public:
        assert hasattr(Device, name), name
        fake, real = params(getattr(FakeDevice, name)), params(getattr(Device, name))
        assert real[: len(fake)] == fake, name
    assert params(FakeJoulescope.scan) == params(joulescope.scan)
