"""练习模式 through the assembled window (ui/app.py open_session): the demo writes only to the
training database, a real camera never touches the demo, and the desk journal is attached."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt, QTimer

from app.clock import FakeClock
from app.database import open_database
from app.gate.journal import JOURNAL_DIR
from app.gate.training import open_training, training_dir
from app.officer import OfficerAuth
from app.roster.service import RosterService
from app.scan.demo import DEFAULT_CARDS, DemoSource
from app.settings import Settings
from app.shifts.service import ShiftService
from tests.fakes import roster_files as rf
from tests.fakes.camera import FakeAsker

pytestmark = pytest.mark.gui
TABLES = ("passages", "fever_checks", "voids", "outbox", "roster_changes", "pass_keys")
GREEN = DEFAULT_CARDS[0]


def counts(path):
    """Rows per table, and the outbox's events other than the officer's audit (a real window
    audits its daily purge at start)."""
    gdb = open_database(path)
    try:
        found = {t: gdb.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
        found["outbox_not_audit"] = gdb.conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE kind != 'audit'"
        ).fetchone()[0]
        return found
    finally:
        gdb.close()


def on_duty(gdb, clock):
    """A PIN and a volunteer on duty, so the window opens without its first-run dialogs."""
    if not OfficerAuth(gdb, clock).has_pin():
        OfficerAuth(gdb, clock).set_pin("246810")
    shifts = ShiftService(gdb, clock)
    shifts.start(shifts.add_volunteer("王阿姨")["id"])


@pytest.fixture
def data_dir(tmp_path):
    """A real database with a resident in it (what the demo used to sign passes for)."""
    clock = FakeClock()
    gdb = open_database(tmp_path)
    on_duty(gdb, clock)
    RosterService(gdb, clock).add(
        {"name": "张三", "id_number": rf.ZHANG, "building": "3", "room": "501"}
    )
    gdb.close()
    return tmp_path


def practice_ready(data_dir):
    """The volunteer signed in for practice before (the training database has its own shifts)."""
    real = open_database(data_dir)
    training = open_training(data_dir, real)
    on_duty(training, FakeClock())
    training.close()
    real.close()


def opened(qtbot, data_dir, camera):
    from ui.app import open_session

    session = open_session(data_dir, camera, "zh", clock=FakeClock())
    window = session.window
    window.asker = FakeAsker()
    window.sounds.enabled = False
    window.guards["settings"] = lambda: True  # the officer's PIN dialog has its own tests
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)  # its shortcuts reach it
    return session


def record_green(qtbot, window):
    window.handle_payload(GREEN.payload, "green")
    qtbot.keyClicks(window.temperature, "36.5")
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)


def test_demo_is_training_mode_and_writes_nothing_to_the_real_database(qtbot, data_dir):
    before = counts(data_dir)
    practice_ready(data_dir)
    assert counts(data_dir) == before
    session = opened(qtbot, data_dir, "demo")
    window = session.window
    try:
        assert session.training and session.gdb.path == training_dir(data_dir) / "gatepost.db"
        banner = window.training_label
        assert banner is not None and banner.isVisible()
        assert "练习模式 · 记录不计入正式台账" in banner.text() and "Training mode" in banner.text()
        banner.ensurePolished()
        assert banner.sizeHint().height() >= 30 and banner.width() > window.width() // 2
        assert window.windowTitle().startswith("【练习模式】")
        assert window.minimumSizeHint().height() <= 690  # the band still fits the booth screen
        assert "sync" not in window.features  # nothing of the training database is sent
        export = window.features["shifts"].buttons["export"]
        dialogs: list = []
        window.features["shifts"].open_dialog = dialogs.append
        qtbot.keyClick(window, Qt.Key.Key_F10)
        export.click()
        assert not export.isEnabled() and dialogs == []  # no export of practice records
        qtbot.keyClick(window, Qt.Key.Key_F8)
        assert len(dialogs) == 1  # the other feature keys still work
        record_green(qtbot, window)
        rows = session.gdb.conn.execute("SELECT decision, temperature FROM passages").fetchall()
        assert [tuple(r) for r in rows] == [("pass", 36.5)]
        # the camera it opens is the demo, with the training database's cards (no residents)
        source = session.controller.worker._factory("demo")
        assert isinstance(source, DemoSource) and list(source.cards) == list(DEFAULT_CARDS)
        window.on_camera_status("ok", "demo")
        assert "练习摄像头" in window.camera_label.text()
        window.toggle_language()
        assert window.windowTitle().startswith("【Training mode】")
    finally:
        window.close()
        session.close()
    assert counts(data_dir) == before  # passages, outbox, roster changes: all unchanged
    journal = list((training_dir(data_dir) / JOURNAL_DIR).glob("*.jsonl"))
    assert len(journal) == 1 and not (data_dir / JOURNAL_DIR).exists()
    lines = [json.loads(x) for x in journal[0].read_text(encoding="utf-8").splitlines()]
    assert lines[-1]["recorded"]["decision"] == "pass"


def test_a_real_camera_never_signs_demo_passes_and_journals_in_the_data_dir(qtbot, data_dir):
    before = counts(data_dir)
    session = opened(qtbot, data_dir, "0")  # the camera is not started: no webcam is opened
    window = session.window
    try:
        assert not session.training and session.gdb.path == data_dir / "gatepost.db"
        assert window.training_label is None and "练习" not in window.windowTitle()
        now = counts(data_dir)  # no pass_issue, no roster or pass event at start
        assert now["roster_changes"] == before["roster_changes"]
        assert now["outbox_not_audit"] == before["outbox_not_audit"]
        assert not training_dir(data_dir).exists()
        record_green(qtbot, window)
    finally:
        window.close()
        session.close()
    after = counts(data_dir)
    assert after["passages"] == before["passages"] + 1
    assert after["roster_changes"] == before["roster_changes"]
    assert after["outbox_not_audit"] == before["outbox_not_audit"] + 1  # the passage's event
    assert len(list((data_dir / JOURNAL_DIR).glob("*.jsonl"))) == 1
    assert not any(timer.isActive() for timer in window.findChildren(QTimer))


def test_choosing_the_demo_in_settings_takes_effect_on_the_next_start(qtbot, data_dir):
    from ui.gate.dialogs import SettingsValues

    session = opened(qtbot, data_dir, None)
    window = session.window
    switched = []
    window.camera.set_source = switched.append
    try:
        window.asker.answers = [SettingsValues("demo", 37.3, 300, 10.0, "北门", "gate-1", "")]
        window.open_settings()
        assert switched == []  # the demo's codes never reach the real database
        assert "重新打开门岗通后进入练习模式" in window.message.text()
        window.asker.answers = [SettingsValues("1", 37.3, 300, 10.0, "北门", "gate-1", "")]
        window.open_settings()
        assert switched == ["1"]  # another real camera: at once, as before
    finally:
        window.close()
        session.close()
    gdb = open_database(data_dir)
    Settings(gdb.conn).set("camera_source", "demo")
    gdb.close()
    practice_ready(data_dir)
    session = opened(qtbot, data_dir, None)  # the saved setting now opens 练习模式
    window = session.window
    switched.clear()
    window.camera.set_source = switched.append
    try:
        assert session.training and window.training_label is not None
        window.asker.answers = [SettingsValues("0", 37.3, 300, 10.0, "北门", "gate-1", "")]
        window.open_settings()
        assert switched == [] and "退出练习模式" in window.message.text()
    finally:
        window.close()
        session.close()
    gdb = open_database(data_dir)
    try:
        assert Settings(gdb.conn).get("camera_source") == "0"  # kept in the real database
    finally:
        gdb.close()
