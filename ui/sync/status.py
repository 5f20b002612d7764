"""Sync status for the gate window's status bar: online/offline, waiting, last sync, last error,
and a 立即同步 button.

Sync is a chain of short attempts (#12): each is `SyncService.attempt()` on the background
runner (one connection try, batches until a deadline); a single-shot QTimer schedules the next:
at once while a backlog remains, after `online_interval_ms` while all is well (so a server that
goes away shows as 离线 within seconds), after the client's backoff (2 s … 10 min, Retry-After
honoured) while it cannot be reached. Nothing here waits on the network on the GUI thread.

Embed: `w = SyncStatusWidget(sync_service, lang="zh"); statusBar().addPermanentWidget(w)`;
call `w.shutdown()` when the window closes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.errors import KnownError
from app.i18n import t
from app.sync.backoff import Backoff
from app.sync.service import Attempt, SyncService
from app.sync.state import SyncStatus, describe
from ui.common.runner import Task, TaskContext, run_in_background


class SyncStatusWidget(QWidget):
    attemptFinished = Signal(object)  # app.sync.service.Attempt, after the labels show it
    statusShown = Signal(object)  # app.sync.state.SyncStatus
    enrolled = Signal(str)  # the server paired with
    enrolFailed = Signal(str)  # words for the volunteer
    enrolRequested = Signal(str)  # a pairing QR text (scanned or pasted)

    def __init__(
        self,
        service: SyncService,
        lang: str = "zh",
        online_interval_ms: int = 5_000,
        refresh_interval_ms: int = 5_000,
        budget_s: float = 20.0,
        backoff: Backoff | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.lang = lang
        self.service = service
        self.online_interval_ms = online_interval_ms
        self.budget_s = budget_s
        self.backoff = backoff or Backoff(sleep=lambda _s: None)  # only its delays are used
        self.last_report: Any = None
        self.last_status: SyncStatus | None = None
        self.attempt_task: Task | None = None
        self.refresh_task: Task | None = None
        self.again_now = False  # 立即同步 pressed during an attempt: another one right after
        self.manual = False  # the attempt running was asked for by a person
        self.closed = False
        self.next_delay_ms: int | None = None  # when the timer's next attempt is due (tests)
        # 不联网（用U盘）chosen (#16, setting sync_mode): no attempts by the timer and no 离线
        # in amber; 立即同步 still tries (the gate may have been paired meanwhile)
        self.usb_mode: Callable[[], bool] = lambda: False

        self.state_label = QLabel()
        self.waiting_label = QLabel()
        self.last_label = QLabel()
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020;")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(120)
        self.progress.hide()
        self.button = QPushButton(t("sync_now", lang))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        for w in (
            self.state_label,
            self.waiting_label,
            self.last_label,
            self.error_label,
            self.progress,
            self.button,
        ):
            layout.addWidget(w)
        self.button.clicked.connect(self.sync_now)
        self.enrolRequested.connect(self.enrol)

        self.next_timer = QTimer(self)
        self.next_timer.setSingleShot(True)
        self.next_timer.timeout.connect(self._timer_attempt)
        if online_interval_ms > 0:
            self._schedule(min(online_interval_ms, 2_000))  # soon after start
        self.refresh_timer = QTimer(self)
        self.refresh_timer.timeout.connect(self.refresh)
        if refresh_interval_ms > 0:
            self.refresh_timer.start(refresh_interval_ms)
        self.refresh()

    # ------------------------------------------------------------------ attempts
    @property
    def busy(self) -> bool:
        return self.attempt_task is not None

    def _schedule(self, delay_ms: int) -> None:
        if self.closed or self.online_interval_ms <= 0 and not self.again_now:
            return
        self.next_delay_ms = max(0, int(delay_ms))
        self.next_timer.start(self.next_delay_ms)

    @Slot()
    def _timer_attempt(self) -> None:
        if self.usb_mode():
            self._schedule(self.online_interval_ms)  # asked again later: 设置 may change it
            return
        self.start_attempt(manual=False)

    @Slot()
    def sync_now(self) -> None:
        """立即同步: try now; while offline the reason is shown at once, not after a wait."""
        status = self.last_status
        if status is not None and not status.online and status.last_error == "sync_offline":
            self._show_cannot_connect(status.last_error_detail or "")
        if self.busy:
            self.again_now = True
            return
        self.start_attempt(manual=True)

    def start_attempt(self, manual: bool) -> None:
        if self.closed or self.busy:
            return
        self.next_timer.stop()
        self.manual = manual
        if manual:
            self.button.setEnabled(False)
            self.button.setText(t("sync_running", self.lang))
            self.progress.setRange(0, 0)
            self.progress.show()
        budget, service = self.budget_s, self.service

        def work(ctx: TaskContext) -> Attempt:
            return service.attempt(ctx.progress, ctx.cancelled, budget_s=budget, auto=not manual)

        self.attempt_task = run_in_background(
            work,
            on_done=self._attempt_done,
            on_error=self._attempt_failed,
            on_progress=self.show_progress,
            on_cancelled=self._attempt_over,
            lang=self.lang,
            parent=self,
            name="sync attempt",
        )

    def _attempt_over(self) -> None:
        self.attempt_task = None
        self.button.setEnabled(True)
        self.button.setText(t("sync_now", self.lang))
        self.progress.hide()

    def _attempt_done(self, attempt: Attempt) -> None:
        manual = self.manual
        self._attempt_over()
        if self.closed:
            return
        report = attempt.report
        self.last_report = report
        self.show_status(attempt.status)
        if manual and report.error == "sync_offline":
            self._show_cannot_connect(report.error_detail or "")
        self.attemptFinished.emit(attempt)
        if self.again_now:
            self.again_now = False
            self.start_attempt(manual=True)
        elif report.ok and report.more:
            self._schedule(0)
        elif report.ok or attempt.skipped:
            self.backoff.reset()
            self._schedule(self.online_interval_ms)
        elif report.error == "sync_offline":
            self._schedule(int(self.backoff.next_delay(report.retry_after) * 1000))
        else:  # refused, a bad event, not paired: try again at the ordinary pace
            self._schedule(self.online_interval_ms)

    def _attempt_failed(self, text: str, exc: BaseException) -> None:
        self._attempt_over()
        if self.closed:
            return
        self.error_label.setText(text)
        self.error_label.setToolTip("" if isinstance(exc, KnownError) else repr(exc))
        self._schedule(int(self.backoff.next_delay() * 1000))

    def _show_cannot_connect(self, reason: str) -> None:
        self.error_label.setText(t("sync_cannot_connect", self.lang, reason=reason))
        self.error_label.setToolTip(reason)

    # ------------------------------------------------------------------ pairing
    @Slot(str)
    def enrol(self, text: str) -> None:
        """Pair off the GUI thread; unreachable: the code is kept and the next attempt pairs."""
        service = self.service
        run_in_background(
            lambda ctx: service.enrol_or_keep(text),
            on_done=self._enrol_done,
            on_error=self._enrol_failed,
            lang=self.lang,
            parent=self,
            name="sync pairing",
        )

    def _enrol_done(self, ident: Any) -> None:
        if self.closed:
            return
        self.error_label.setText("")
        server = str(ident.server_url)
        self.last_label.setText(t("enrol_done", self.lang, server=server))
        self.enrolled.emit(server)
        if self.busy:
            self.again_now = True
        else:
            self.start_attempt(manual=False)

    def _enrol_failed(self, text: str, exc: BaseException) -> None:
        if self.closed:
            return
        self.error_label.setText(text)
        self.enrolFailed.emit(text)
        if isinstance(exc, KnownError) and exc.code == "enrol_kept_for_later":
            self.backoff.reset()
            self._schedule(int(self.backoff.next_delay() * 1000))

    # ------------------------------------------------------------------ status
    @Slot()
    def refresh(self) -> None:
        """Re-read the local status (new records waiting) without touching the network."""
        if self.closed or self.refresh_task is not None:
            return
        service = self.service

        def done(status: SyncStatus) -> None:
            self.refresh_task = None
            if not self.closed and not self.busy:
                self.show_status(status)

        def failed(text: str, exc: BaseException) -> None:
            self.refresh_task = None
            if not self.closed:
                self.error_label.setText(text)

        self.refresh_task = run_in_background(
            lambda ctx: service.status(),
            on_done=done,
            on_error=failed,
            on_cancelled=lambda: setattr(self, "refresh_task", None),
            lang=self.lang,
            parent=self,
            name="sync status",
        )

    def set_lang(self, lang: str) -> None:
        """Re-label in another language; the status words follow at once."""
        self.lang = lang
        if self.button.isEnabled():
            self.button.setText(t("sync_now", lang))
        if self.last_status is not None:
            self.show_status(self.last_status)

    @Slot(int, int)
    def show_progress(self, done: int, total: int) -> None:
        if total <= 0:
            return
        self.progress.show()
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    @Slot(object)
    def show_status(self, status: SyncStatus) -> None:
        self.last_status = status
        words = describe(status, self.lang, self.service.clock.now())
        usb = not status.online and self.usb_mode()
        self.state_label.setText(t("sync_mode_usb", self.lang) if usb else words["state"])
        style = "color: #1b7f3b;" if status.online else "color: #8a6d00;"
        self.state_label.setStyleSheet("color: #455a64;" if usb else style)
        # the reason on hover: what the last attempt met (a refused connection, a timeout …)
        why = status.last_error_detail or words["error"]
        self.state_label.setToolTip("" if status.online else why)
        self.waiting_label.setText(words["waiting"])
        self.last_label.setText(words["last"])
        self.error_label.setText(words["error"])
        self.error_label.setToolTip(status.last_error_detail or "")
        self.statusShown.emit(status)

    def shutdown(self) -> None:
        """Stop the timers and cancel what runs (an attempt ends at its next batch)."""
        self.closed = True
        self.next_timer.stop()
        self.refresh_timer.stop()
        for task in (self.attempt_task, self.refresh_task):
            if task is not None:
                task.cancel()
