"""The #5 features inside the real gate window: sign-in, handover, guards, purge message."""

from __future__ import annotations

import pytest

from app.gate.service import Identity

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


@pytest.fixture
def features(qtbot, window):
    from ui.shift_wiring import install_shift_features

    pins = []
    driver = Driver(sign_in_as("王阿姨"))

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
    return f


def test_window_asks_for_sign_in_and_shows_the_volunteer(features, window):
    assert features.test_driver.opened == ["SignInDialog"]
    assert "王阿姨" in window.volunteer_label.text()
    assert [b.text() for b in features.buttons.values()] == ["交班", "值班日志", "统计", "导出"]


def test_handover_then_incoming_sign_in_from_the_change_button(features, window, service):
    features.test_driver.steps += [confirm_handover("一切正常"), sign_in_as("李叔")]
    window.change_volunteer.click()
    assert features.test_driver.opened == ["SignInDialog", "HandoverDialog", "SignInDialog"]
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
    window.open_settings = lambda: calls.append("settings")
    window.override_yellow = lambda: calls.append("override")
    window.settings_button.click()
    assert calls == ["settings"] and features.test_pins == []  # no PIN set yet: first run
    features.officer.set_pin("2468")
    features.test_pins_given.append("1111")
    window.settings_button.click()
    assert calls == ["settings"]  # wrong PIN: nothing opened
    window.current = {
        "code_color": "yellow",
        "payload_kind": None,
        "payload_text": "y",
        "identity": Identity(),
        "override_reason": None,
    }
    features.test_pins_given.append("2468")
    features.guarded_override()
    assert calls == ["settings", "override"]
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
