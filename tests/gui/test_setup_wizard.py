"""The first-run wizard in the assembled window (#16): walked end to end with the keyboard
and the mouse (PIN, camera = the demo's live picture, sync = USB, roster = a small CSV),
and with the PIN put off (稍后设置): red in the status bar, F10 asks to set it first."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app.clock import FakeClock
from app.officer import OfficerAuth
from app.roster.service import RosterService
from app.settings import Settings
from app.setup.steps import needs_setup
from tests.fakes import roster_files as rf
from tests.fakes.camera import FakeAsker

pytestmark = pytest.mark.gui


class Recorder:
    """The window's own dialogs (sign-in, set PIN, export): recorded and answered."""

    def __init__(self):
        self.opened = []

    def __call__(self, dlg):
        self.opened.append(type(dlg).__name__)
        if type(dlg).__name__ == "SignInDialog":
            dlg.name.setText("王阿姨")
            dlg.sign_in.click()
        else:
            dlg.reject()


@pytest.fixture
def session(qtbot, tmp_path):
    from ui.app import open_session

    session = open_session(tmp_path / "data", None, "zh", clock=FakeClock())
    window = session.window
    window.asker = FakeAsker()
    window.sounds.enabled = False
    recorder = Recorder()
    window.features["shifts"].open_dialog = recorder
    window.test_recorder = recorder
    qtbot.addWidget(window)
    window.show()
    # as run_gui: the wizard opens before the event loop runs the queued sign-in
    window.test_wizard = wizard_on(qtbot, window) if needs_setup(session.real.conn) else None
    yield session
    session.close()


def wizard_on(qtbot, window):
    from ui.setup.wizard import SetupWizard

    wiz = SetupWizard(window, webcams=[])  # no webcam on this machine: the demo is listed
    qtbot.addWidget(wiz)
    wiz.setModal(True)  # application-modal over the window, as exec() shows it
    wiz.show()
    return wiz


def enter(qtbot, widget):
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def place_and_camera(qtbot, wiz, pin=None):
    place = wiz.pages["place"]
    assert place.compound.hasFocus()  # the keyboard starts in the first field
    place.compound.setText("幸福里小区")  # typed through an input method (no key events)
    place.checkpoint.clear()
    enter(qtbot, place.checkpoint)
    assert wiz.state.name == "place" and "卡口名称" in wiz.error.text()  # a name is needed
    place.checkpoint.setText("北门")
    enter(qtbot, place.checkpoint)
    assert wiz.state.name == "pin"
    page = wiz.pages["pin"]
    assert "6–12 位数字" in page.rule.text()  # the rule, before the first try
    if pin is None:
        page.later.setFocus()
        qtbot.keyClick(page.later, Qt.Key.Key_Space)  # 稍后设置, by keyboard
        assert page.later_note.isVisible()
    else:
        qtbot.keyClicks(page.first, pin)
        qtbot.keyClicks(page.second, pin[:-1])
        enter(qtbot, page.second)
        assert wiz.state.name == "pin" and wiz.error.text() == "两次输入不一致"
        qtbot.keyClicks(page.second, pin[-1])
        assert page.second.text() == pin
        enter(qtbot, page.second)
    if pin is None:
        enter(qtbot, page.later)
    assert wiz.state.name == "camera"
    camera = wiz.pages["camera"]
    assert camera.sources.currentItem().data(Qt.ItemDataRole.UserRole) == "demo"
    assert "练习模式" in camera.sources.currentItem().text()
    # the live picture of the source picked
    qtbot.waitUntil(lambda: not camera.preview.pixmap().isNull(), timeout=10000)
    enter(qtbot, camera.sources)
    assert wiz.state.name == "sync"


def test_the_wizard_walked_end_to_end_leaves_a_ready_window(qtbot, session, tmp_path):
    window = session.window
    wiz = window.test_wizard
    qtbot.waitUntil(wiz.isVisible, timeout=3000)
    assert window.test_recorder.opened == []  # the sign-in waits for the wizard
    place_and_camera(qtbot, wiz, pin="246810")
    sync = wiz.pages["sync"]
    qtbot.mouseClick(sync.choices["usb"], Qt.MouseButton.LeftButton)
    assert not sync.code.isVisible()
    qtbot.mouseClick(wiz.next_button, Qt.MouseButton.LeftButton)
    assert wiz.state.name == "roster"
    roster_page = wiz.pages["roster"]
    qtbot.mouseClick(roster_page.now, Qt.MouseButton.LeftButton)
    assert roster_page.import_button.isEnabled()
    csv = rf.write_csv(tmp_path / "roster.csv", rf.compound_rows(5))
    dlg = wiz.open_import(str(csv))
    qtbot.waitUntil(dlg.import_button.isEnabled, timeout=10000)  # the preview is ready
    with qtbot.waitSignal(dlg.imported, timeout=10000):
        qtbot.mouseClick(dlg.import_button, Qt.MouseButton.LeftButton)
    dlg.accept()
    assert roster_page.done.text() == "已导入 5 位住户"
    assert wiz.next_button.text() == "完成，开始值班"
    qtbot.mouseClick(wiz.next_button, Qt.MouseButton.LeftButton)
    assert wiz.result() == QDialog.DialogCode.Accepted and not wiz.isVisible()
    assert wiz.preview.controller is None  # its camera thread is stopped
    # the settings stored, the PIN set, the roster in
    gdb = window.service.gdb
    s = Settings(gdb.conn)
    assert (s.get("compound_name"), s.get("checkpoint_name")) == ("幸福里小区", "北门")
    assert (s.get("camera_source"), s.get("sync_mode")) == ("demo", "usb")
    assert OfficerAuth(gdb).verify("246810")
    assert len(RosterService(gdb, window.service.clock).search("")) == 5
    assert not needs_setup(gdb.conn)  # not again at the next start
    # the window is ready: named, no red PIN warning, then the volunteer signs in
    assert "幸福里小区 北门" in window.windowTitle()
    assert not window.features["shifts"].pin_status.isVisibleTo(window)
    assert "练习模式" in window.message.text()  # the demo: from the next start
    # 不联网（用U盘）: the status bar says so instead of an amber 离线, and the timer never tries
    widget = window.features["sync"].widget
    widget.refresh()
    qtbot.waitUntil(lambda: widget.state_label.text() == "不联网（用U盘）", timeout=5000)
    widget._timer_attempt()
    assert widget.attempt_task is None and widget.next_timer.isActive()
    qtbot.waitUntil(lambda: window.test_recorder.opened == ["SignInDialog"], timeout=5000)
    assert "王阿姨" in window.volunteer_label.text()


def test_pin_put_off_stays_red_and_f10_asks_to_set_it_in_the_window(qtbot, session):
    window = session.window
    wiz = window.test_wizard
    qtbot.waitUntil(wiz.isVisible, timeout=3000)
    place_and_camera(qtbot, wiz, pin=None)
    qtbot.mouseClick(wiz.pages["sync"].choices["usb"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(wiz.next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(wiz.next_button, Qt.MouseButton.LeftButton)  # roster: later (default)
    assert wiz.result() == QDialog.DialogCode.Accepted
    shifts = window.features["shifts"]
    assert not shifts.officer.has_pin()
    qtbot.waitUntil(lambda: window.test_recorder.opened == ["SignInDialog"], timeout=5000)
    status = shifts.pin_status
    assert status.isVisibleTo(window) and status.text() == "未设置干部密码"
    assert "#c62828" in status.styleSheet()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_F10)
    # the set-PIN dialog opens (cancelled here), not the export, not a command to run
    assert window.test_recorder.opened == ["SignInDialog", "SetPinDialog"]
    assert "尚未设置干部密码" in window.message.text()
    assert "管理 F12" in window.message.text()  # where in the window, not only a command
    assert status.isVisibleTo(window)


def test_the_wizard_is_not_shown_again_nor_in_training_mode(qtbot, session):
    from ui.setup.wizard import run_first_start

    window = session.window
    window.test_wizard.reject()  # closed unfinished: shown again at the next start
    assert needs_setup(window.service.gdb.conn)
    started = []
    wiz = run_first_start(window, then=lambda: started.append("camera"), webcams=[])
    qtbot.addWidget(wiz)
    assert wiz.isVisible() and wiz.isModal() and started == []  # the camera waits for it
    wiz.reject()
    assert started == ["camera"]
    window.training = True  # 练习模式 borrows the real settings: never its own wizard
    assert run_first_start(window, then=lambda: started.append("training")) is None
    window.training = False
    Settings(window.service.gdb.conn).set("checkpoint_name", "北门")
    assert run_first_start(window, then=lambda: started.append("again")) is None  # set up
    assert started == ["camera", "training", "again"]  # no wizard: the camera at once


def test_every_step_can_be_changed_later_in_the_window(qtbot, session):
    """设置: names, camera, sync mode; 管理 F12: the PIN, pairing, USB; F6: the roster."""
    from ui.gate.dialogs import SettingsDialog

    window = session.window
    window.test_wizard.reject()
    window.guards["settings"] = lambda: True  # the PIN guard has its own tests
    seen = []

    def change(values, lang):
        dlg = SettingsDialog(values, lang, window)
        qtbot.addWidget(dlg)
        seen.append(dlg)
        dlg.compound_name.setText("幸福里小区")
        dlg.checkpoint_name.setText("南门")
        dlg.sync_mode.setCurrentIndex(dlg.sync_mode.findData("usb"))
        assert dlg.sync_mode.currentText() == "不联网（用U盘）"
        dlg.camera.setCurrentText("demo")
        return dlg.values()

    window.asker.settings = change
    window.open_settings()
    s = Settings(window.service.gdb.conn)
    assert (s.get("compound_name"), s.get("checkpoint_name")) == ("幸福里小区", "南门")
    assert (s.get("sync_mode"), s.get("camera_source")) == ("usb", "demo")
    assert "幸福里小区 南门" in window.windowTitle()
    tasks = {name for name, _label, _slot in window.features["admin"].tasks()}
    assert {"pair", "usb", "pin"} <= tasks
    assert "roster" in window.action_bar.buttons


def test_a_pairing_qr_read_by_the_camera_fills_the_code_and_pairs_at_the_end(qtbot, session):
    from app.sync.identity import enrolment_text

    window = session.window
    wiz = window.test_wizard
    pairs = []
    requested = window.features["sync"].widget.enrolRequested
    requested.disconnect()  # no real pairing attempt on the network from a test
    requested.connect(pairs.append)
    sync = wiz.pages["sync"]
    wiz.state.step = 3  # the sync step (the earlier ones have their own test)
    wiz._show()
    code = enrolment_text("http://192.168.1.20:8750", "AB-CD")
    wiz.preview.pairing.emit(code)  # not chosen yet: a code shown by chance is not taken
    assert sync.code.text() == ""
    qtbot.mouseClick(sync.choices["scan"], Qt.MouseButton.LeftButton)
    assert sync.preview.isVisible() and sync.code.isReadOnly()
    wiz.preview.pairing.emit(code)  # what the camera thread sends for a pairing QR
    assert sync.code.text() == code
    assert sync.status.text() == "已读到配对码：http://192.168.1.20:8750"
    wiz.state.checkpoint_name, wiz.state.pin_later, wiz.state.camera_source = "北门", True, "demo"
    qtbot.mouseClick(wiz.next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(wiz.next_button, Qt.MouseButton.LeftButton)  # roster: later
    assert wiz.result() == QDialog.DialogCode.Accepted
    assert pairs == [code]  # handed to the sync feature, which pairs off the GUI thread
    assert Settings(window.service.gdb.conn).get("sync_mode") == "server"
