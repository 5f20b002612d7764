"""app.files: the one atomic writer (#11)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app import files


def test_writes_the_whole_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")
    files.write_bytes(target, b"new contents")
    assert target.read_bytes() == b"new contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_failure_keeps_the_old_file_and_removes_the_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), files.atomic_output(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target  # beside it, so the rename is atomic
        tmp.write_text("half of the ne")
        raise RuntimeError("cancelled")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_the_data_is_on_disk_before_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync-dir" if os.path.isdir(f"/proc/self/fd/{fd}") else "fsync-file")
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path) -> None:
        events.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "fsync", fsync)
    monkeypatch.setattr(files.os, "replace", replace)
    files.write_bytes(tmp_path / "ack.json", b"{}")
    assert events == ["fsync-file", "replace", "fsync-dir"]


def test_a_missing_folder_is_an_error_not_a_file_elsewhere(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        files.write_bytes(tmp_path / "no" / "such.txt", b"x")
    assert list(tmp_path.iterdir()) == []
