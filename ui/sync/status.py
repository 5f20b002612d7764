"""Sync status for the gate window's status bar: online/offline, waiting, last sync, last error,
and a 立即同步 button. Sync runs in a QObject worker on its own QThread: it never blocks the gate.

Embed: `w = SyncStatusWidget(sync_service, lang="zh"); statusBar().addPermanentWidget(w)`;
call `w.shutdown()` when the window closes.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.i18n import t
from app.sync.service import SyncService
from app.sync.state import describe


class SyncWorker(QObject):
    """Lives on the sync thread; every slot runs there."""

    progress = Signal(int, int)
    finished = Signal(object)  # SyncReport
    status = Signal(object)  # SyncStatus
    failed = Signal(str)  # a bug's text; the gate keeps running
    enrolled = Signal(str)  # the server paired with
    enrol_failed = Signal(str)  # words for the volunteer

    def __init__(self, service: SyncService) -> None:
        super().__init__()
        self.service = service
        self.stop_event = threading.Event()
        self.wake_event = threading.Event()  # 立即同步 during a backoff wait: retry now
        self.busy = False
        self.lang = "zh"

    def _cancelled(self) -> bool:
        return self.stop_event.is_set()

    def _sleep(self, seconds: float) -> None:
        # a cancel (which also sets wake_event) or a press of 立即同步 ends the wait at once
        self.wake_event.wait(seconds)
        self.wake_event.clear()

    def _progress(self, done: int, total: int) -> None:
        self.progress.emit(done, total)

    @Slot()
    def run_sync(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.stop_event.clear()
        try:
            report = self.service.sync_now(self._progress, self._cancelled, self._sleep)
            self.finished.emit(report)
        except Exception as exc:  # a bug: report it, never take the gate down
            self.failed.emit(f"{exc.__class__.__name__}: {exc}")
        finally:
            self.busy = False
            self.refresh()

    @Slot()
    def run_auto(self) -> None:
        """A scheduled run; skipped after 401/403 until someone re-pairs or presses the button."""
        status = self.service.status()
        if status.enrolled and not status.stopped:
            self.run_sync()
        else:
            self.status.emit(status)

    @Slot(str)
    def enrol(self, text: str) -> None:
        """Pair with the server named in a QR text (scanned or pasted)."""
        from app.errors import KnownError

        try:
            ident = self.service.enrol(text)
        except KnownError as exc:
            self.enrol_failed.emit(exc.message(self.lang))
        except Exception as exc:
            self.failed.emit(f"{exc.__class__.__name__}: {exc}")
        else:
            self.enrolled.emit(str(ident.server_url))
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        try:
            self.status.emit(self.service.status())
        except Exception as exc:
            self.failed.emit(f"{exc.__class__.__name__}: {exc}")


class SyncStatusWidget(QWidget):
    syncRequested = Signal()
    autoRequested = Signal()
    refreshRequested = Signal()
    enrolRequested = Signal(str)

    def __init__(
        self,
        service: SyncService,
        lang: str = "zh",
        auto_interval_ms: int = 60_000,
        refresh_interval_ms: int = 5_000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.lang = lang
        self.service = service
        self.last_report: Any = None
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

        self.thread = QThread(self)
        self.thread.setObjectName("sync")
        self.worker = SyncWorker(service)
        self.worker.lang = lang
        self.worker.moveToThread(self.thread)
        self.syncRequested.connect(self.worker.run_sync)
        self.autoRequested.connect(self.worker.run_auto)
        self.refreshRequested.connect(self.worker.refresh)
        self.enrolRequested.connect(self.worker.enrol)
        self.worker.enrolled.connect(self.on_enrolled)
        self.worker.enrol_failed.connect(self.on_enrol_failed)
        self.worker.status.connect(self.show_status)
        self.worker.progress.connect(self.show_progress)
        self.worker.finished.connect(self.on_finished)
        self.worker.failed.connect(self.on_failed)
        self.button.clicked.connect(self.sync_now)
        self.thread.start()

        self.auto_timer = QTimer(self)
        self.auto_timer.timeout.connect(self._auto_tick)
        if auto_interval_ms > 0:
            self.auto_timer.start(auto_interval_ms)
            QTimer.singleShot(min(auto_interval_ms, 10_000), self._auto_tick)  # soon after start
        self.refresh_timer = QTimer(self)
        self.refresh_timer.timeout.connect(self.refreshRequested)
        if refresh_interval_ms > 0:
            self.refresh_timer.start(refresh_interval_ms)
        self.refreshRequested.emit()

    @Slot()
    def _auto_tick(self) -> None:
        if not self.worker.busy:  # a run still retrying keeps its own backoff; never pile up
            self.autoRequested.emit()

    @Slot()
    def sync_now(self) -> None:
        if self.worker.busy:  # waiting to retry: try again now instead of queueing another run
            self.worker.wake_event.set()
            return
        self.button.setEnabled(False)
        self.button.setText(t("sync_running", self.lang))
        self.progress.setRange(0, 0)
        self.progress.show()
        self.syncRequested.emit()

    def set_lang(self, lang: str) -> None:
        """Re-label in another language; the status words follow at the next refresh."""
        self.lang = lang
        if self.button.isEnabled():
            self.button.setText(t("sync_now", lang))
        self.refreshRequested.emit()

    @Slot(int, int)
    def show_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    @Slot(object)
    def show_status(self, status: Any) -> None:
        words = describe(status, self.lang, self.service.clock.now())
        self.state_label.setText(words["state"])
        self.state_label.setStyleSheet("color: #1b7f3b;" if status.online else "color: #8a6d00;")
        self.waiting_label.setText(words["waiting"])
        self.last_label.setText(words["last"])
        self.error_label.setText(words["error"])

    @Slot(object)
    def on_finished(self, report: Any) -> None:
        self.last_report = report
        self.button.setEnabled(True)
        self.button.setText(t("sync_now", self.lang))
        self.progress.hide()

    @Slot(str)
    def on_enrolled(self, server: str) -> None:
        self.error_label.setText("")
        self.last_label.setText(t("enrol_done", self.lang, server=server))

    @Slot(str)
    def on_enrol_failed(self, text: str) -> None:
        self.error_label.setText(text)

    @Slot(str)
    def on_failed(self, text: str) -> None:
        self.button.setEnabled(True)
        self.button.setText(t("sync_now", self.lang))
        self.progress.hide()
        self.error_label.setText(t("bug", self.lang))
        self.error_label.setToolTip(text)

    def shutdown(self) -> None:
        """Stop the timers, cancel a running sync (it ends at its next step), end the thread."""
        self.auto_timer.stop()
        self.refresh_timer.stop()
        self.worker.stop_event.set()
        self.worker.wake_event.set()
        self.thread.quit()
        self.thread.wait(30_000)
