"""Atomic outputs: an interrupted write leaves the old file (or none), never a half file."""

import errno
import os
import stat

import pytest

from autodeploy import atomic


class Interrupted(Exception):
    pass


def test_interrupted_write_keeps_previous_content(tmp_path, monkeypatch):
    target = tmp_path / "out" / "analysis.json"
    atomic.write_text(target, "old complete content\n")

    real_fdopen = atomic.os.fdopen

    def fdopen_that_dies(fd, mode):
        handle = real_fdopen(fd, mode)
        real_write = handle.write

        def write(data):
            real_write(data[: len(data) // 2])
            raise Interrupted

        handle.write = write
        return handle

    monkeypatch.setattr(atomic.os, "fdopen", fdopen_that_dies)
    with pytest.raises(Interrupted):
        atomic.write_text(target, "new content that never fully lands\n")
    assert target.read_text() == "old complete content\n"
    assert [p.name for p in target.parent.iterdir()] == ["analysis.json"]  # no temp left


def test_write_creates_parent_directories(tmp_path):
    target = tmp_path / "a" / "b" / "c.csv"
    atomic.write_bytes(target, b"x,y\n")
    assert target.read_bytes() == b"x,y\n"


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_outputs_get_the_mode_open_would_give_under_the_umask(tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        atomic.write_text(tmp_path / "report.md", "# report\n")
        with open(tmp_path / "plain.md", "w") as plain:
            plain.write("# report\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "report.md").stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "plain.md").stat().st_mode) == mode


def test_a_full_disk_names_the_file(tmp_path, monkeypatch):
    real_fdopen = atomic.os.fdopen

    def fdopen_on_a_full_disk(fd, mode):
        handle = real_fdopen(fd, mode)

        def write(data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        handle.write = write
        return handle

    monkeypatch.setattr(atomic.os, "fdopen", fdopen_on_a_full_disk)
    target = tmp_path / "reports" / "profile.md"
    with pytest.raises(atomic.OutputWriteError, match=r"could not write .*profile\.md: No space"):
        atomic.write_text(target, "x" * 100)
    assert list(target.parent.iterdir()) == []  # no temporary file left behind
