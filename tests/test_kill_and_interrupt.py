"""A killed or interrupted build leaves nothing running and nothing falsely up to date.

Real `scons` profiles MobileNetV2 (big: a profile runs about a minute) in a temporary copy of the
project; the tests signal its process group mid-run, as `timeout -s KILL`, a cancelled CI job or a
terminal's Ctrl-C do, and look for the run's processes in /proc (their working folder is the
copy). Ctrl-C must return within a few seconds: the design target is 2 s, the bound here is loose
for a loaded machine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scons_project import SconsProject

PROFILE = "mnv2-profile"
QEMU = "qemu-system-arm"
REFERENCE = "autodeploy.reference.engines"  # in the reference child's `python -c` program
CTRL_C_BOUND_S = 5.0


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = SconsProject(tmp_path_factory.mktemp("interrupt"))
    project.scons("mnv2-firmware")
    return project


def processes(root: Path, marker: str) -> list[int]:
    """Live processes working in `root` whose command line contains `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if os.readlink(entry / "cwd") != str(root):
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, ValueError):  # not a process, gone meanwhile, or not ours to read
            continue
        if marker in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def wait_for(condition, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
    return result


class Build:
    """`scons <args>` in its own process group, as a shell starts a foreground job."""

    def __init__(self, project: SconsProject, *args: str):
        self.root = project.root
        self.process = subprocess.Popen(
            [sys.executable, "-m", "SCons", "-Q", *args],
            cwd=self.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.output = ""

    def wait_for_line(self, text: str) -> None:
        for line in self.process.stdout:
            self.output += line
            if text in line:
                return
        raise AssertionError(f"the build ended before printing {text!r}:\n{self.output}")

    def signal_group(self, sig: int) -> float:
        """Send `sig` to the build's process group; seconds until scons returned."""
        sent = time.monotonic()
        os.killpg(self.process.pid, sig)
        self.output += self.process.stdout.read()
        self.process.wait()
        return time.monotonic() - sent

    def kill_leftovers(self) -> list[int]:
        """Kill (and return) every QEMU or reference child of this run still alive."""
        left = processes(self.root, QEMU) + processes(self.root, REFERENCE)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        return left


def test_sigkill_to_the_build_leaves_no_emulator(project):
    build = Build(project, "-j2", PROFILE)
    qemu = wait_for(lambda: processes(project.root, QEMU), 60, "the profile's QEMU")
    build.signal_group(signal.SIGKILL)
    time.sleep(1.0)
    assert build.kill_leftovers() == [], f"QEMU {qemu} outlived the killed build"


@pytest.mark.parametrize(
    "jobs, phase",
    [("-j1", "reference"), ("-j2", "board")],
    ids=["reference-interpreter-j1", "board-session-j2"],
)
def test_ctrl_c_returns_promptly_and_leaves_the_profile_out_of_date(project, jobs, phase):
    build = Build(project, jobs, PROFILE)
    if phase == "reference":  # the host reference is computed before the board runs
        wait_for(lambda: processes(project.root, REFERENCE), 60, "the reference interpreter")
    else:
        build.wait_for_line("[profile] mnv2: uploading")  # its weights (PSRAM) to the board
    seconds = build.signal_group(signal.SIGINT)
    assert build.kill_leftovers() == []
    assert seconds < CTRL_C_BOUND_S, f"scons took {seconds:.1f} s to return:\n{build.output}"
    assert build.process.returncode != 0
    assert "error: [profile] reports/mnv2/" in build.output and "interrupted" in build.output
    assert "Traceback" not in build.output
    up_to_date = project.scons("-q", PROFILE, check=False)
    assert up_to_date.returncode != 0, "the interrupted profile is taken as up to date"
