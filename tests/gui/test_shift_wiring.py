"""The #5 features inside the real gate window: sign-in, handover, guards, purge message."""

from __future__ import annotations

import pytest

from app.gate.service import Identity
from tests.fakes.dialogs import new_pin

pytestmark = pytest.mark.gui


class Driver:
    """Stands in for exec(): answers each dialog the window opens, in order."""

    def __init__(self, *steps):
        self.steps = list(steps)
        self.opened = []

    def __call__(self, dlg):
        self.opened.append(type(dlg).__name__)
        self.steps.pop(0)(dlg)


def sign_in_as(name):
    def step(dlg):
        dlg.name.setText(name)
        dlg.sign_in.click()

    return step


def confirm_handover(note):
    def step(dlg):
        dlg.notes.setPlainText(note)
        dlg.confirm.click()

    return step


def skip_set_pin(dlg):
    dlg.reject()


@pytest.fixture
def features(qtbot, window):
    from ui.shifts.feature import install_shift_features

    pins = []
    driver = Driver(skip_set_pin, sign_in_as("王阿姨"))

    def ask_pin(parent, officer, action, detail):
        pins.append(action)
        try:
            officer.authorize(pins_given.pop(0), action, detail)
        except Exception:
            return False
        return True

    pins_given: list[str] = []
    f = install_shift_features(window, ask_pin=ask_pin, open_dialog=driver)
    f.test_driver, f.test_pins, f.test_pins_given = driver, pins, pins_given
    qtbot.waitUntil(lambda: f.shifts.current() is not None, timeout=3000)
    qtbot.waitUntil(lambda: f.purge_task is None, timeout=5000)  # the start's purge (runner)
    return f


def test_window_asks_for_sign_in_and_shows_the_volunteer(features, window):
    assert features.test_driver.opened == ["SetPinDialog", "SignInDialog"]
    assert "王阿姨" in window.volunteer_label.text()
    assert [b.text() for b in features.buttons.values()] == [
        "交班 F7",
        "值班日志 F8",
        "统计 F9",
        "导出 F10",
    ]


def test_handover_then_incoming_sign_in_from_the_change_button(features, window, service):
    features.test_driver.steps += [confirm_handover("一切正常"), sign_in_as("李叔")]
    window.change_volunteer.click()
    assert features.test_driver.opened[1:] == ["SignInDialog", "HandoverDialog", "SignInDialog"]
    assert features.shifts.current().volunteer == "李叔"
    assert features.shifts.pending_handover() is None  # acknowledged on sign-in
    assert "李叔" in window.volunteer_label.text()


def test_handing_over_leaves_the_gate_visibly_unstaffed(features, window):
    features.test_driver.steps.append(confirm_handover(""))
    features.handover()
    assert features.shifts.current() is None
    assert "未签到" in window.volunteer_label.text()


def test_settings_and_yellow_override_need_the_officer(features, window):
    calls = []
    window.asker.settings = lambda values, lang: calls.append("settings")
    window.settings_button.click()
    assert calls == ["settings"] and features.test_pins == []  # no PIN set yet: first run
    features.officer.set_pin("246810")
    features.test_pins_given.append("1111")
    window.settings_button.click()
    assert calls == ["settings"]  # wrong PIN: nothing opened
    window.handle_payload("https://jkm.example.invalid/v?t=YELLOW-1", "yellow")
    features.test_pins_given.append("246810")
    window.asker.answers = [("other", "社区证明已核实")]
    window.override_yellow()
    assert window.current.override_reason == "社区证明已核实"
    actions = [r["action"] for r in features.officer.audit_log()]
    assert actions == [
        "purge",
        "pin_set",
        "pin_failed",
        "pin_ok",
        "yellow_override",
    ]  # purge: daily run at start


def test_stats_and_log_open_from_the_window(features, qtbot):
    features.statistics()
    qtbot.addWidget(features.stats)
    assert features.stats.isVisible() and len(features.stats.daily) == 14

    def write(dlg):
        dlg.text.setText("检查组来访")
        dlg.add()

    features.test_driver.steps.append(write)
    features.shift_log()
    assert [e["text"] for e in features.shifts.summary().log] == ["检查组来访"]


def test_first_run_sets_the_officer_pin(qtbot, window):
    from ui.shifts.feature import install_shift_features

    driver = Driver(new_pin("246810", "2469"), sign_in_as("王阿姨"))
    f = install_shift_features(window, open_dialog=driver)
    qtbot.waitUntil(lambda: f.shifts.current() is not None, timeout=3000)
    assert f.officer.has_pin() and f.officer.verify("246810")


def test_old_unsynced_data_waits_for_the_officer_then_purges(qtbot, window, service):
    from datetime import datetime, timedelta, timezone

    from app.clock import FakeClock
    from app.gate.service import GateService, PassageDraft
    from app.officer import OfficerAuth
    from ui.shifts.feature import install_shift_features

    old = GateService(
        service.gdb, FakeClock(datetime(2026, 10, 1, 9, 0, tzinfo=timezone(timedelta(hours=8))))
    )
    old.record(PassageDraft(code_color="green", payload_text="x", temperature="36.5"))
    OfficerAuth(service.gdb, service.clock).set_pin("246810")
    given = []
    f = install_shift_features(
        window,
        open_dialog=Driver(sign_in_as("王阿姨")),
        verify_pin=lambda parent, officer: given.pop(0) if officer.verify(given[0]) else None,
    )
    qtbot.waitUntil(lambda: f.shifts.current() is not None, timeout=3000)  # sign-in done
    # the purge runs off the GUI thread: its warning arrives when it has looked
    qtbot.waitUntil(lambda: f.purge_button.isVisibleTo(window), timeout=5000)
    assert "尚未同步" in window.message.text()
    given.append("246810")
    with qtbot.waitSignal(f.purged, timeout=10000) as blocker:
        f.confirm_purge()
    assert blocker.args[0]["counts"]["passages"] == 1
    assert not f.purge_button.isVisibleTo(window)
    assert service.conn.execute("SELECT count(*) FROM passages").fetchone()[0] == 0
    assert [r["action"] for r in f.officer.audit_log()][-2:] == ["delete", "purge"]


def test_function_keys_open_the_features(features, window, qtbot):
    from PySide6.QtCore import Qt

    features.test_driver.steps.append(lambda dlg: dlg.reject())
    qtbot.keyClick(window, Qt.Key.Key_F8)
    assert features.test_driver.opened[-1] == "ShiftLogDialog"
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.addWidget(features.stats)
    assert features.stats.isVisible()


def _record(service, name, idn, clock):
    from app.gate.service import PassageDraft

    ident = Identity(method="id_number", person_name=name, id_number=idn)
    out = service.record(
        PassageDraft(code_color="green", payload_text=idn, temperature="36.5", identity=ident)
    )
    clock.advance(30)
    return out.record


def _person_cells(window):
    return [window.recent.item(r, 3).text() for r in range(window.recent.rowCount())]


def test_unmasked_view_needs_the_pin_is_audited_and_masks_itself(
    features, window, service, clock, qtbot
):
    _record(service, "张三丰", "11010519491231002X", clock)
    window.refresh()
    actions = features.recent_actions
    actions.unmask_button.click()
    assert "尚未设置干部密码" in window.message.text()  # no PIN: no unguarded unmasking
    assert window.recent.masked and "11010519491231002X" not in _person_cells(window)[0]
    features.officer.set_pin("246810")
    features.test_pins_given.append("1111")
    actions.unmask_button.click()
    assert window.recent.masked and features.test_pins == ["unmasked_view"]
    actions.seconds = 0.2  # the real view lasts 60 s; the test waits for a shorter one
    features.test_pins_given.append("246810")
    actions.unmask_button.click()
    assert not window.recent.masked
    assert _person_cells(window) == ["张三丰 11010519491231002X"]
    assert actions.unmask_button.text() == "隐藏"
    audit = [r for r in features.officer.audit_log() if r["action"] == "unmasked_view"]
    assert len(audit) == 1 and "recent_passages" in audit[0]["detail"]
    window.refresh()  # the minute tick keeps the chosen view while it lasts
    assert "11010519491231002X" in _person_cells(window)[0]
    qtbot.waitUntil(lambda: window.recent.masked, timeout=3000)
    assert "11010519491231002X" not in _person_cells(window)[0]
    assert "张" in _person_cells(window)[0] and "张三丰" not in _person_cells(window)[0]
    assert "已重新隐藏" in window.message.text()


def test_unmasked_view_can_be_masked_again_by_hand(features, window, service, clock):
    _record(service, "张三丰", "11010519491231002X", clock)
    window.refresh()
    features.officer.set_pin("246810")
    features.test_pins_given.append("246810")
    features.recent_actions.unmask_button.click()
    assert not window.recent.masked and features.recent_actions.timer.isActive()
    features.recent_actions.unmask_button.click()  # 隐藏: no PIN needed to mask
    assert window.recent.masked and not features.recent_actions.timer.isActive()
    assert features.test_pins == ["unmasked_view"]


def _select(window, passage_id):
    for r in range(window.recent.rowCount()):
        if window.recent.item(r, 0).data(256) == passage_id:  # Qt.UserRole
            window.recent.selectRow(r)
            return
    raise AssertionError("row not shown")


def test_void_selected_older_record_needs_the_pin(features, window, service, clock):
    old = _record(service, "张三丰", "11010519491231002X", clock)
    last = _record(service, "李四", "110105194912310037", clock)
    window.refresh()
    actions = features.recent_actions
    actions.void_button.click()
    assert window.message.text() == "请先在最近记录中选中一条"
    features.officer.set_pin("246810")
    _select(window, old["id"])
    assert window.recent.selected_id() == old["id"]
    window.asker.answers.append(("void_duplicate", ""))
    features.test_pins_given.append("0000")
    actions.void_button.click()
    assert features.test_pins == ["void_older"]
    assert service.conn.execute("SELECT count(*) FROM voids").fetchone()[0] == 0
    window.asker.answers.append(("void_duplicate", ""))
    features.test_pins_given.append("246810")
    actions.void_button.click()
    void = service.conn.execute("SELECT * FROM voids").fetchone()
    assert void["target_id"] == old["id"] and void["reason"] == "重复登记"
    audit = [r for r in features.officer.audit_log() if r["action"] == "void_older"]
    assert len(audit) == 1 and old["id"] in audit[0]["detail"] and "重复登记" in audit[0]["detail"]
    assert "已撤销" in window.message.text()
    # a second void of the same row is refused before any question is asked
    _select(window, old["id"])
    actions.void_button.click()
    assert window.message.text() == "这条记录已撤销过" and features.test_pins == ["void_older"] * 2
    # the last record is the volunteer's to void, without the PIN
    _select(window, last["id"])
    window.asker.answers.append(("void_wrong_entry", ""))
    actions.void_button.click()
    assert features.test_pins == ["void_older"] * 2
    assert service.conn.execute("SELECT count(*) FROM voids").fetchone()[0] == 2


def test_first_run_asks_the_pin_then_the_sign_in_never_stacked(qtbot, window):
    """The officer's PIN first, then the volunteer's sign-in, one after the other (a real
    dialog's exec() runs an event loop: the sign-in must not open on top of the PIN)."""
    from PySide6.QtCore import QEventLoop, QTimer

    from ui.shifts.feature import install_shift_features

    driver = None

    def set_pin(dlg):
        loop = QEventLoop()  # what exec() runs while the officer types
        QTimer.singleShot(100, loop.quit)
        loop.exec()
        assert driver.opened == ["SetPinDialog"]
        dlg.first.setText("246810")
        dlg.second.setText("246810")
        dlg.try_accept()

    driver = Driver(set_pin, sign_in_as("王阿姨"))
    f = install_shift_features(window, open_dialog=driver)
    qtbot.waitUntil(lambda: f.shifts.current() is not None, timeout=3000)
    assert driver.opened == ["SetPinDialog", "SignInDialog"]
