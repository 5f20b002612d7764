"""Drive the real gate window as a volunteer would, with a fake camera."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.scan.demo import DemoCard, render_phone
from tests.fakes.camera import FakeAsker, blank

pytestmark = pytest.mark.gui

GREEN = DemoCard("green", "https://jkm.example.invalid/v?t=GREEN-PERSON-1")
RED = DemoCard("red", "https://jkm.example.invalid/v?t=RED-PERSON-2")


def passages(service):
    return [dict(r) for r in service.conn.execute("SELECT * FROM passages ORDER BY rowid")]


def show_code(qtbot, window, rig, card):
    rig.show(render_phone(card))
    qtbot.waitUntil(lambda: window.current is not None, timeout=5000)
    rig.show(blank())


def test_green_code_365_enter_records_exactly_one_passage(qtbot, window, rig, service):
    show_code(qtbot, window, rig, GREEN)
    assert window.banner.state == "green"
    assert "绿码" in window.banner.title.text()
    qtbot.keyClicks(window.temperature, "365")
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)
    rows = passages(service)
    assert len(rows) == 1
    row = rows[0]
    assert row["decision"] == "pass" and row["temperature"] == 36.5
    assert row["code_color"] == "green" and row["direction"] == "in"
    assert row["category"] == "resident" and row["volunteer"] == "王阿姨"
    assert row["payload_hash"] == service.hash_payload(GREEN.payload)
    assert row["identity_method"] == "scan"
    assert window.counters.values["in"].text() == "1"
    assert window.recent.rowCount() == 1
    assert service.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 1


def test_two_key_presses_after_a_green_scan(qtbot, window, rig, service):
    show_code(qtbot, window, rig, GREEN)
    qtbot.mouseClick(window.quick_buttons[2], Qt.MouseButton.LeftButton)  # 36.5
    qtbot.keyClick(window.temperature, Qt.Key.Key_Enter)
    assert [r["temperature"] for r in passages(service)] == [36.5]


def test_a_green_code_in_two_keys_and_a_wedge_thermometer_in_none(qtbot, window, rig, service):
    """Keyboard only: one digit (36.x) and Enter; a thermometer typing '365⏎' needs no key."""
    show_code(qtbot, window, rig, GREEN)
    qtbot.keyClick(window.temperature, Qt.Key.Key_5)
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)
    window.handle_payload(RED.payload.replace("RED", "GREEN-2"), "green")
    qtbot.keyClicks(window.temperature, "364\r")  # what a keyboard-wedge IR gun sends
    assert [r["temperature"] for r in passages(service)] == [36.5, 36.4]


def test_holding_the_code_gives_one_scan(qtbot, window, rig, service):
    rig.show(render_phone(GREEN))
    qtbot.waitUntil(lambda: window.current is not None, timeout=5000)
    qtbot.keyClicks(window.temperature, "36.6")
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)
    assert window.current is None
    qtbot.wait(400)  # the phone is still in front of the camera for many frames
    assert window.current is None  # no second scan of the same person
    assert len(passages(service)) == 1


def test_red_code_is_refused(qtbot, window, rig, service):
    show_code(qtbot, window, rig, RED)
    assert window.banner.state == "red" and "禁止" in window.banner.title.text()
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)
    rows = passages(service)
    assert len(rows) == 1 and rows[0]["decision"] == "refused"
    assert rows[0]["reason"] == "red_code" and rows[0]["code_color"] == "red"
    assert window.counters.values["refused"].text() == "1"


def test_fever_alarm_then_retest_paths(qtbot, window, rig, service, clock):
    show_code(qtbot, window, rig, GREEN)
    qtbot.keyClicks(window.temperature, "37.6")
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)
    assert window.banner.state == "fever"
    assert "37.6" in window.banner.title.text()
    assert "alarm" in window.sounds.played
    assert passages(service) == []
    assert window.fevers.count() == 1 and window.counters.values["fever"].text() == "1"

    clock.advance(300)
    fever_id = service.pending_fevers()[0]["id"]
    window.asker.answers = ["37.5", ("grid_cadre", "")]  # still a fever: cadre told
    window.retest(fever_id)
    rows = passages(service)
    assert len(rows) == 1 and rows[0]["decision"] == "refused"
    assert rows[0]["disposition"] == "grid_cadre" and rows[0]["retest_temperature"] == 37.5
    assert window.fevers.count() == 0


def test_fever_retest_normal_passes(qtbot, window, rig, service, clock):
    show_code(qtbot, window, rig, GREEN)
    qtbot.keyClicks(window.temperature, "376")
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)
    clock.advance(300)
    window.asker.answers = ["36.9"]
    item = window.fevers.item(0)
    window.fevers.itemClicked.emit(item)
    rows = passages(service)
    assert len(rows) == 1 and rows[0]["decision"] == "pass"
    assert rows[0]["temperature"] == 37.6 and rows[0]["retest_temperature"] == 36.9


def test_out_of_range_temperature_is_a_message_not_a_record(qtbot, window, rig, service):
    show_code(qtbot, window, rig, GREEN)
    qtbot.keyClicks(window.temperature, "45")
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)
    assert "超出范围" in window.message.text()
    assert passages(service) == [] and window.current is not None  # nothing lost, try again


def test_camera_unplugged_shows_status_and_recovers(qtbot, window, rig, service):
    qtbot.waitUntil(lambda: "摄像头正常" in window.camera_label.text(), timeout=5000)
    rig.unplugged = True
    qtbot.waitUntil(lambda: "摄像头断开" in window.camera_label.text(), timeout=5000)
    qtbot.wait(300)  # retried many times: a webcam 'auto' had is disconnected, not missing
    assert "摄像头断开" in window.camera_label.text()
    # the desk still works by hand while the cable is out
    from app.gate.service import Identity

    window.asker.answers = [Identity("id_number", None, "11010519491231002X")]
    qtbot.keyClick(window, Qt.Key.Key_F3)
    qtbot.keyClicks(window.temperature, "36.4")
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)
    assert len(passages(service)) == 1
    rig.unplugged = False
    qtbot.waitUntil(lambda: "摄像头正常" in window.camera_label.text(), timeout=5000)
    show_code(qtbot, window, rig, GREEN)
    assert window.banner.state == "green"


def test_undo_voids_the_last_record(qtbot, window, rig, service):
    show_code(qtbot, window, rig, GREEN)
    qtbot.keyClicks(window.temperature, "36.5")
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)
    window.asker.answers = [("void_wrong_entry", "")]
    qtbot.keyClick(window, Qt.Key.Key_F4)
    assert window.asker.asked == ["choose"]
    void = service.conn.execute("SELECT * FROM voids").fetchone()
    assert void is not None and void["reason"] == "录入错误"
    assert window.counters.values["in"].text() == "0"
    assert "已撤销" in window.message.text()


def test_manual_entry_by_id_number(qtbot, window, service):
    from app.gate.service import Identity

    window.asker.answers = [Identity("id_number", None, "11010519491231002X")]
    qtbot.keyClick(window, Qt.Key.Key_F3)
    qtbot.keyClicks(window.temperature, "36.3")
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)
    row = passages(service)[0]
    assert row["identity_method"] == "id_number" and row["id_number"] == "11010519491231002X"
    assert row["code_color"] == "none"
    shown = window.recent.item(0, 3).text()
    assert "11010519491231002X" not in shown and shown.endswith("002X")


def test_manual_entry_dialog_refuses_a_wrong_check_digit(qtbot):
    from ui.gate.dialogs import ManualEntryDialog

    dlg = ManualEntryDialog("zh")
    qtbot.addWidget(dlg)
    dlg.id_number.setText("110105194912310021")
    dlg.accept()
    assert "校验位" in dlg.error.text() and dlg.identity is None
    dlg.id_number.setText("11010519491231002x")
    dlg.accept()
    assert dlg.identity is not None and dlg.identity.id_number == "11010519491231002X"


def test_direction_and_category_shortcuts(qtbot, window, service):
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.direction == "out" and window.category == "visitor"
    window.handle_payload(GREEN.payload, "green")
    qtbot.keyClicks(window.temperature, "36.5")
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)
    row = passages(service)[0]
    assert (row["direction"], row["category"]) == ("out", "visitor")
    assert window.category == "resident"  # the next person is a resident again
    assert window.direction == "out"  # direction stays for the queue


def test_keyboard_wedge_scanner_typing_a_payload(qtbot, window, service):
    qtbot.keyClicks(window.temperature, "https://jkm.example.invalid/v?t=WEDGE")
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)
    assert window.current is not None and window.current.payload_kind == "healthcode"
    assert window.temperature.text() == ""


def test_garbage_payload_is_not_shown_raw(qtbot, window):
    window.handle_payload("evil\x00\x1b[31mpayload", "green")
    assert window.current is None and window.banner.state == "unknown"
    assert "evil" not in window.banner.title.text() + window.banner.detail.text()


def test_english_can_be_chosen(qtbot, window):
    window.toggle_language()
    assert window.record_button.text().startswith("Record")
    assert window.counters.names["in"].text() == "In"
    window.toggle_language()
    assert window.record_button.text().startswith("登记")


def test_camera_chosen_in_settings_without_restart(qtbot, window, rig):
    from ui.gate.dialogs import SettingsValues

    qtbot.waitUntil(lambda: bool(rig.opened), timeout=5000)
    window.asker.answers = [SettingsValues("1", 37.3, 300, 10.0, "北门", "gate-2", "李师傅")]
    window.open_settings()
    qtbot.waitUntil(lambda: "fake:1" in rig.opened, timeout=5000)
    assert "北门" in window.title.text()
    assert window.service.volunteer == "李师傅"


def test_auto_with_no_webcam_says_so_and_never_shows_the_demo(qtbot, service):
    """#10 item 7: no silent demo; the status and the preview say what to do, F3 still works."""
    from app.records.identity import Identity
    from app.scan.sources import SourceError
    from ui.common.sound import Sounds
    from ui.gate.window import MainWindow
    from ui.scan.camera import CameraController

    asked: list[str] = []

    class NoWebcam:
        name, fps = "webcam:0", 30.0

        def __init__(self, spec):
            asked.append(spec)

        def open(self):
            raise SourceError("no webcam")

        def close(self):
            pass

    controller = CameraController("auto", source_factory=NoWebcam, retry_seconds=0.05)
    asker = FakeAsker()
    win = MainWindow(service, controller, asker=asker, sounds=Sounds(enabled=False), lang="zh")
    qtbot.addWidget(win)
    frames = []
    controller.worker.frame.connect(frames.append)
    controller.start()
    try:
        qtbot.waitUntil(lambda: "未找到摄像头" in win.camera_label.text(), timeout=5000)
        qtbot.waitUntil(lambda: len(asked) >= 3, timeout=5000)  # it keeps looking for one
    finally:
        controller.stop()
    assert "设置" in win.camera_label.text() and "F3" in win.camera_label.text()
    assert "未找到摄像头" in win.preview.text() and "F3" in win.preview.text()
    assert set(asked) == {"0"} and frames == [] and win.preview.pixmap().isNull()
    asker.answers = [Identity("id_number", None, "11010519491231002X")]
    win.press("F3")
    qtbot.keyClicks(win.temperature, "36.5")
    qtbot.keyClick(win.temperature, Qt.Key.Key_Return)
    assert [p["identity_method"] for p in passages(service)] == ["id_number"]


def test_a_bug_in_the_window_is_told_not_crashed(qtbot, window, service, monkeypatch):
    def broken(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(service, "today", broken)
    window.refresh()
    assert "程序出错" in window.message.text()
    monkeypatch.undo()
    window.handle_payload(GREEN.payload, "green")
    qtbot.keyClicks(window.temperature, "36.5")
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)
    assert len(passages(service)) == 1  # the gate keeps working


def test_a_full_disk_keeps_the_person_and_says_so(qtbot, window, rig, service, monkeypatch):
    import sqlite3

    from db import outbox

    show_code(qtbot, window, rig, GREEN)
    qtbot.keyClicks(window.temperature, "36.5")

    def full(*a, **k):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(outbox, "append", full)
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)
    assert "保存失败" in window.message.text()
    assert passages(service) == [] and window.current is not None
    monkeypatch.undo()
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)
    assert len(passages(service)) == 1


@pytest.fixture
def booth_style(qapp):
    """The real look (fonts, button sizes) for the fit tests, undone afterwards."""
    from ui.common.style import apply_style

    font, sheet = qapp.font(), qapp.styleSheet()
    apply_style(qapp)
    yield
    qapp.setStyleSheet(sheet)
    qapp.setFont(font)


@pytest.fixture
def assembled(qtbot, tmp_path, clock, booth_style):
    """The window with every feature installed (roster, shifts, officer, reports, sync)."""
    from app.database import open_database
    from app.gate.service import GateService
    from app.officer import OfficerAuth
    from app.shifts.service import ShiftService
    from ui.app import install_features
    from ui.common.sound import Sounds
    from ui.gate.window import MainWindow

    gdb = open_database(tmp_path)  # a file: the sync worker opens its own connection
    service = GateService(gdb, clock)
    OfficerAuth(gdb).set_pin("246810")
    shifts = ShiftService(gdb)
    shifts.start(shifts.add_volunteer("王阿姨")["id"])
    service.settings.set("checkpoint_name", "翔鹭花城三期 东门")
    win = MainWindow(service, None, asker=FakeAsker(), sounds=Sounds(enabled=False), lang="zh")
    qtbot.addWidget(win)
    install_features(win, gdb)
    win.show()
    yield win
    win.close()
    gdb.close()


def widget_rect(widget, window):
    from PySide6.QtCore import QPoint, QRect

    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def misfits(qtbot, window, width, height):
    """Resize the window's client area and list what does not fit (empty when all is well)."""
    from PySide6.QtWidgets import QAbstractButton, QApplication

    window.resize(width, height)
    qtbot.wait(30)  # the status bar lays out again after the sync status has been filled in
    QApplication.processEvents()
    problems = []
    if (window.width(), window.height()) != (width, height):
        problems.append(("window stays", window.width(), window.height()))
    client = window.rect()
    buttons = [b for b in window.findChildren(QAbstractButton) if b.isVisibleTo(window)]
    for b in buttons:
        rect = widget_rect(b, window)
        if not client.contains(rect):
            problems.append(("outside", b.text(), rect))
        if b.width() < b.minimumSizeHint().width() or b.height() < b.minimumSizeHint().height():
            problems.append(("squeezed", b.text(), b.size(), b.minimumSizeHint()))
    for i, a in enumerate(buttons):
        for b in buttons[i + 1 :]:
            if widget_rect(a, window).intersects(widget_rect(b, window)):
                problems.append(("overlap", a.text(), b.text()))
    recent = window.recent
    result = recent.RESULT
    if recent.rowCount() and (
        recent.columnViewportPosition(result) + recent.columnWidth(result)
        > recent.viewport().width()
    ):
        problems.append(("结果 column out of view", recent.columnWidth(result)))
    bar = window.statusBar()
    if not (bar.isVisible() and client.contains(widget_rect(bar, window))):
        problems.append(("status bar", widget_rect(bar, window)))
    if widget_rect(window.banner, window).intersects(widget_rect(window.preview, window)):
        problems.append(("banner covers the preview", window.lang))
    return problems


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", [(1366, 690), (1280, 680)])
def test_every_button_and_the_status_bar_fit_the_booth_screen(qtbot, assembled, lang, size):
    """1366×768 minus taskbar and title bar is a 1366×690 client area; some booths have 1280."""
    from app.scan.demo import DEFAULT_CARDS

    win = assembled
    if win.lang != lang:
        win.toggle_language()
    assert misfits(qtbot, win, *size) == []
    # the busiest desk: a person at the desk, one waiting in 下一位, a message, a fever resting
    win.handle_payload(DEFAULT_CARDS[2].payload, "red")
    win.on_enter()  # the longest 结果: 拒绝 · 红码/黄码
    win.handle_payload(DEFAULT_CARDS[3].payload, "green")
    win.temperature.setText("38.2")
    win.on_enter()
    win.handle_payload(DEFAULT_CARDS[0].payload, "green")
    win.handle_payload(DEFAULT_CARDS[1].payload, "yellow")
    assert win.next_label.isVisible() and win.fever_box.isVisible()
    assert win.recent.rowCount() == 1
    win.features["shifts"].purge_button.show()  # a purge waiting for the officer, too
    assert misfits(qtbot, win, *size) == []
    assert win.banner.title.font().pixelSize() >= 32  # read from a step away


def test_every_feature_follows_the_language_switch(qtbot, tmp_path, clock):
    from app.database import open_database
    from app.gate.service import GateService
    from app.officer import OfficerAuth
    from app.shifts.service import ShiftService
    from ui.app import install_features
    from ui.common.sound import Sounds
    from ui.gate.window import MainWindow

    gdb = open_database(tmp_path)  # a file: the sync worker opens its own connection
    service = GateService(gdb, clock)
    OfficerAuth(gdb).set_pin("246810")
    shifts = ShiftService(gdb)
    shifts.start(shifts.add_volunteer("王阿姨")["id"])
    win = MainWindow(service, None, sounds=Sounds(enabled=False), lang="zh")
    qtbot.addWidget(win)
    install_features(win, gdb)
    try:
        win.toggle_language()
        texts = [
            w.text()
            for w in win.findChildren(QPushButton)
            if w.isVisibleTo(win) and w is not win.lang_button
        ]  # that one says 中文
        chinese = [s for s in texts if any("\u4e00" <= ch <= "\u9fff" for ch in s)]
        assert chinese == [], chinese
        from app.i18n import t

        states = (t("sync_online", "en"), t("sync_offline_state", "en"))
        label = win.features["sync"].widget.state_label
        qtbot.waitUntil(lambda: label.text() in states, timeout=5000)
    finally:
        win.close()
        gdb.close()


def test_features_attach_through_the_declared_extension_point(qtbot, gdb, service):
    """Buttons and keys come from Action declarations; the window gets no new attributes."""
    from app.officer import OfficerAuth
    from app.shifts.service import ShiftService
    from ui.app import install_features
    from ui.common.sound import Sounds
    from ui.gate.window import MainWindow

    OfficerAuth(gdb).set_pin("246810")
    shifts = ShiftService(gdb)
    shifts.start(shifts.add_volunteer("王阿姨")["id"])
    win = MainWindow(service, None, sounds=Sounds(enabled=False), lang="zh")
    qtbot.addWidget(win)
    before = set(vars(win))
    install_features(win, gdb)
    try:
        assert set(vars(win)) == before  # nothing bolted on
        assert set(win.features) == {
            "roster",
            "shifts",
            "sync",
            "admin",
            "clock",
            "backfill",
            "health",
        }
        names = list(win.action_bar.buttons)
        assert names[:2] == ["roster", "visitor_pass"] and "shift_export" in names
        export = win.action_bar.buttons["shift_export"][1]
        assert export.text() == "导出 F10"
        win.toggle_language()
        assert export.text() == "Export F10"
    finally:
        win.close()


def test_the_window_shows_the_gate_code_the_server_will_give_it(window, service):
    """#15: derived from the device id, so a never-online gate shows the same code."""
    from app import gate_code

    device_id = service.conn.execute("SELECT device_id FROM device WHERE id = 1").fetchone()[0]
    code = gate_code.derive(device_id)
    assert window.gate_code_label.text().endswith(gate_code.shown(code))
    window.toggle_language()
    assert gate_code.shown(code) in window.gate_code_label.text()
    assert {window.gate_code_label.text().split()[0]} <= {"卡口代码", "Gate"}
