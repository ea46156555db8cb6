"""Child processes end with the process that started them, not with the thread; an interrupt
kills the running ones at once and refuses new ones."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from autodeploy import children

SITE_SCONS = Path(__file__).resolve().parent.parent / "site_scons"


def alive(pid: int) -> bool:
    """Running (a zombie, dead but not yet reaped by whoever inherited it, is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_gone(pid: int, timeout_s: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not alive(pid)


def python(script: str) -> subprocess.Popen:
    """A Python process running `script` with the engine importable; stdout is a pipe."""
    return subprocess.Popen(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(SITE_SCONS)!r})\n" + script],
        stdout=subprocess.PIPE,
        text=True,
    )


def test_a_child_outlives_the_thread_that_started_it():
    # The kernel's parent-death signal follows the forking thread: SCons starts steps on worker
    # threads, and a thread may end before the emulator it started.
    started = []
    thread = threading.Thread(target=lambda: started.append(children.spawn(["sleep", "30"])))
    thread.start()
    thread.join()
    (process,) = started
    time.sleep(0.3)
    try:
        assert process.poll() is None
    finally:
        children.kill(process)
        process.wait()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_children_die_with_their_process(sig):
    parent = python(
        textwrap.dedent("""
        import threading, time
        from autodeploy import children
        start = lambda: print(children.spawn(["sleep", "60"]).pid, flush=True)
        threading.Thread(target=start).start()  # the thread ends at once; the child must not
        time.sleep(60)
        """)
    )
    pid = int(parent.stdout.readline())
    assert alive(pid)
    parent.send_signal(sig)
    parent.wait()
    assert wait_gone(pid, 1.0)


def test_interrupt_ends_running_children_and_refuses_new_ones():
    # What a terminal's Ctrl-C does to an SCons build: SCons' handler only sets a flag, so the
    # children must be ended from here, and the step waiting on one must learn why it died.
    parent = python(
        textwrap.dedent("""
        import signal, threading, time
        from autodeploy import children
        children.interrupt_on_signals()
        signal.signal(signal.SIGINT, lambda *_: None)  # like SCons: note it, carry on
        outcome = []

        def step():
            started = time.monotonic()
            try:
                children.run(["sleep", "60"])
            except children.Interrupted:
                outcome.append(f"interrupted after {time.monotonic() - started:.1f} s")

        worker = threading.Thread(target=step)
        worker.start()
        time.sleep(0.5)
        signal.raise_signal(signal.SIGINT)
        worker.join()
        try:
            children.spawn(["true"])
        except children.Interrupted as err:
            outcome.append(f"refused: {err}")
        print(*outcome, sep="\\n")
        """)
    )
    out, _ = parent.communicate(timeout=30)
    assert parent.returncode == 0
    ended, refused = out.splitlines()
    assert ended.startswith("interrupted after") and float(ended.split()[2]) < 1.0
    assert refused == "refused: interrupted; this step runs again next time"


def test_run_kills_the_child_on_timeout(tmp_path):
    pid_file = tmp_path / "pid"
    with pytest.raises(subprocess.TimeoutExpired):
        children.run(["sh", "-c", f"sleep 30 & echo $! > {pid_file}; wait"], timeout=0.5)
    assert wait_gone(int(pid_file.read_text()), 1.0)  # its whole session, not just the shell


# A child that gives something back before it exits (a farm's lease) traps SIGTERM.
GRACEFUL = "trap 'echo gave back > {out}; exit 0' TERM; echo started > {out}; sleep 60 & wait"


@pytest.mark.parametrize("how", ["process killed", "interrupt"])
def test_a_child_with_a_stop_signal_gets_it_and_can_clean_up(tmp_path, how):
    out = tmp_path / "out"
    parent = python(
        textwrap.dedent(f"""
        import os, signal, time
        from autodeploy import children
        out = {str(out)!r}
        child = children.spawn(["sh", "-c", {GRACEFUL.format(out=out)!r}],
                               stop_signal=signal.SIGTERM)
        print(child.pid, flush=True)
        while not (os.path.exists(out) and "started" in open(out).read()):
            time.sleep(0.02)  # its trap is set
        print("ready", flush=True)
        if {how == "interrupt"}:
            children.interrupt()
            child.wait()
        time.sleep(60)
        """)
    )
    pid = int(parent.stdout.readline())
    assert parent.stdout.readline().strip() == "ready"
    if how == "process killed":
        parent.kill()  # SIGKILL: no handler in the parent runs; the kernel signals the child
    assert wait_gone(pid, 5.0)
    parent.kill()
    parent.wait()
    assert out.read_text().strip() == "gave back"
