"""Shared fixtures: offscreen Qt, data dirs in tmp_path, a fake clock, an in-memory gate."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication exists

import pytest  # noqa: E402

from app.clock import FakeClock  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """No test ever touches the user's real data dir."""
    data = tmp_path / "data"
    monkeypatch.setenv("GATEPOST_DATA_DIR", str(data))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return data


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def gdb():
    from app.database import open_memory

    db = open_memory()
    yield db
    db.close()


@pytest.fixture
def service(gdb, clock):
    from app.gate.service import GateService

    svc = GateService(gdb, clock)
    svc.settings.set("volunteer", "王阿姨")
    return svc


@pytest.fixture(autouse=True)
def _cheap_pin_hash(monkeypatch):
    """The production scrypt cost (≥ 250 ms a try) would make every PIN in the suite slow;
    tests/hostile/test_files_private.py measures the real one."""
    from app import officer

    monkeypatch.setattr(officer, "SCRYPT", {"n": 2**12, "r": 8, "p": 1})
