"""Board farms with labgrid, on one machine: a coordinator and two exporters on loopback serve four
places whose boards are QEMU started by a fake flash command (tests/support/lab_farm.py).

End to end through SCons: a sweep's variants run on the farm's boards in parallel and give the
emulator's results; busy places are waited for; a board that dies is released and its variant
retried once on another board, then reported failed with the place names; Ctrl-C while waiting
leaves no reservation behind. In process: leases from several threads at once never share a
place, and a place's power switch power-cycles its board.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from scons_project import SconsProject
from support.lab_farm import LabFarm, free_port
from test_board_end_to_end import BOARD_SUPPORT as DEVICE_BOARD_SUPPORT
from test_device import tiny_image, with_flash

from autodeploy.board import FarmBoard
from autodeploy.board.farm import run_on_farm
from autodeploy.config import load_config
from autodeploy.farm.lease import Lease
from autodeploy.farm.request import FarmError, parse_device
from autodeploy.rpc.client import BoardClient
from autodeploy.rpc.errors import BoardTimeoutError

PLACES = {
    "p1": ("ex1", {"board": "apollo510_evb", "serial": "sn1"}),
    "p2": ("ex1", {"board": "apollo510_evb", "serial": "sn2"}),
    "p3": ("ex2", {"board": "apollo510_evb", "serial": "sn3", "rack": "b"}),
    "p4": ("ex2", {"board": "apollo510_evb", "serial": "sn4", "rack": "b"}),
}
TAGS = "board=apollo510_evb"
SWEEP = """
sweeps:
  kws_farm:
    models: [kws]
    axes:
      toolchain: [gcc, clang]
      cpu_mode: [LP, HP]
"""
VARIANTS = [f"apollo510_evb-{tc}-auto-auto-{m}" for tc in ("gcc", "clang") for m in ("LP", "HP")]
# The real-board test's board support, flashed by the farm's fake flasher with the place's fields
BOARD_SUPPORT = DEVICE_BOARD_SUPPORT.replace(
    "{python} fake_flasher.py {{elf}} {{device}} board.pid",
    "{python} {flasher} {{elf}} {{device}} {{host}} {{place}} {{tags[serial]}} {state}",
)


@pytest.fixture(scope="module")
def farm(tmp_path_factory):
    with LabFarm(tmp_path_factory.mktemp("farm"), PLACES) as farm:
        yield farm


@pytest.fixture(autouse=True)
def fresh_boards(farm):
    """Every test starts with no board running and no place taken."""
    yield
    farm.kill_boards()
    for marker in farm.state.glob("*.doomed"):
        marker.unlink()
    assert farm.state_now() == {"acquired": dict.fromkeys(PLACES), "reservations": 0}


@pytest.fixture(scope="module")
def project(tmp_path_factory, farm) -> SconsProject:
    project = SconsProject(tmp_path_factory.mktemp("project"))
    text = (project.root / "models.yaml").read_text()
    text = text[: text.index("\nsweeps:\n")] + SWEEP
    (project.root / "models.yaml").write_text(text.replace("  runs: 10\n", "  runs: 2\n"))
    with open(project.root / "platforms/apollo510_evb.yaml", "a") as handle:
        handle.write(
            BOARD_SUPPORT.format(python=sys.executable, flasher=farm.flasher, state=farm.state)
        )
    return project


def scons(project: SconsProject, farm: LabFarm, *args: str) -> subprocess.Popen:
    """scons on the farm, its output read line by line (text, stderr merged)."""
    return subprocess.Popen(
        [sys.executable, "-m", "SCons", "-Q", *args, f"LG_COORDINATOR={farm.coordinator}"],
        cwd=project.root,
        env={**os.environ, "AUTODEPLOY_LABGRID_VENV": str(farm.python.parent.parent)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def profile(project: SconsProject, variant: str) -> dict:
    return json.loads((project.root / f"reports/kws/{variant}/profile.json").read_text())


def ticks(report: dict) -> list[int]:
    """Counter ticks of each layer: on the emulator and on a board they count the same thing."""
    per_tick = report["counter"][f"{report['counter']['counts']}_per_tick"]
    return [round(layer["count"] / per_tick) for layer in report["layer_profile"]]


def most_jobs_on_boards_at_once(lines: list[str]) -> int:
    """From the [farm] acquired/released lines: how many jobs held a board at the same time."""
    held: dict[str, set[str]] = {}
    most = 0
    for line in lines:
        if match := re.search(r"\[farm\] (.+): (acquired|released) place (\w+)", line):
            places = held.setdefault(match[1], set())
            (places.add if match[2] == "acquired" else places.discard)(match[3])
            most = max(most, sum(1 for places in held.values() if places))
    return most


RELEASE_AFTER_S = 30.0  # how long the held boards wait for a second queued job
SWEEP_TIMEOUT_S = 900.0  # a run that has not ended by then is hung: killed, and the test fails


def test_a_sweep_runs_in_parallel_on_the_farm_and_gives_the_emulators_results(project, farm):
    local = project.scons("-j2", "sweep-kws_farm-profile")
    assert "[profile]" in local.stdout
    emulated = {v: profile(project, v) for v in VARIANTS}
    # Another engineer holds three of the four boards; the only free one dies at the first
    # request, and its job keeps it while it waits for another: every job queues until the
    # three are released.
    for place in ("p1", "p3", "p4"):
        farm.hold(place)
    farm.doom("p2")
    run = scons(project, farm, "-j4", "sweep-kws_farm-profile", f"DEVICE=labgrid:{TAGS}")
    lines, waiting, freed, lock = [], set(), threading.Event(), threading.Lock()

    def free_boards():
        with lock:
            if freed.is_set():
                return
            freed.set()
        for place in ("p1", "p3", "p4"):
            farm.let_go(place)

    # Two queued jobs get three boards freed at once; should no second job queue in time (a
    # loaded machine), they are freed anyway; a hung run is killed rather than waited for.
    fallback = threading.Timer(RELEASE_AFTER_S, free_boards)
    watchdog = threading.Timer(SWEEP_TIMEOUT_S, run.kill)
    watchdog.start()
    try:
        for line in run.stdout:
            lines.append(line)
            match = re.search(r"\[farm\] (.+): waiting for a free", line)
            if match and not freed.is_set():
                waiting.add(match[1])
                if len(waiting) == 1:
                    fallback.start()
                if len(waiting) == 2:
                    free_boards()
        assert run.wait() == 0, "".join(lines)
    finally:
        fallback.cancel()
        watchdog.cancel()
    out = "".join(lines)
    assert f"waiting for a free {TAGS}: " in out
    assert "the board on place p2 failed; retrying once on another board" in out
    assert most_jobs_on_boards_at_once(lines) >= 2, out
    for variant in VARIANTS:
        board, emulator = profile(project, variant), emulated[variant]
        assert board["validation"]["passed"] and board["measured"], variant
        assert "on farm place p" in board["timing_source"]
        assert board["validation"] == emulator["validation"]
        got, want = ticks(board), ticks(emulator)
        assert [layer["output_crc32"] for layer in board["layer_profile"]] == [
            layer["output_crc32"] for layer in emulator["layer_profile"]
        ]
        # -icount: a layer's count repeats to the tick (it may start at another phase)
        assert all(abs(g - w) <= 1 for g, w in zip(got, want, strict=True)), (got, want)
    flashes = farm.flashes()
    assert len(flashes) == len(VARIANTS) + 1  # one board died
    for flash in flashes:  # the template got the place's own fields
        assert flash["serial"] == PLACES[flash["place"]][1]["serial"]
        assert flash["host"] == "127.0.0.1"
    assert [f["place"] for f in flashes if f["dies"]] == ["p2"]


def test_a_variant_whose_boards_all_die_fails_naming_the_places(project, farm):
    farm.doom("p3")
    farm.doom("p4")
    run = scons(project, farm, "kws-profile", "DEVICE=labgrid:board=apollo510_evb,rack=b")
    out = run.communicate()[0]
    assert run.returncode != 0 and "Traceback" not in out
    (error,) = [line for line in out.splitlines() if line.startswith("error: [profile]")]
    assert "the board failed on place p3" in error or "the board failed on place p4" in error
    assert "place p3" in error and "place p4" in error and "retried" in error


def test_a_named_place_is_not_retried_and_is_named(project, farm):
    farm.doom("p1")
    run = scons(project, farm, "kws-profile", "DEVICE=labgrid:p1")
    out = run.communicate()[0]
    assert run.returncode != 0, out
    assert "the board failed on place p1" in out
    assert "DEVICE names place p1, so there is no other board to retry on" in out


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_ctrl_c_or_kill_while_waiting_for_a_busy_place_leaves_nothing_reserved(project, farm, sig):
    farm.hold("p2")
    run = scons(project, farm, "kws-profile", "DEVICE=labgrid:p2")
    lines = []
    for line in run.stdout:
        lines.append(line)
        if "waiting for a free place p2" in line:
            assert farm.state_now()["reservations"] == 1
            run.send_signal(sig)  # Ctrl-C, or scons killed: the agent gets SIGTERM either way
            start = time.monotonic()
            break
    rest = run.communicate(timeout=60)[0]
    assert time.monotonic() - start < 10
    assert run.returncode != 0, "".join(lines) + rest
    if sig == signal.SIGINT:
        assert "interrupted" in rest, rest
    expected = {
        "acquired": {**dict.fromkeys(PLACES), "p2": f"{socket.gethostname()}/other"},
        "reservations": 0,
    }
    deadline = time.monotonic() + 10
    while farm.state_now() != expected and time.monotonic() < deadline:
        time.sleep(0.2)  # a killed scons does not wait for its agent to give back
    assert farm.state_now() == expected
    farm.let_go("p2")


def test_unknown_tags_fail_at_once_listing_the_places(project, farm):
    run = scons(project, farm, "kws-profile", "DEVICE=labgrid:board=apollo4p_evb")
    out = run.communicate(timeout=300)[0]
    assert run.returncode != 0
    assert "no place of the farm matches board=apollo4p_evb" in out
    assert "p1 [board=apollo510_evb, serial=sn1]" in out


def test_leases_from_many_threads_never_share_a_place(farm):
    """Seven jobs for four places, each with its own lease, as SCons' job threads would: the first
    four hold all places at once, the others queue, and no place is ever held twice."""
    request = parse_device(f"labgrid:{TAGS}", farm.coordinator)
    holding: dict[str, int] = {}
    overlaps, got, lock = [], [], threading.Lock()
    all_held = threading.Barrier(len(PLACES), timeout=120)

    def job(k: int) -> None:
        with Lease(request, f"job{k}", progress=lambda line: None) as lease:
            place = lease.acquire()
            with lock:
                if place.name in holding:
                    overlaps.append((place.name, holding[place.name], k))
                holding[place.name] = k
                got.append(place.name)
                first = len(got) <= len(PLACES)
            if first:
                all_held.wait()  # the farm is full: the other jobs are queued
            with lock:
                del holding[place.name]

    threads = [threading.Thread(target=job, args=(k,)) for k in range(7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not overlaps and len(got) == 7
    assert set(got[: len(PLACES)]) == set(PLACES) and not all_held.broken


def test_a_failing_board_is_retried_once_on_another_then_reported(farm, tmp_path):
    """In process, with a tiny image: `work` that always loses the board."""
    request = parse_device("labgrid:rack=b", farm.coordinator)
    seen = []

    def work(board):
        seen.append(board.place.name)
        raise BoardTimeoutError(f"board at {board.url} did not answer get_info")

    platform = with_flash(f"{sys.executable} -c pass {{elf}}")
    with pytest.raises(FarmError) as err:
        run_on_farm(
            platform, tiny_image(tmp_path), tmp_path / "log", request, work,
            lost=(BoardTimeoutError,), what="job", progress=lambda line: None,
        )  # fmt: skip
    assert sorted(seen) == ["p3", "p4"]
    assert f"on place {seen[0]}: board at" in str(err.value)
    assert f"retried, on place {seen[1]}" in str(err.value)


def test_power_cycle_switches_the_place_and_brings_the_board_back(project, farm):
    result = project.scons("kws-firmware")
    assert result.returncode == 0
    platform = load_config(project.root).platforms["apollo510_evb"]
    elf = project.root / "build/kws/apollo510_evb-gcc-auto-auto/validator.elf"
    request = parse_device("labgrid:p4", farm.coordinator)
    with FarmBoard(platform, elf, project.root / "p4.log", request, what="power") as board:
        assert board.power_switch
        with BoardClient(board.url) as client:
            assert client.info().model == "kws"
        before = farm.board_pid("p4")
        board.power_cycle()
        assert farm.power_requests[-2:] == [("p4", 0), ("p4", 1)]
        assert farm.board_pid("p4") != before  # switched off (its board died), flashed again
        with BoardClient(board.url) as client:
            assert client.info().model == "kws"


def test_an_unreachable_coordinator_is_a_clear_error(farm):
    request = parse_device("labgrid:p1", f"127.0.0.1:{free_port()}")  # nothing listens there
    lease = Lease(request, "job", progress=lambda line: None)
    with pytest.raises(FarmError) as err, lease:
        lease.acquire()
    assert "job: could not reach the labgrid coordinator at 127.0.0.1:" in str(err.value)
    assert "check LG_COORDINATOR" in str(err.value)
