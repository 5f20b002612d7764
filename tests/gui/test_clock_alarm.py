"""#17: 系统时间异常 in the window when the clock jumps, with what to do; gone when it is right."""

import pytest

pytestmark = pytest.mark.gui


def test_window_raises_the_clock_alarm_and_clears_it(window, clock):
    from ui.gate.clock_alarm import attach_clock_alarm

    alarm = attach_clock_alarm(window)
    assert window.features["clock"] is alarm and alarm.timer.interval() == 60_000
    assert alarm.mark.isHidden()
    clock.jump(-365 * 86400)
    alarm.timer.timeout.emit()  # the minute's check
    assert alarm.mark.isVisible() and alarm.mark.text() == "⚠ 系统时间异常"
    text = window.message.text()
    assert text.startswith("系统时间异常：电脑时间突然跳变了") and "请主管把电脑时间改正" in text
    assert "跳变" in alarm.mark.toolTip()
    clock.jump(365 * 86400)
    alarm.check()
    assert alarm.mark.isHidden()
