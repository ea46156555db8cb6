"""Child processes (QEMU, flash tools, reference interpreters, linkers) that never outlive the tool.

Two ways a child could be left behind, and what ends it:

- The tool dies (SIGKILL from `timeout -s KILL` or a cancelled CI job, SIGTERM, a crash): every
  child asks the kernel for SIGKILL when its parent goes (PR_SET_PDEATHSIG). The kernel sends it
  when the *thread* that forked the child ends, not the process, so all children are forked by one
  thread that lives as long as the process. (SCons' worker threads happen to last the whole build,
  but a plain user of the engine may start an emulator from a thread that ends before it.)
- The build is interrupted (Ctrl-C): every child runs in its own session, so a terminal's signals
  reach only the tool, and interrupt() kills every running child and refuses new ones. Whatever
  waits on a child then returns at once, and interrupted() is already true when it sees the child
  dead, so that death is not taken for a crash (a killed reference interpreter would otherwise be
  replaced by the next one, and a profile written against it). interrupt_on_signals() wires
  interrupt() to SIGINT, SIGTERM and SIGHUP.

A child that holds something outside this machine (a board farm's place, which stays taken when
its holder just vanishes) is spawned with stop_signal=SIGTERM: it gets SIGTERM instead of SIGKILL,
both from the kernel when the tool dies and from interrupt(), and gives the thing back before it
exits.

Linux only (prctl).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import signal
import subprocess
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor

from .errors import AutodeployError

_PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl
_forker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="autodeploy-forker")
_lock = threading.Lock()  # orders spawn() against interrupt(): no child escapes the kill
_running: weakref.WeakKeyDictionary[subprocess.Popen, int] = weakref.WeakKeyDictionary()
_interrupted = threading.Event()
_INTERRUPTING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(AutodeployError):
    """The build was interrupted: its child processes were ended and no new one starts."""

    def __init__(self):
        super().__init__("interrupted; this step runs again next time")


def spawn(
    command: list[str], *, stop_signal: int = signal.SIGKILL, **popen_args
) -> subprocess.Popen:
    """subprocess.Popen(command, **popen_args), in a new session (its process group id is its pid)
    and sent stop_signal when this process dies or is interrupted. Raises Interrupted after an
    interrupt."""
    with _lock:
        if _interrupted.is_set():
            raise Interrupted()
        process = _forker.submit(_popen, command, stop_signal, popen_args).result()
        _running[process] = stop_signal
    return process


def run(
    command: list[str], *, timeout: float | None = None, capture_output: bool = False, **popen_args
) -> subprocess.CompletedProcess:
    """subprocess.run() through spawn(): on a timeout, an error or Ctrl-C in the caller, the
    child's whole session is killed; raises Interrupted if the build was interrupted meanwhile."""
    if capture_output:
        popen_args.update(stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with spawn(command, **popen_args) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except BaseException:
            kill(process)
            raise
    if _interrupted.is_set():
        raise Interrupted()
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def kill(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Send `sig` to the child's whole session, unless it has been reaped already (its id may then
    belong to another process)."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)


def interrupt() -> None:
    """Stop every running child (its stop signal) and refuse new ones, for the rest of this
    process."""
    with _lock:
        _interrupted.set()
        running = list(_running.items())
    for process, stop_signal in running:
        kill(process, stop_signal)


def interrupted() -> bool:
    return _interrupted.is_set()


@functools.cache  # once per process
def interrupt_on_signals() -> None:
    """From now on, SIGINT, SIGTERM or SIGHUP reaching this process (Ctrl-C, a hang-up, kill) calls
    interrupt(), whoever handles the signal. Call from the main thread.

    SCons replaces the handlers during a build with its own, which only stop new steps from
    starting; a running step would wait for its children to finish. Python writes every signal it
    handles to the wakeup fd, whatever the handler, and a thread here reads it."""
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    signal.set_wakeup_fd(write_end)
    watcher = threading.Thread(target=_watch, args=(read_end,), name="autodeploy-signals")
    watcher.daemon = True
    watcher.start()


def _watch(read_end: int) -> None:
    while True:
        if any(signum in _INTERRUPTING for signum in os.read(read_end, 64)):
            interrupt()


def _popen(command: list[str], stop_signal: int, popen_args: dict) -> subprocess.Popen:
    parent = os.getpid()

    def die_with_parent():  # in the child, between fork and exec
        _prctl(_PR_SET_PDEATHSIG, ctypes.c_ulong(stop_signal))
        if os.getppid() != parent:  # the parent died before the request: no signal will come
            os._exit(1)

    return subprocess.Popen(
        command, start_new_session=True, preexec_fn=die_with_parent, **popen_args
    )
