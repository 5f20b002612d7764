"""Damage found and survived, in the window (#13 item 3).

A few seconds after start the full `integrity_check` and the outbox hash chain run in the
background (app.database.check_health on its own read-only connection), never delaying the
ready window. On damage the volunteer is told what it means (the gate keeps recording; call
the officer), a red mark stays in the tool row, and the audit log records it for the officer.
The officer salvages from 管理 F12 with the PIN: in the background, with a progress bar and a
cancel that leaves the file as it was (app.salvage.salvage_open).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QProgressDialog, QWidget

from app.database import HealthReport, check_health, health_warning
from app.i18n import t
from app.officer import OfficerAuth
from app.salvage import SalvageReport, salvage_open
from ui.common.runner import Task, TaskContext, run_in_background
from ui.common.style import show_as_error

log = logging.getLogger(__name__)
START_DELAY_MS = 3000  # after the window is up and the camera has started
PinVerifier = Callable[[QWidget, Any], "str | None"]


class DbHealth(QObject):
    def __init__(self, window: Any, delay_ms: int = START_DELAY_MS) -> None:
        super().__init__(window)
        self.window = window
        gdb = window.service.gdb
        self.path = Path(gdb.path)
        self.officer = OfficerAuth(gdb, window.service.clock)
        self.report: HealthReport | None = None
        self.damaged = False
        self.task: Task | None = None
        self.progress: QProgressDialog | None = None
        self.mark = QLabel()
        self.mark.setObjectName("db_damage")
        show_as_error(self.mark)
        self.mark.hide()
        window.add_tool_widget(self.mark)
        window.retranslate_hooks.append(self.retranslate)
        if gdb.salvage is not None:  # salvaged at this start: the officer's log says so
            self.officer.audit("db_salvaged", gdb.salvage.as_dict(), actor="system")
        QTimer.singleShot(delay_ms, self.check)

    # ------------------------------------------------------------------ the check
    def check(self) -> Task:
        path = self.path
        self.task = run_in_background(
            lambda _ctx: check_health(path, full=True),
            on_done=self._checked,
            lang=self.window.lang,
            parent=self.window,
            name="db-health",
        )
        return self.task

    def _checked(self, report: HealthReport) -> None:
        self.report = report
        log.info("background database check: ok=%s in %.1f s", report.ok, report.seconds)
        if report.ok:
            return
        self.damaged = True
        self.retranslate(self.window.lang)
        self.window.show_message(t("db_damage_found", self.window.lang), error=True)
        self.officer.audit(
            "db_damage_found",
            {
                "problems": report.problems[:10],
                "outbox_bad_seqs": report.outbox_bad_seqs[:100],
                "full": report.full,
            },
            actor="system",
        )

    def retranslate(self, lang: str) -> None:
        self.mark.setVisible(self.damaged)
        self.mark.setText("⚠ " + t("db_damage_mark", lang))
        detail = health_warning(self.report) if self.report is not None else None
        # on hover, what was found: how many problems, which outbox events
        self.mark.setToolTip(detail.message(lang) if self.damaged and detail else "")

    # ------------------------------------------------------------------ the salvage
    def salvage(self, verify_pin: PinVerifier) -> Task | None:
        """The officer's salvage from 管理: PIN, then check and salvage in the background."""
        if verify_pin(self.window, self.officer) is None:
            return None
        lang = self.window.lang
        dlg = QProgressDialog(t("admin_salvage_running", lang), t("cancel", lang), 0, 100)
        dlg.setParent(self.window, dlg.windowFlags())
        dlg.setObjectName("salvage_progress")
        dlg.setWindowModality(Qt.WindowModality.WindowModal)  # nobody records meanwhile
        dlg.setMinimumDuration(0)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        self.progress = dlg
        path = self.path

        def work(ctx: TaskContext) -> SalvageReport | None:
            if check_health(path, full=True).ok:
                return None
            return salvage_open(path, progress=ctx.progress, cancelled=ctx.cancelled)

        task = run_in_background(
            work,
            on_done=self._salvaged,
            on_error=self._failed,
            on_progress=self._progressed,
            on_cancelled=self._cancelled,
            lang=lang,
            parent=self.window,
            name="db-salvage",
        )
        dlg.canceled.connect(task.cancel)
        dlg.show()
        self.task = task
        return task

    def _progressed(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.setValue(done * 100 // max(total, 1))

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def _salvaged(self, report: SalvageReport | None) -> None:
        self._close_progress()
        lang = self.window.lang
        if report is None:
            self.window.show_message(t("admin_salvage_sound", lang))
            return
        self.officer.audit("db_salvaged", report.as_dict())
        self.damaged = False
        self.retranslate(lang)
        self.window.show_message(report.message().message(lang), error=True)
        refresh = getattr(self.window, "refresh", None)
        if callable(refresh):
            refresh()  # the recent list and counters from the salvaged file

    def _failed(self, text: str, _exc: BaseException) -> None:
        self._close_progress()
        self.window.show_message(text, error=True)

    def _cancelled(self) -> None:
        self._close_progress()
        self.window.show_message(t("admin_salvage_cancelled", self.window.lang))


def attach_db_health(window: Any, **kwargs: Any) -> DbHealth:
    health = DbHealth(window, **kwargs)
    window.features["health"] = health
    return health
