"""Wire #5 into the gate window: duty sign-in and handover, shift log, statistics, export,
the officer PIN before guarded actions, and the daily retention purge.

One call from ui/app.py, `install_shift_features(window)`; it attaches through the window's
extension point (ui/common/features.py): actions F7–F10, guards, hooks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QDialog, QPushButton, QWidget

from app import officer as roles
from app.connections import thread_database
from app.errors import KnownError
from app.i18n import t
from app.officer import OfficerAuth
from app.reports.service import ReportService
from app.retention import RetentionService
from app.shifts.service import ShiftService
from app.sync.identity import load_identity
from ui.common.features import Action
from ui.common.runner import Task, TaskContext, run_guarded, run_in_background
from ui.common.style import show_as_error
from ui.officer.pin import OfficerPinDialog, SetPinDialog, VerifyPinDialog
from ui.officer.recent_actions import RecentActions
from ui.reports.export_dialog import ExportDialog
from ui.reports.pdf import render_pdf
from ui.reports.stats import StatsView
from ui.shifts.dialogs import HandoverDialog, ShiftLogDialog, SignInDialog

log = logging.getLogger(__name__)
# (window, officer, action, detail) -> True when authorised (and audited)
PinAsker = Callable[[QWidget, Any, str, dict[str, Any]], bool]
# (window, officer) -> the PIN when it verified, else None (used for the purge)
PinVerifier = Callable[[QWidget, Any], "str | None"]


def verify_pin_dialog(parent: QWidget, officer: Any) -> str | None:
    dlg = VerifyPinDialog(officer, roles.DELETE, {}, getattr(parent, "lang", "zh"), parent)
    if dlg.exec() == QDialog.DialogCode.Accepted:
        return str(dlg.pin_value)
    return None


def ask_pin_dialog(parent: QWidget, officer: Any, action: str, detail: dict[str, Any]) -> bool:
    dlg = OfficerPinDialog(officer, action, detail, getattr(parent, "lang", "zh"), parent)
    return dlg.exec() == QDialog.DialogCode.Accepted


class ShiftFeatures(QObject):
    """Owns the #5 services for one window and the buttons/shortcuts that open the dialogs."""

    purged = Signal(object)  # a purge ended: its result, or None when it did not run

    def __init__(
        self,
        window: Any,
        ask_pin: PinAsker | None = None,
        open_dialog: Callable[[QDialog], Any] | None = None,
        verify_pin: PinVerifier | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        gdb, clock = window.service.gdb, window.service.clock
        self.shifts = ShiftService(gdb, clock)
        self.reports = ReportService(gdb, clock, pdf_renderer=render_pdf, signer=load_identity)
        self.officer = OfficerAuth(gdb, clock)
        self.retention = RetentionService(gdb, clock, guard=window.service.clock_guard)
        self.purge_task: Task | None = None
        self.ask_pin = ask_pin or ask_pin_dialog
        self.verify_pin = verify_pin or verify_pin_dialog
        self.open_dialog = open_dialog or (lambda dlg: dlg.exec())
        self.stats: StatsView | None = None
        self.buttons: dict[str, QPushButton] = {}
        for n, (key, slot) in enumerate(
            (
                ("shift_end", self.handover),  # F6 is the roster (#4)
                ("shift_log", self.shift_log),
                ("stats_title", self.statistics),
                ("export", self.export),
            )
        ):
            label = {
                "stats_title": "stats_button",
                "shift_log": "shift_log_button",
                "shift_end": "shift_end_button",
            }.get(key, key)
            action = Action(f"shift_{key}", label, slot, f"F{7 + n}")
            self.buttons[key] = window.add_action(action)
        # shown only while a purge waits for the officer (unsynced or unexported data)
        self.purge_button = QPushButton(t("purge_button", window.lang))
        self.purge_button.setToolTip(t("purge_confirm", window.lang))
        self.purge_button.setObjectName("shift_purge")
        self.purge_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        show_as_error(self.purge_button)
        self.purge_button.clicked.connect(self.confirm_purge)
        self.purge_button.hide()
        window.add_tool_widget(self.purge_button)
        # no PIN (put off in the first-run wizard, #16): red in the status bar until it is set;
        # a click sets it, and so does every guarded action before it goes on
        self.pin_status = QPushButton(t("pin_not_set_status", window.lang))
        self.pin_status.setObjectName("pin_not_set")
        self.pin_status.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.pin_status.setStyleSheet("color: #ffffff; background: #c62828; font-weight: bold")
        self.pin_status.clicked.connect(lambda _=False: self.ensure_pin("pin_rule"))
        window.add_tool_widget(self.pin_status)
        self.update_pin_status()
        # "Change volunteer" becomes sign-in; yellow overrides and settings need the officer
        _rewire(window.change_volunteer, self.sign_in)
        window.guards["yellow_override"] = self.override_allowed
        window.guards["settings"] = self.settings_allowed
        window.guards["pin_set"] = self.ensure_pin  # other features' guarded actions (#16)
        # the recent list: 显示全部 (timed, PIN) and 撤销此条 (PIN unless it is the last record)
        self.recent_actions = RecentActions(
            window, self.officer, lambda *a: bool(self.ask_pin(*a)), ensure_pin=self.ensure_pin
        )
        window.retranslate_hooks.append(self.retranslate)
        self.purge_timer = QTimer(self)
        self.purge_timer.timeout.connect(self.daily_purge)
        self.purge_timer.start(3600 * 1000)

    def retranslate(self, lang: str) -> None:
        self.pin_status.setText(t("pin_not_set_status", lang))
        self.purge_button.setText(t("purge_button", lang))
        self.purge_button.setToolTip(t("purge_confirm", lang))
        self.recent_actions.retranslate()

    def _safe(self, fn: Callable[[], Any]) -> Any:
        return run_guarded(self.window, fn, self.window.lang)

    def _changed(self) -> None:
        self.window._update_volunteer()
        self.window.refresh()

    @Slot()
    def sign_in(self) -> None:
        if self.shifts.current() is not None:
            self.handover()
            if self.shifts.current() is not None:
                return  # the outgoing volunteer did not confirm
        dlg = SignInDialog(self.shifts, self.window.lang, self.window)
        self._safe(lambda: self.open_dialog(dlg))
        self._changed()

    @Slot()
    def handover(self) -> None:
        if self.shifts.current() is None:
            self.window.show_message(t("gate_unstaffed", self.window.lang), error=True)
            return
        dlg = HandoverDialog(self.shifts, self.window.lang, self.window)
        self._safe(lambda: self.open_dialog(dlg))
        self._changed()

    @Slot()
    def shift_log(self) -> None:
        self._safe(
            lambda: self.open_dialog(ShiftLogDialog(self.shifts, self.window.lang, self.window))
        )

    @Slot()
    def statistics(self) -> None:
        if self.stats is None:
            self.stats = StatsView(self.reports, self.window.lang)
            self.stats.resize(900, 640)
        else:
            self._safe(self.stats.refresh)
        self.stats.show()
        self.stats.raise_()

    @Slot()
    def export(self) -> None:
        if not self.ensure_pin():
            return
        self._safe(
            lambda: self.open_dialog(ExportDialog(self.reports, self.window.lang, self.window))
        )

    def update_pin_status(self) -> None:
        self.pin_status.setVisible(not self.officer.has_pin())

    def ensure_pin(self, why: str = "pin_set_first") -> bool:
        """True when the officer PIN is set; when not, the set-PIN dialog first (in the window,
        never a command to run). False when the officer cancels it."""
        if not self.officer.has_pin():
            dlg = SetPinDialog(self.officer, self.window.lang, self.window, why)
            self._safe(lambda: self.open_dialog(dlg))
            self.update_pin_status()
            done = self.officer.has_pin()
            self.window.show_message(
                t("pin_set_done" if done else "pin_not_set", self.window.lang), error=not done
            )
        return self.officer.has_pin()

    def _authorised(self, action: str, detail: dict[str, Any]) -> bool:
        if not self.officer.has_pin():
            if not self.ensure_pin():
                return False
            self.officer.audit(action, detail)  # the PIN was just chosen by the one asking
            return True
        return bool(self.ask_pin(self.window, self.officer, action, detail))

    def override_allowed(self) -> bool:
        """The officer's PIN before a yellow code passes (asked by the desk's override dialog,
        which is bound to the person it was opened for)."""
        return self._authorised(roles.YELLOW_OVERRIDE, {"volunteer": self.window.service.volunteer})

    def settings_allowed(self) -> bool:
        return self._authorised(roles.SETTINGS_CHANGE, {})

    def _purge(self, pin: str | None) -> None:
        """The purge reads and deletes a year's worth of rows: on the runner, on its own
        connection; the outcome comes back to the window."""
        if self.purge_task is not None:
            return
        gdb, clock = self.window.service.gdb, self.window.service.clock

        def work(ctx: TaskContext) -> dict[str, Any] | None:
            own = thread_database(gdb)
            try:
                return RetentionService(own, clock).run_daily(pin=pin)
            finally:
                own.close()

        self.purge_task = run_in_background(
            work,
            on_done=lambda result: self._purged(result, pin is not None),
            on_error=lambda text, exc: self._purge_failed(text, exc, pin is not None),
            lang=self.window.lang,
            parent=self.window,
            name="retention purge",
        )

    def _purged(self, result: dict[str, Any] | None, confirmed: bool) -> None:
        self.purge_task = None
        if result is None:
            return
        done = result["counts"].get("passages", 0)
        if confirmed:
            self.purge_button.hide()
        if done or confirmed:
            self.window.show_message(
                t("purge_done", self.window.lang, cutoff=result["cutoff"], passages=done)
            )
        if confirmed:
            self.window.refresh()
        self.purged.emit(result)

    def _purge_failed(self, text: str, exc: BaseException, confirmed: bool) -> None:
        self.purge_task = None
        self.window.show_message(text, error=True)
        if not confirmed:  # the officer's button only while the warning stands
            self.purge_button.setVisible(
                isinstance(exc, KnownError) and exc.code == "purge_warning"
            )
        self.purged.emit(None)

    @Slot()
    def daily_purge(self) -> None:
        """Purge old records once a day; a warning (not a purge) when unsynced/unexported."""
        self._purge(None)

    @Slot()
    def confirm_purge(self) -> None:
        """The officer, warned, purges anyway: PIN, then the purge (audited as delete + purge)."""
        if not self.ensure_pin():
            return
        pin = self.verify_pin(self.window, self.officer)
        if pin is None:
            return
        self._purge(pin)

    @Slot()
    def first_run(self) -> None:
        """The volunteer on duty signs in, once nothing else is open: the first-run wizard
        (ui/setup/, which sets the officer PIN) runs first and the sign-in waits for it."""
        if QApplication.activeModalWidget() is not None:
            QTimer.singleShot(250, self, self._first_run_later)
            return
        self.update_pin_status()  # the wizard may have set it
        if self.shifts.current() is None:
            self.sign_in()

    @Slot()
    def _first_run_later(self) -> None:
        if self.window.isVisible():  # a window closed meanwhile has nobody to sign in
            self.first_run()


def _rewire(button: QPushButton, slot: Callable[[], Any]) -> None:
    """Point an existing window button at one of our slots instead of its own."""
    try:
        button.clicked.disconnect()
    except (RuntimeError, TypeError):
        pass
    button.clicked.connect(slot)


def install_shift_features(window: Any, **kw: Any) -> ShiftFeatures:
    """Add the #5 buttons and guards to the window, run the daily purge, and ask for a
    sign-in (right after the window shows) when nobody is on duty."""
    features = ShiftFeatures(window, **kw)
    window.features["shifts"] = features
    features.daily_purge()
    if features.shifts.current() is None:
        # after the wizard, never on top of it: keys typed for the wizard would land in the
        # sign-in form (first_run waits while a modal dialog is open)
        QTimer.singleShot(0, features, features.first_run)
    return features
