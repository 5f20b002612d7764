"""Damage found and survived in the window (#13 item 3): the background check tells the
volunteer and the officer's log; the officer salvages from 管理 with a progress bar and a
cancel that leaves the file as it was."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtWidgets import QPushButton

from app.database import open_database
from app.gate.service import PassageDraft
from app.i18n import t
from app.officer import OfficerAuth
from tests.fakes.damage import PIN, damage_index_page, gate_with_records

PASSAGES = 400


@pytest.fixture(params=["damaged"])
def gdb(request, tmp_path_factory, clock):
    """The gate's file database: 400 records, then (damaged) one index page garbled, which
    only integrity_check sees; the start (header, schema version) opens it as usual."""
    data = tmp_path_factory.mktemp("gatedb")
    g = gate_with_records(data, clock, PASSAGES)
    g.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    g.close()
    if request.param == "damaged":
        damage_index_page(data / "gatepost.db")
    if request.param == "header":  # payload fractions: the start's header check sees it
        raw = bytearray((data / "gatepost.db").read_bytes())
        raw[21:24] = b"\x00\x00\x00"
        (data / "gatepost.db").write_bytes(bytes(raw))
    db = open_database(data)
    assert (db.salvage is not None) == (request.param == "header")  # else the start did not look
    yield db
    db.close()


def _health(window, qtbot):
    from ui.admin.health import attach_db_health

    health = attach_db_health(window, delay_ms=0)
    assert health.report is None  # the window is not held up by the check
    qtbot.waitUntil(lambda: health.report is not None, timeout=20_000)
    return health


def _audit(window, action: str) -> list[dict]:
    return OfficerAuth(window.service.gdb, window.service.clock).audit_log(action)


def test_damage_found_after_start_is_told_and_audited(window, qtbot):
    health = _health(window, qtbot)
    assert health.damaged and health.report.problems and health.report.full
    assert health.mark.isVisible() and health.mark.text() == "⚠ 数据库损坏"
    assert "数据库检查发现损坏" in health.mark.toolTip()
    assert window.message.text() == t("db_damage_found", "zh")
    assert "继续登记" in window.message.text() and "干部" in window.message.text()
    (entry,) = _audit(window, "db_damage_found")
    assert entry["actor"] == "system" and "problems" in entry["detail"]
    window.toggle_language()
    assert health.mark.text() == "⚠ Database damaged"


@pytest.mark.parametrize("gdb", ["sound"], indirect=True)
def test_a_sound_file_says_nothing(window, qtbot):
    health = _health(window, qtbot)
    assert health.report.ok and not health.damaged and not health.mark.isVisible()
    assert _audit(window, "db_damage_found") == []


@pytest.mark.parametrize("gdb", ["header"], indirect=True)
def test_a_salvage_at_start_is_in_the_officers_log(window, qtbot):
    health = _health(window, qtbot)
    assert health.report.ok and not health.damaged  # the salvaged file is sound
    (entry,) = _audit(window, "db_salvaged")
    assert entry["actor"] == "system" and '"rows_lost": 0' in entry["detail"]


def _admin(window, pin: str | None):
    from tests.gui.test_admin_feature import choose, install
    from ui.admin.health import attach_db_health

    health = attach_db_health(window, delay_ms=10**8)  # the officer acts before any check
    feature, _driver = install(window, choose("salvage"), verify_pin=lambda _w, _o: pin)
    return health, feature


def test_the_officer_salvages_in_the_background_and_the_gate_records_on(window, qtbot, clock):
    gdb = window.service.gdb
    device_id = gdb.device.device_id
    health, feature = _admin(window, PIN)
    feature.button.click()
    assert health.progress is not None and health.progress.isVisible()
    qtbot.waitUntil(lambda: not health.task.running, timeout=30_000)
    assert health.progress is None
    # the same open connection now reads the salvaged file
    assert gdb.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert gdb.conn.execute("SELECT count(*) FROM passages").fetchone()[0] == PASSAGES
    assert gdb.conn.execute("SELECT device_id FROM device").fetchone()[0] == device_id
    kept = list(gdb.path.parent.glob("gatepost.db.damaged-*[0-9]"))  # (and its -wal, report)
    assert len(kept) == 1
    assert sqlite3.connect(kept[0]).execute("PRAGMA integrity_check").fetchone()[0] != "ok"
    assert not list(gdb.path.parent.glob(".gatepost.db.salvage-*"))
    assert "抢救出" in window.message.text()
    (entry,) = _audit(window, "db_salvaged")
    assert entry["actor"] == "officer"
    out = window.service.record(
        PassageDraft(code_color="green", payload_text="hc:p", temperature="36.6")
    )
    assert out.record is not None
    assert gdb.conn.execute("SELECT count(*) FROM passages").fetchone()[0] == PASSAGES + 1


def test_a_cancelled_salvage_leaves_the_file_as_it_was(window, qtbot):
    gdb = window.service.gdb
    before = gdb.path.read_bytes()
    health, feature = _admin(window, PIN)
    feature.button.click()
    (cancel,) = health.progress.findChildren(QPushButton)
    assert cancel.text() == "取消"
    cancel.click()  # the officer presses 取消 at once
    qtbot.waitUntil(lambda: not health.task.running, timeout=30_000)
    assert window.message.text() == t("admin_salvage_cancelled", "zh")
    assert gdb.path.read_bytes() == before
    names = sorted(p.name for p in gdb.path.parent.iterdir() if "salvage" in p.name)
    assert names == [".gatepost.db.salvage-requested"]  # the next start salvages
    assert not list(gdb.path.parent.glob("gatepost.db.damaged-*"))
    assert _audit(window, "db_salvaged") == []


def test_no_pin_no_salvage(window, qtbot):
    health, feature = _admin(window, None)
    feature.button.click()
    assert health.task is None and health.progress is None
