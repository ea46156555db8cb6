"""The product's main job end to end, through the real SConstruct on the emulated board:
every shipped model builds with gcc and with clang and runs bit-exact against the host reference;
the link survives corrupted, dropped and stalled bytes and CRC-16-passing bursts between host
and QEMU; and the real-board path (DEVICE= plus the platform's board_support and flash command)
runs the same flow."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
from pathlib import Path

import numpy as np
import pytest
from scons_project import SconsProject
from support.faulty_link import FaultyLink

from autodeploy.board import Emulator
from autodeploy.config import load_config
from autodeploy.memory.placement import APP_STATIC_RAM_BYTES
from autodeploy.rpc.client import BoardClient
from autodeploy.rpc.inputs import seeded_input

PROJECT = Path(__file__).resolve().parent.parent
# mnv2's 3.7 MB of weights only fit PSRAM: the host uploads them over the emulated UART, which
# takes minutes (benchmarks/bench_upload.py). Its kernels run bit-exact on both emulated boards in
# tests/test_models_native.py, and the upload path is tested with KWS in PSRAM (tests/test_boot.py).
# The Alif models run on their own platform (tests/test_vela_build.py).
MODELS = [
    name
    for name, spec in load_config(PROJECT).models.items()
    if spec.platform == "apollo510_evb" and name != "mnv2"
]
VARIANT = "apollo510_evb-{}-auto-auto"


@pytest.fixture(scope="module", params=["gcc", "clang"])
def profiled(request, tmp_path_factory):
    """Every model but mnv2 profiled (2 runs each) with one toolchain, two emulators at a time."""
    toolchain = request.param
    project = SconsProject(tmp_path_factory.mktemp(f"all_{toolchain}"))
    project.edit("models.yaml", "  toolchain: gcc\n", f"  toolchain: {toolchain}\n")
    project.edit("models.yaml", "  runs: 10\n", "  runs: 2\n")
    project.edit("models.yaml", "    runs: 100 ", "    runs: 2 ")
    result = project.scons("-j2", *(f"{model}-profile" for model in MODELS), check=False)
    return toolchain, project, result


def test_every_model_runs_bit_exact_on_the_emulated_m55(profiled):
    toolchain, project, result = profiled
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    runs = {name: spec.runs for name, spec in load_config(project.root).models.items()}
    for model in MODELS:
        folder = project.root / f"reports/{model}/{VARIANT.format(toolchain)}-HP"
        report = json.loads((folder / "profile.json").read_text())
        validation = report["validation"]
        assert validation["passed"], (model, validation)
        assert runs[model] in (2, 60)  # kws_stream keeps its 60 frames
        assert report["runs"] == runs[model] and report["board"] == "mps3-an547"
        assert report["total_instructions"] > 0 and report["toolchain"] == toolchain
        rows = (folder / "profile.csv").read_text().splitlines()
        assert rows[0].startswith("Event,Tag,uSeconds,Est MACs,Instructions")
        assert len(rows) - 1 == report["layers"]


def test_firmware_size_report_beside_each_image(profiled):
    toolchain, project, _ = profiled
    sizes = json.loads(
        (project.root / f"build/mnv3sm/{VARIANT.format(toolchain)}/sizes.json").read_text()
    )
    # mnv3sm: weights in MRAM (the an547's read-only QSPI), arena in SRAM
    assert sizes["regions"]["MRAM"]["rom"]["model"] > 2_000_000
    assert sizes["regions"]["SRAM"]["ram"]["arena"] == 401_408
    assert (project.root / f"build/mnv3sm/{VARIANT.format(toolchain)}/validator.map").exists()


def test_placement_allowance_covers_the_validators_own_ram(profiled):
    toolchain, project, _ = profiled
    for model in MODELS:
        sizes = project.root / f"build/{model}/{VARIANT.format(toolchain)}/sizes.json"
        ram = json.loads(sizes.read_text())["regions"]["TCM"]["ram"]  # the stack memory
        assert 0 < ram["data"] + ram["bss"] <= APP_STATIC_RAM_BYTES, (model, ram)


@pytest.mark.parametrize("profiled", ["gcc"], indirect=True)
def test_corrupted_and_dropped_bytes_to_the_emulator_change_no_result(profiled):
    toolchain, project, _ = profiled
    config = load_config(project.root)
    elf = project.root / f"build/kws/{VARIANT.format(toolchain)}/validator.elf"
    platform = config.platforms["apollo510_evb"]
    (tensor,) = _analysis(project, "kws")["inputs"]
    data = seeded_input(7, 0, 0, tensor["dtype"], tensor["shape"]).tobytes()

    def session(client: BoardClient) -> tuple[list, np.ndarray]:
        """Upload, invoke, outputs and stats, then a few seeded runs: about 5 KB of traffic.
        Returns the data, and the tick counts of every invoke and layer."""
        client.set_input(0, data)
        results, ticks = [], []
        for run in range(5):
            crcs = client.fill_inputs(7, run) if run else None
            ticks.append(client.invoke(warmup=0, profile=True))
            stats = client.layer_stats()
            ticks += [s.ticks for s in stats]
            results.append((crcs, client.get_output(0), [(s.tag, s.output_crc32) for s in stats]))
        return results, np.array(ticks).reshape(5, -1)  # per run: the invoke, then its layers

    with (
        Emulator(platform, elf, project.root / "clean.log") as board,
        BoardClient(board.url) as client,
    ):
        expected = session(client)
    with Emulator(platform, elf, project.root / "faulty.log") as board:
        port = int(board.url.rsplit(":", 1)[1])
        with (
            FaultyLink(
                port,
                seed=3,
                corrupt_every=1500,
                drop_every=2000,
                stall_every=4000,
                burst_every=1500,
            ) as link,
            BoardClient(link.url, timeout_s=1.0, retries=12) as client,
        ):
            got = session(client)
    assert got[0] == expected[0]
    # -icount: counts are timer ticks of 31.25 instructions. Each session reaches the invoke at
    # another phase of the timer (virtual time runs in real time while the board waits for the
    # host), so every measured difference of two readings may be off by one tick either way: a
    # layer by 1, so two sessions by 2; an invoke's total is its two readings less the 13 hooks'
    # own times (firmware/rpc/src/board.c), each such a difference, so up to 2 x 14 apart. The
    # results above must be identical regardless.
    difference = np.abs(got[1] - expected[1])
    layers = difference.shape[1] - 1
    assert (difference[:, 1:] <= 2).all(), difference
    assert (difference[:, 0] <= 2 * (layers + 1)).all(), difference
    assert client.retries_used > 0
    assert all(link.total(kind) > 0 for kind in ("corrupt", "drop", "burst"))
    assert np.frombuffer(expected[0][0][1], np.int8).size == 12


def _analysis(project: SconsProject, model: str) -> dict:
    return json.loads((project.root / f"build/{model}/mve/model_analysis.json").read_text())


FAKE_FLASHER = """\
# A stand-in for a vendor flash tool: "flashes" the flash image onto a board that is really QEMU,
# listening on the DEVICE port, and leaves it running like a flashed board whose boot ROM starts
# the image at its entry point.
import shutil, struct, subprocess, sys, time
image, device, pid_file = sys.argv[1:4]
elf = shutil.copy(image, pid_file + ".flash.elf")  # "written into the board's MRAM"
port = device.rsplit(":", 1)[1]
entry = struct.unpack_from("<I", open(elf, "rb").read(), 24)[0]
log = open(pid_file + ".log", "w")
qemu = subprocess.Popen(
    ["qemu-system-arm", "-M", "mps3-an547", "-nographic", "-monitor", "none", "-kernel", elf,
     "-device", f"loader,addr={entry},cpu-num=0",
     "-icount", "shift=0", "-semihosting-config", "enable=on,target=native",
     "-serial", f"tcp:127.0.0.1:{port},server=on,wait=on,nodelay=on"],
    stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
)
open(pid_file, "w").write(str(qemu.pid))
for _ in range(200):
    if "waiting for connection" in open(pid_file + ".log").read():
        print(f"flashed {image}")
        sys.exit(0)
    time.sleep(0.05)
sys.exit("the board did not come up")
"""

BOARD_SUPPORT = """
board_support:
  sources: [firmware/board/mps3_an547, firmware/board/common]
  include: [firmware/board/common]
  flash: "{python} fake_flasher.py {{elf}} {{device}} board.pid"
  memory_map:
    ITCM:  {{base: 0x00000000, size_kb: 256}}
    TCM:   {{base: 0x20000000, size_kb: 512}}
    SRAM:  {{base: 0x21000000, size_kb: 3072}}
    MRAM:  {{base: 0x28000000, size_kb: 4096, read_only: true}}
"""


def test_device_argument_flashes_and_profiles_a_real_board(tmp_path):
    project = SconsProject(tmp_path)
    (tmp_path / "fake_flasher.py").write_text(FAKE_FLASHER)
    with open(tmp_path / "platforms/apollo510_evb.yaml", "a") as handle:
        handle.write(BOARD_SUPPORT.format(python=sys.executable))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    try:
        result = project.scons("kws-profile", f"DEVICE=socket://127.0.0.1:{port}")
    finally:
        pid = tmp_path / "board.pid"
        if pid.exists():
            os.killpg(int(pid.read_text()), signal.SIGKILL)
    assert "[profile] kws: run 10/10" in result.stdout
    folder = tmp_path / "reports/kws/apollo510_evb-gcc-auto-auto-HP"
    report = json.loads((folder / "profile.json").read_text())
    assert report["validation"]["passed"]
    assert report["timing_source"].startswith("measured on board")
    assert "total_cycles" in report and "total_instructions" not in report
    assert "flashed " in (folder / "board.log").read_text()
    script = (tmp_path / "build/kws/apollo510_evb-gcc-auto-auto/firmware.ld").read_text()
    assert "board memory map" in script


def test_device_for_a_platform_without_board_support_is_a_clear_error(tmp_path):
    project = SconsProject(tmp_path)
    result = project.scons("kws-profile", "DEVICE=/dev/ttyACM0", check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "apollo510_evb has no board_support" in result.stderr


def test_kws_profile_on_the_emulated_cortex_m4(tmp_path):
    project = SconsProject(tmp_path)
    kws = "    tflite: models/mlperf_tiny_kws_dscnn_int8.tflite\n"
    project.edit("models.yaml", kws, kws + "    platform: apollo4p_evb\n    runs: 3\n")
    project.scons("kws-profile")
    folder = tmp_path / "reports/kws/apollo4p_evb-gcc-auto-auto-HP"
    report = json.loads((folder / "profile.json").read_text())
    assert report["validation"]["passed"] and report["board"] == "mps2-an386"
    assert "DWT counters reports no counters" in report["pmu"]["unavailable"]  # QEMU reads 0
    assert report["counter"]["instructions_per_tick"] == 40  # CMSDK timer at 25 MHz
    assert report["cpu_mode"] == {"name": "HP", "clock_hz": 192_000_000}
