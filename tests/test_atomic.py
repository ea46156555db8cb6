"""Atomic outputs: an interrupted write leaves the old file (or none), never a half file."""

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
