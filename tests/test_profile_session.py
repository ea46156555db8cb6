"""Profile session and reports against a fake board that answers like the firmware would (its
outputs and per-layer CRCs come from LiteRT's reference kernels), with injected faults."""

from __future__ import annotations

import csv
import json
import zlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import autodeploy.board as board_module
from autodeploy.analysis.model_analysis import analyze_bytes
from autodeploy.config.loader import load_platform
from autodeploy.profile.pmu_capture import CounterCaptureError, PmuRequest
from autodeploy.profile.pmu_events import CORTEX_M55_PMU
from autodeploy.profile.run import ProfileRequest, ValidationError, host_inputs, profile_variant
from autodeploy.profile.session import (
    BoardMismatchError,
    StaleFirmwareError,
    StateLostError,
    run_session,
)
from autodeploy.profile.timing import EMULATED_COUNT_NOTE
from autodeploy.reference import layer_output_crcs, reference_outputs_with_fallback, run_reference
from autodeploy.rpc.client import BoardInfo, CounterInfo, LayerStat, TensorInfo
from autodeploy.rpc.errors import BoardCallError
from autodeploy.rpc.inputs import seeded_inputs
from autodeploy.target import PORTABLE
from autodeploy.tflite.reader import parse_model

ROOT = Path(__file__).resolve().parent.parent
TFLITE = (ROOT / "models/mlperf_tiny_kws_dscnn_int8.tflite").read_bytes()
PLATFORM = load_platform(ROOT / "platforms/apollo510_evb.yaml")
SEED, RUNS = 7, 3
PLACEMENT = {
    "platform": "apollo510_evb",
    "placement": {"model_location": "TCM", "arena_location": "SRAM"},
}
COUNTER_HZ = 32_000_000  # the emulated boards' counter: 31.25 instructions per tick


@pytest.fixture(scope="module")
def model():
    analysis = analyze_bytes(TFLITE, "models/kws.tflite", PORTABLE)
    inputs = host_inputs(analysis, SEED, RUNS)
    outputs = run_reference("litert", TFLITE, inputs)
    layer_crcs = [layer_output_crcs(TFLITE, run_inputs)[1] for run_inputs in inputs]
    answers = {_key(i): (o, c) for i, o, c in zip(inputs, outputs, layer_crcs, strict=True)}
    return analysis, inputs, answers


def expected(model) -> list:
    """The reference outputs of every run."""
    return [model[2][_key(run_inputs)][0] for run_inputs in model[1]]


def _key(arrays) -> bytes:
    return b"".join(np.ascontiguousarray(a).tobytes() for a in arrays)


class FakeBoard:
    """BoardClient's interface; `faults` injects a wrong layer output in some runs and more."""

    def __init__(self, analysis, answers, **faults):
        self.analysis, self.answers, self.faults = analysis, answers, faults
        self.inputs = [None] * len(analysis["inputs"])
        self.calls = []
        self.retries_used = 2
        order = analysis["memory_plan"]["execution_order"]
        by_index = {layer["index"]: layer for layer in analysis["layers"]}
        self.layers = [by_index[i] for i in order]
        self.run = -1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def info(self):
        a = self.analysis
        return BoardInfo(
            board="fake-an547", model="kws",
            build_id=self.faults.get("build_id", a["model"]["sha256"][:16]),
            arena_bytes=a["memory_plan"]["arena_bytes"], num_inputs=len(a["inputs"]),
            num_outputs=len(a["outputs"]), num_layers=len(self.layers), counter_hz=COUNTER_HZ,
            max_chunk=1024,
        )  # fmt: skip

    def tensor(self, is_output, index):
        e = self.analysis["outputs" if is_output else "inputs"][index]
        dtype = self.faults.get("dtype", e["dtype"]) if is_output else e["dtype"]
        return TensorInfo(e["name"], dtype, tuple(e["shape"]), e["bytes"], 1.0, 0)

    def set_input(self, index, data):
        self.calls.append(("set_input", index))
        spec = self.analysis["inputs"][index]
        self.inputs[index] = np.frombuffer(data, np.int8).reshape(spec["shape"])
        self.run += 1

    def fill_inputs(self, seed, run):
        self.calls.append(("fill_inputs", seed, run))
        self.run = run
        specs = [SimpleNamespace(**e) for e in self.analysis["inputs"]]
        self.inputs = seeded_inputs(seed, run, specs)
        crcs = [zlib.crc32(a.tobytes()) for a in self.inputs]
        return [c ^ 1 for c in crcs] if run == self.faults.get("bad_fill_run") else crcs

    def invoke(self, warmup=0, profile=False, timeout_s=None):
        self.calls.append(("invoke", warmup, profile))
        if self.run == self.faults.get("resent_invoke_run"):
            self.retries_used += 1
        assert timeout_s >= 10
        outputs, crcs = self.answers[_key(self.inputs)]
        self.outputs = [o.copy() for o in outputs]
        self.crcs = [crcs[layer["index"]] for layer in self.layers]
        if self.run in self.faults.get("wrong_runs", ()):
            self.outputs[0].reshape(-1)[3] += 1
            broken = self.faults["wrong_layer"]
            self.crcs[broken:] = [c ^ 0xFF for c in self.crcs[broken:]]
        self.profiled = profile
        return 1000 + sum(self._ticks(layer) for layer in self.layers)

    @staticmethod
    def _ticks(layer):
        return layer["macs"] // 100 + 10

    def get_output(self, index):
        return self.outputs[index].tobytes()

    def layer_stats(self):
        assert self.profiled
        return [
            LayerStat(layer["tag"], layer["macs"], self._ticks(layer), crc)
            for layer, crc in zip(self.layers, self.crcs, strict=True)
        ]


@pytest.fixture
def analysis(model):
    return model[0]


class FakeEmulator:
    measured = False
    url, baud, description = "socket://fake", 115200, "QEMU mps3-an547, -icount shift=0"

    def __init__(self, *args):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def exit_report(self):
        return ""


def profile(tmp_path, monkeypatch, analysis, answers, **faults):
    monkeypatch.setattr(board_module, "open_board", FakeEmulator)
    request = ProfileRequest(
        model="kws", variant="v", analysis=analysis, placement=PLACEMENT, tflite=TFLITE,
        platform=PLATFORM, cpu_mode="HP", runs=RUNS, seed=SEED, elf="fw.elf",
        log_path=tmp_path / "qemu.log",
    )  # fmt: skip
    board = FakeBoard(analysis, answers, **faults)
    paths = [tmp_path / f"profile.{ext}" for ext in ("csv", "md", "json")]
    lines = []
    try:
        result = profile_variant(request, paths, lines.append, lambda url, baud: board)
    finally:
        board.lines = lines
    return result, board, paths


def profile_through(url, monkeypatch, tmp_path, paths, **request):
    """profile_variant of a board reached at `url` (the native validator firmware, maybe
    through a faulty link) instead of an emulator."""
    running = FakeEmulator()
    running.url = url
    monkeypatch.setattr(board_module, "open_board", lambda *args: running)
    request = ProfileRequest(
        variant="host", placement=PLACEMENT, platform=PLATFORM, seed=SEED, elf="unused",
        log_path=tmp_path / "log", **request,
    )  # fmt: skip
    return profile_variant(request, paths, lambda line: None)


def test_profile_of_a_correct_board(tmp_path, monkeypatch, model, analysis):
    result, board, paths = profile(tmp_path, monkeypatch, analysis, model[2])
    assert board.lines == [f"[profile] kws: run {k}/{RUNS}" for k in (1, 2, 3)]
    assert board.calls == [
        ("set_input", 0), ("invoke", 1, True),
        ("fill_inputs", SEED, 1), ("invoke", 0, False),
        ("fill_inputs", SEED, 2), ("invoke", 0, False),
    ]  # fmt: skip
    layer_ticks = [FakeBoard._ticks(layer) for layer in board.layers]
    total_ticks = 1000 + sum(layer_ticks)
    assert result["total_instructions"] == round(total_ticks * 31.25)
    assert result["inference_us"] == pytest.approx(total_ticks * 31.25 / 250e6 * 1e6)
    assert result["macs_per_instruction"] == pytest.approx(2_656_768 / (total_ticks * 31.25))
    assert result["timing_source"] == (
        "estimated on the emulator (QEMU mps3-an547, -icount shift=0; "
        f"time = instructions / 250 MHz HP clock; {EMULATED_COUNT_NOTE})"
    )
    assert result["link_retries"] == 2 and result["layers"] == 13
    validation = result["validation"]
    assert validation["passed"] and validation["reference"] == "litert"
    assert validation["outputs"][0]["exact_runs"] == RUNS
    rows = list(csv.reader(paths[0].read_text().splitlines()))
    assert rows[0] == ["Event", "Tag", "uSeconds", "Est MACs", "Instructions", "Kernel"]
    assert len(rows) == 14 and rows[1][1] == board.layers[0]["tag"]
    assert {r[5] for r in rows[1:]} == {"c"}  # the analysis compiled kws for the portable target
    assert int(rows[1][4]) == round(layer_ticks[0] * 31.25)
    assert float(rows[1][2]) == pytest.approx(layer_ticks[0] * 31.25 / 250, abs=1e-3)
    assert sum(int(r[3]) for r in rows[1:]) == 2_656_768
    assert json.loads(paths[2].read_text()) == result
    md = paths[1].read_text()
    assert "**PASSED**" in md and "Inference time (estimate)" in md and "31.25 instructions" in md


def test_wrong_output_fails_after_reports_with_layer_hint(tmp_path, monkeypatch, model, analysis):
    with pytest.raises(ValidationError) as err:
        profile(tmp_path, monkeypatch, analysis, model[2], wrong_runs=(1, 2), wrong_layer=4)
    message = str(err.value)
    order = analysis["memory_plan"]["execution_order"]
    tag = next(x["tag"] for x in analysis["layers"] if x["index"] == order[4])
    assert "differ from the litert reference in 2 of 3 runs" in message
    assert "first at run 1 element 3" in message
    assert f"first differing layer: 4 ({tag})" in message
    report = json.loads((tmp_path / "profile.json").read_text())
    mismatch = report["validation"]["mismatch"]
    assert mismatch["run"] == 1 and mismatch["layer_hint"]["tag"] == tag
    assert report["validation"]["outputs"][0]["exact_runs"] == 1
    assert "**FAILED**" in (tmp_path / "profile.md").read_text()


def test_wrong_output_without_wrong_layer_points_past_the_layers(model, analysis):
    # a board whose last copy is wrong: every layer CRC matches, the output does not
    n = len(analysis["layers"])
    board = FakeBoard(analysis, model[2], wrong_runs=(0,), wrong_layer=n)
    inputs = model[1]
    result = run_session(board, analysis, "kws", inputs, expected(model), SEED, lambda line: None)
    assert result.mismatched_runs == [0]
    assert [c for c in board.calls if c[0] == "invoke"] == [
        ("invoke", 1, True),
        ("invoke", 0, False),
        ("invoke", 0, False),
    ]  # run 0 was profiled already: no re-invoke


def test_first_mismatch_after_run_0_is_reinvoked_with_profiling(model, analysis):
    board = FakeBoard(analysis, model[2], wrong_runs=(2,), wrong_layer=0)
    inputs = model[1]
    result = run_session(board, analysis, "kws", inputs, expected(model), SEED, lambda line: None)
    assert result.mismatched_runs == [2]
    assert board.calls[-1] == ("invoke", 0, True)
    assert result.mismatch_layers[0].output_crc32 != result.layers[0].output_crc32


@pytest.mark.parametrize(
    "faults, error, text",
    [
        ({"build_id": "0123456789abcdef"}, StaleFirmwareError, "firmware is stale"),
        ({"dtype": "UINT8"}, BoardMismatchError, "output 0 ('Identity') on the board is UINT8"),
        ({"bad_fill_run": 2}, BoardMismatchError, "run 2: the board generated input 0"),
    ],
)
def test_board_that_does_not_serve_this_model(model, analysis, faults, error, text):
    board = FakeBoard(analysis, model[2], **faults)
    inputs = model[1]
    with pytest.raises(error, match=text.replace("(", r"\(").replace(")", r"\)")):
        run_session(board, analysis, "kws", inputs, expected(model), SEED, lambda line: None)


def test_profile_on_the_host_board_through_a_faulty_link(tmp_path, monkeypatch, model):
    """The validator firmware built natively (helper host_board), reached through a proxy that
    corrupts bytes: the real BoardClient retries, the outputs are bit-exact, the retries show."""
    from support import host_board
    from support.faulty_link import FaultyLink

    built = host_board.build(TFLITE, "kws")
    with (
        host_board.HostBoard(built.exe) as board,
        FaultyLink(board.port, seed=5, corrupt_every=400, directions=("to_host",)) as link,
    ):
        paths = [tmp_path / f"profile.{ext}" for ext in ("csv", "md", "json")]
        result = profile_through(
            link.url, monkeypatch, tmp_path, paths,
            model="kws", analysis=model[0], tflite=TFLITE, cpu_mode="LP", runs=4,
        )  # fmt: skip
    validation = result["validation"]
    assert validation["passed"] and validation["outputs"][0]["exact_runs"] == 4
    assert link.total("corrupt") > 0 and result["link_retries"] > 0
    order = model[0]["memory_plan"]["execution_order"]
    tags = {layer["index"]: layer["tag"] for layer in model[0]["layers"]}
    assert [row["tag"] for row in result["layer_profile"]] == [tags[i] for i in order]
    assert all(row["count"] > 0 for row in result["layer_profile"] if row["macs"] > 0)
    assert result["board"] and result["runs"] == 4 and len(result["run_ticks"]) == 4


def test_reference_falls_back_to_optimized_kernels_for_mobilenet_v3():
    """Both reference SOFTMAX kernels abort on this model (logits scale 7.8e-9): the fallback
    says so and answers with LiteRT's optimized kernels; layer CRCs come from those too."""
    data = (ROOT / "models/mobilenet_v3_small_a075_224_int8.tflite").read_bytes()
    inputs = [seeded_inputs(1, 0, [SimpleNamespace(dtype="INT8", shape=(1, 224, 224, 3))])]
    result = reference_outputs_with_fallback(data, inputs)
    assert result.kind == "litert-optimized"
    assert [r.split(" reference ")[0] for r in result.refused] == ["litert", "tflm"]
    assert all("SIGABRT" in r for r in result.refused)
    assert result.outputs[0][0].shape == (1, 1000)
    kind, crcs = layer_output_crcs(data, inputs[0])
    assert kind == "litert-optimized" and len(crcs) == len(parse_model(data).main.operators)


def test_profile_target_on_the_emulator(tmp_path):
    """The whole chain through SCons: validator firmware on QEMU, reports, no-op rebuild, and a
    change of `runs` re-running only the profile."""
    from scons_project import SconsProject

    project = SconsProject(tmp_path)
    first = project.scons("kws-profile")
    out = tmp_path / "reports/kws/apollo510_evb-gcc-auto-auto-HP"
    assert ("profile", f"{out.relative_to(tmp_path)}/profile.csv") in project.steps(first)
    assert "[profile] kws: run 10/10" in first.stdout
    report = json.loads((out / "profile.json").read_text())
    assert report["validation"]["passed"] and report["validation"]["reference"] == "litert"
    assert report["board"] == "mps3-an547" and report["layers"] == 13
    # QEMU reads the M55's PMU as 0 (PMU_TYPE.N = 0): nothing counted, no counter columns
    assert report["pmu"] == {
        "source": None,
        "unavailable": "the board's Armv8.1-M PMU reports no counters (the emulator, QEMU, "
        "does not model them and reads them as 0)",
    }
    header = (out / "profile.csv").read_text().splitlines()[0]
    assert "ARM_PMU" not in header  # the emulated events come from the QEMU plugin instead
    assert header.startswith("Event,Tag,uSeconds,Est MACs,Instructions,Kernel,Est cycles (model)")
    assert report["counter"]["instructions_per_tick"] == 31.25
    later = report["run_ticks"][1:]
    assert max(later) - min(later) < 0.001 * max(later)  # -icount: only data-dependent branches
    assert report["total_instructions"] > report["total_macs"] / 4
    assert "waiting for connection" in (out / "board.log").read_text()
    assert project.steps(project.scons("kws-profile")) == []
    project.edit("models.yaml", "  kws:\n", "  kws:\n    runs: 2\n")
    steps = project.steps(project.scons("kws-profile"))
    assert [step for step, _ in steps] == ["profile", "log"]  # re-measured: its result-log row
    assert json.loads((out / "profile.json").read_text())["runs"] == 2


def _with_changed_weights(data: bytes, op_index: int) -> bytes:
    """The model with operator `op_index`'s filter weights shifted (same graph, other bytes)."""
    op = parse_model(data).main.operators[op_index]
    weights = parse_model(data).main.tensors[op.inputs[1]].data
    at = data.find(weights)
    assert at > 0 and data.find(weights, at + 1) < 0
    changed = bytes((b + 37) & 0xFF for b in weights)
    return data[:at] + changed + data[at + len(weights) :]


def test_host_board_computing_wrong_outputs_gets_a_layer_hint(tmp_path, monkeypatch):
    """A firmware whose layer-4 weights differ from the .tflite the host checks against (its build
    id matches, so the run goes through): outputs differ, reports are written, and the hint
    names layer 4. A firmware built from another model is refused as stale."""
    from support import host_board

    tampered = _with_changed_weights(TFLITE, 4)
    analysis = analyze_bytes(tampered, "models/kws.tflite", PORTABLE)
    paths = [tmp_path / f"profile.{ext}" for ext in ("csv", "md", "json")]

    def run(exe, analysis):
        with host_board.HostBoard(exe) as board:
            return profile_through(
                board.url, monkeypatch, tmp_path, paths,
                model="kws", analysis=analysis, tflite=TFLITE, cpu_mode="HP", runs=2,
            )  # fmt: skip

    with pytest.raises(ValidationError, match=r"first differing layer: 4 \(4_CONV_2D\)"):
        run(host_board.build(tampered, "kws").exe, analysis)
    report = json.loads(paths[2].read_text())
    assert report["validation"]["mismatch"]["layer_hint"]["tag"] == "4_CONV_2D"
    other = (ROOT / "models/tflm_hello_world_int8.tflite").read_bytes()
    with pytest.raises(StaleFirmwareError, match="serves model 'hello' build"):
        run(host_board.build(other, "hello").exe, analysis)


def test_stateful_session_runs_one_sequence_without_warmup(model, analysis):
    """A stateful model: no warm-up invoke, every run profiled, and the first mismatching run's
    layer CRCs come from its own invoke (a re-invoke would advance the state)."""
    stateful = {**analysis, "stateful": True}
    board = FakeBoard(stateful, model[2], wrong_runs=(2,), wrong_layer=3)
    result = run_session(board, stateful, "kws", model[1], expected(model), SEED, lambda _: None)
    assert [c for c in board.calls if c[0] == "invoke"] == [("invoke", 0, True)] * RUNS
    assert result.mismatched_runs == [2]
    assert result.mismatch_layers[3].output_crc32 != result.layers[3].output_crc32


def test_resent_invoke_of_a_stateful_model_fails(model, analysis):
    stateful = {**analysis, "stateful": True}
    board = FakeBoard(stateful, model[2], resent_invoke_run=1)
    with pytest.raises(StateLostError, match="kws: run 1: the link resent an invoke"):
        run_session(board, stateful, "kws", model[1], expected(model), SEED, lambda _: None)
    stateless = FakeBoard(analysis, model[2], resent_invoke_run=1)
    run_session(stateless, analysis, "kws", model[1], expected(model), SEED, lambda _: None)


def test_layer_crcs_of_a_stateful_run_replay_the_earlier_runs():
    from support.stateful_models import accumulator_model

    data = accumulator_model()
    sets = [[np.full((1, 6), k, np.int8)] for k in (5, 9, 2)]
    _, alone = layer_output_crcs(data, sets[2])
    _, replayed = layer_output_crcs(data, sets[2], sets[:2])
    outputs = run_reference("litert", data, sets)
    add = next(op.index for op in parse_model(data).main.operators if op.opcode == "ADD")
    assert replayed[add] == zlib.crc32(outputs[2][0].tobytes()) != alone[add]


def test_profile_of_a_stateful_model_on_the_host_board(tmp_path, monkeypatch):
    """An LSTM keeps its state between invokes: the board's sequence of 6 runs matches
    LiteRT's run of the same sequence, and the report says the runs form one sequence."""
    from support import host_board
    from support.stateful_models import lstm_model

    data = lstm_model(n_time=3, projection=True, n_output=3, peephole=True)
    built = host_board.build(data, "lstm")
    assert built.analysis["stateful"]
    paths = [tmp_path / f"profile.{ext}" for ext in ("csv", "md", "json")]
    with host_board.HostBoard(built.exe) as board:
        result = profile_through(
            board.url, monkeypatch, tmp_path, paths,
            model="lstm", analysis=built.analysis, tflite=data, cpu_mode="HP", runs=6,
        )  # fmt: skip
    validation = result["validation"]
    assert validation["passed"] and validation["outputs"][0]["exact_runs"] == 6
    assert validation["inputs"]["sequence"] is True
    # the state matters: the same inputs each on a fresh interpreter give other outputs
    inputs = host_inputs(built.analysis, SEED, 6)
    sequence = run_reference("litert", data, inputs)
    fresh = [run_reference("litert", data, [one])[0] for one in inputs]
    assert any(not np.array_equal(f[0], s[0]) for f, s in zip(fresh[1:], sequence[1:], strict=True))
    assert "the runs form one sequence" in paths[1].read_text()


# -- core counters (PMU/DWT) per layer --------------------------------------------------------

M55_DEFAULT = PLATFORM.pmu_events  # the reference tool's four M55 events


class CountingBoard(FakeBoard):
    """FakeBoard with the firmware's core counters: `counters` hardware counters, chained in
    pairs (the M55's 16-bit ones), a per-layer table of `words` values, and each event's count
    in a layer a function of the event number and the layer (so merged groups can be checked)."""

    def __init__(self, analysis, answers, counters=8, words=1024, kind="pmu", **faults):
        super().__init__(analysis, answers, **faults)
        self.kind, self.counters = kind, counters
        self.at_once = min(counters // 2, words // len(self.layers))
        self.selected, self.counts_valid, self.profiled_with_counters = [], False, 0

    def counter_info(self):
        if self.faults.get("old_firmware"):
            raise BoardCallError("get_counter_info failed with UNKNOWN_METHOD", status=7)
        self.calls.append(("counter_info",))
        return CounterInfo(self.kind, self.counters, self.at_once)

    def set_counters(self, events):
        self.calls.append(("set_counters", tuple(events)))
        if len(events) > self.at_once:
            raise BoardCallError("set_counters failed with BAD_RANGE", status=2)
        self.selected, self.counts_valid = list(events), False

    def invoke(self, warmup=0, profile=False, timeout_s=None):
        ticks = super().invoke(warmup, profile, timeout_s)
        self.counts_valid = profile
        if profile and self.selected:
            self.profiled_with_counters += 1
            if self.profiled_with_counters == self.faults.get("other_layers_on_invoke"):
                self.crcs[2] ^= 1  # this invoke computed layer 2 differently
        return ticks

    @staticmethod
    def count(event: int, layer: int) -> int:
        return event * 1000 + layer

    def layer_counters(self):
        if not self.counts_valid:
            raise BoardCallError("get_layer_counters failed with NOT_PROFILED", status=4)
        return [[self.count(e, k) for e in self.selected] for k in range(len(self.layers))]


def counted_session(model, analysis, events, full_capture=False, **board):
    """(result, board, progress lines) of a session counting `events` on a CountingBoard."""
    counting = CountingBoard(analysis, model[2], **board)
    lines = []
    request = PmuRequest("cortex-m55", tuple(events), full_capture)
    result = run_session(
        counting, analysis, "kws", model[1], expected(model), SEED, lines.append, pmu=request
    )
    return result, counting, lines


def test_default_events_are_counted_in_the_profiled_invoke(model, analysis):
    result, board, _ = counted_session(model, analysis, M55_DEFAULT)
    assert M55_DEFAULT == (
        "ARM_PMU_MVE_INST_RETIRED", "ARM_PMU_MVE_INT_MAC_RETIRED", "ARM_PMU_INST_RETIRED",
        "ARM_PMU_BUS_CYCLES",
    )  # fmt: skip
    numbers = (0x0200, 0x0228, 0x0008, 0x001D)
    assert board.calls[:4] == [
        ("counter_info",), ("set_counters", numbers), ("set_input", 0), ("invoke", 1, True),
    ]  # fmt: skip
    # no repeat: all four are counted at once
    assert [c for c in board.calls if c[0] == "invoke"] == [
        ("invoke", 1, True),
        ("invoke", 0, False),
        ("invoke", 0, False),
    ]  # fmt: skip
    pmu = result.pmu
    assert (pmu.events, pmu.numbers, pmu.invokes) == (M55_DEFAULT, numbers, 1)
    assert pmu.layers == [[n * 1000 + k for n in numbers] for k in range(len(board.layers))]


def test_full_capture_repeats_the_profiled_invoke_per_group_and_merges(model, analysis):
    events = tuple(list(CORTEX_M55_PMU.events)[:10])
    result, board, lines = counted_session(model, analysis, events, full_capture=True)
    numbers = [CORTEX_M55_PMU.events[e] for e in events]
    groups = [tuple(numbers[0:4]), tuple(numbers[4:8]), tuple(numbers[8:10])]
    assert [c[1] for c in board.calls if c[0] == "set_counters"] == groups
    invokes = [c for c in board.calls if c[0] == "invoke"]
    # run 0, then two repeats with the same warm-up, before run 1's inputs are generated
    assert invokes[:3] == [("invoke", 1, True)] * 3
    assert board.calls.index(("fill_inputs", SEED, 1)) > board.calls.index(invokes[2])
    assert result.pmu.invokes == 3 and result.pmu.events == events
    assert result.pmu.layers == [[n * 1000 + k for n in numbers] for k in range(13)]
    assert lines[:3] == [
        "[profile] kws: counter group 2/3", "[profile] kws: counter group 3/3",
        "[profile] kws: run 1/3",
    ]  # fmt: skip
    assert result.mismatched_runs == []


def test_a_board_counting_fewer_events_than_asked(model, analysis):
    """The firmware's table holds 2 events for 13 layers (ADRPC_COUNTER_WORDS 26): without full
    capture that is an error naming the fix; with it, the groups follow the board."""
    with pytest.raises(CounterCaptureError, match="board counts 2 at once.*pmu_full_capture"):
        counted_session(model, analysis, M55_DEFAULT, words=26)
    result, board, _ = counted_session(model, analysis, M55_DEFAULT, True, words=26)
    assert [len(c[1]) for c in board.calls if c[0] == "set_counters"] == [2, 2]
    assert result.pmu.invokes == 2 and len(result.pmu.layers[0]) == 4


@pytest.mark.parametrize(
    "board, stateful, message",
    [
        ({"other_layers_on_invoke": 2}, False, "repeat for counter group 2 profiled layer 2"),
        ({"old_firmware": True}, False, "does not serve get_counter_info: it predates"),
        ({"kind": "dwt", "counters": 6}, False, "counts with its core's 'dwt' counters"),
        ({}, True, "would advance this stateful model's state"),
    ],
)
def test_counter_capture_errors(model, analysis, board, stateful, message):
    events = tuple(list(CORTEX_M55_PMU.events)[:6])
    analysis = {**analysis, "stateful": stateful}
    with pytest.raises(CounterCaptureError, match=message):
        counted_session(model, analysis, events, full_capture=True, **board)


def test_counts_in_the_reports_and_none_from_the_emulator(tmp_path, monkeypatch, model, analysis):
    counting = CountingBoard(analysis, model[2])
    monkeypatch.setattr(board_module, "open_board", FakeEmulator)
    request = ProfileRequest(
        model="kws", variant="v", analysis=analysis, placement=PLACEMENT, tflite=TFLITE,
        platform=PLATFORM, cpu_mode="HP", runs=RUNS, seed=SEED, elf="fw.elf",
        log_path=tmp_path / "log", pmu=PmuRequest("cortex-m55", M55_DEFAULT),
    )  # fmt: skip
    paths = [tmp_path / f"profile.{ext}" for ext in ("csv", "md", "json")]
    result = profile_variant(request, paths, lambda _: None, lambda url, baud: counting)
    rows = list(csv.reader(paths[0].read_text().splitlines()))
    assert rows[0][6:] == list(M55_DEFAULT)
    assert [int(v) for v in rows[3][6:]] == [0x0200 * 1000 + 2, 0x0228 * 1000 + 2, 8002, 29002]
    pmu = json.loads(paths[2].read_text())["pmu"]
    assert pmu["source"] == "measured on board (Armv8.1-M PMU)" == result["pmu"]["source"]
    assert pmu["events"] == list(M55_DEFAULT) and pmu["invokes"] == 1
    assert pmu["layers"][3] == [0x0200 * 1000 + 3, 0x0228 * 1000 + 3, 8003, 29003]
    md = paths[1].read_text()
    assert "## Core counters per layer (measured on board (Armv8.1-M PMU))" in md
    assert f"| 3 | {counting.layers[3]['tag']} | 512,003 | 552,003 | 8,003 | 29,003 |" in md
    # the emulator's counters read 0: no columns, and the reports say why
    emulated = CountingBoard(analysis, model[2], counters=0)
    result = profile_variant(request, paths, lambda _: None, lambda url, baud: emulated)
    assert not [c for c in emulated.calls if c[0] == "set_counters"]
    assert list(csv.reader(paths[0].read_text().splitlines()))[0][6:] == []
    assert result["pmu"]["source"] is None and "QEMU" in result["pmu"]["unavailable"]
    assert "Core counters (PMU/DWT): not available" in paths[1].read_text()
