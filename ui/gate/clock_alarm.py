"""系统时间异常 in the window (#17): the gate's clock guard asked on start and every minute; a
red mark in the tool row while the clock is in doubt, and the message says what to do."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QLabel

from app.gate.clock_guard import ClockStatus, describe
from app.i18n import t
from ui.common.style import show_as_error

CHECK_MS = 60_000


class ClockAlarm(QObject):
    def __init__(self, window: Any, interval_ms: int = CHECK_MS) -> None:
        super().__init__(window)
        self.window = window
        self.guard = window.service.clock_guard
        self.mark = QLabel()
        self.mark.setObjectName("clock_alarm")
        show_as_error(self.mark)
        self.mark.hide()
        window.add_tool_widget(self.mark)
        window.retranslate_hooks.append(self.retranslate)
        self.status = ClockStatus(False)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)
        self.check()

    @Slot()
    def check(self) -> None:
        before, self.status = self.status, self.guard.check()
        self.retranslate(self.window.lang)
        if self.status.suspect and not before.suspect:  # said once, when it starts
            self.window.show_message(describe(self.status, self.window.lang), error=True)

    def retranslate(self, lang: str) -> None:
        self.mark.setVisible(self.status.suspect)
        self.mark.setText("⚠ " + t("clock_alarm_mark", lang))
        self.mark.setToolTip(describe(self.status, lang) if self.status.suspect else "")


def attach_clock_alarm(window: Any) -> ClockAlarm:
    alarm = ClockAlarm(window)
    window.features["clock"] = alarm
    return alarm
