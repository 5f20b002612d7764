"""USB export: choose a folder, write and verify the bundle off the GUI thread; 可以拔出 only
after the read-back check passed. 导入回执 imports the server's signed ack from the stick, so
the events it acknowledges stop waiting (and the retention purge may drop them)."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from app.errors import KnownError
from app.i18n import t
from app.sync.ack import AckRefused
from app.sync.bundle import BundleCancelled
from app.sync.service import SyncService


class BundleWorker(QObject):
    progress = Signal(int, int)
    done = Signal(str)  # the verified bundle's path
    failed = Signal(str)  # words for the volunteer
    cancelled = Signal()
    ackDone = Signal(str)  # words: how far the server holds this gate
    ackFailed = Signal(str)  # words: why the ack was refused

    def __init__(self, service: SyncService, lang: str) -> None:
        super().__init__()
        self.service = service
        self.lang = lang
        self.stop_event = threading.Event()

    def _progress(self, done: int, total: int) -> None:
        self.progress.emit(done, total)

    @Slot(str)
    def export(self, folder: str) -> None:
        try:
            path = self.service.export_bundle(Path(folder), self._progress, self.stop_event.is_set)
        except BundleCancelled:
            self.cancelled.emit()
        except KnownError as exc:
            self.failed.emit(exc.message(self.lang))
        except Exception as exc:  # a bug: say so, the gate keeps working
            self.failed.emit(f"{t('bug', self.lang)} ({exc.__class__.__name__}: {exc})")
        else:
            self.done.emit(str(path))

    @Slot(str)
    def import_ack(self, path: str) -> None:
        try:
            result = self.service.import_ack(Path(path))
        except AckRefused as exc:
            self.ackFailed.emit(exc.text(self.lang))
        except Exception as exc:  # a bug: say so, the gate keeps working
            self.ackFailed.emit(f"{t('bug', self.lang)} ({exc.__class__.__name__}: {exc})")
        else:
            self.ackDone.emit(
                t("ack_imported", self.lang, seq=result.acked_seq, n=result.newly_acked)
            )


class BundleExportDialog(QDialog):
    exportRequested = Signal(str)
    ackRequested = Signal(str)

    def __init__(self, service: SyncService, lang: str = "zh", parent=None) -> None:
        super().__init__(parent)
        self.lang = lang
        self.folder: str | None = None
        self.result_path: str | None = None
        self.setWindowTitle(t("bundle_export", lang))
        self.folder_label = QLabel("—")
        self.choose_button = QPushButton(t("bundle_choose_folder", lang))
        self.export_button = QPushButton(t("bundle_export", lang))
        self.export_button.setEnabled(False)
        self.ack_button = QPushButton(t("ack_import", lang))
        self.cancel_button = QPushButton(t("cancel", lang))
        self.progress = QProgressBar()
        self.message = QLabel()
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.choose_button)
        row.addWidget(self.export_button)
        row.addWidget(self.ack_button)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.folder_label)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)

        self.thread = QThread(self)
        self.worker = BundleWorker(service, lang)
        self.worker.moveToThread(self.thread)
        self.exportRequested.connect(self.worker.export)
        self.ackRequested.connect(self.worker.import_ack)
        self.worker.ackDone.connect(self.on_ack_message)
        self.worker.ackFailed.connect(self.on_ack_message)
        self.worker.progress.connect(self.on_progress)
        self.worker.done.connect(self.on_done)
        self.worker.failed.connect(self.on_failed)
        self.worker.cancelled.connect(self.on_cancelled)
        self.choose_button.clicked.connect(self.choose_folder)
        self.export_button.clicked.connect(self.start_export)
        self.ack_button.clicked.connect(self.choose_ack)
        self.cancel_button.clicked.connect(self.cancel)
        self.thread.start()

    @Slot()
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, t("bundle_choose_folder", self.lang))
        if folder:
            self.set_folder(folder)

    def set_folder(self, folder: str) -> None:
        self.folder = folder
        self.folder_label.setText(folder)
        self.export_button.setEnabled(True)

    @Slot()
    def start_export(self) -> None:
        if not self.folder:
            return
        self.worker.stop_event.clear()
        self.export_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        self.message.setText(t("bundle_writing", self.lang))
        self.progress.setRange(0, 0)
        self.exportRequested.emit(self.folder)

    @Slot()
    def choose_ack(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, t("ack_choose_file", self.lang), self.folder or "", "gatepost-ack-*.json (*.json)"
        )
        if path:
            self.start_ack_import(path)

    def start_ack_import(self, path: str) -> None:
        self.ack_button.setEnabled(False)
        self.message.setText(t("bundle_verifying", self.lang))
        self.ackRequested.emit(path)

    @Slot(str)
    def on_ack_message(self, text: str) -> None:
        self.ack_button.setEnabled(True)
        self.message.setText(text)

    @Slot(int, int)
    def on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        if done * 2 >= total > 0:
            self.message.setText(t("bundle_verifying", self.lang))

    def _idle(self) -> None:
        self.export_button.setEnabled(bool(self.folder))
        self.choose_button.setEnabled(True)
        self.progress.setRange(0, 1)

    @Slot(str)
    def on_done(self, path: str) -> None:
        self.result_path = path
        self._idle()
        self.progress.setValue(1)
        self.message.setText(t("bundle_safe_to_remove", self.lang, path=path))

    @Slot(str)
    def on_failed(self, text: str) -> None:
        self._idle()
        self.progress.setValue(0)
        self.message.setText(text)

    @Slot()
    def on_cancelled(self) -> None:
        self._idle()
        self.message.setText(t("cancel", self.lang))

    @Slot()
    def cancel(self) -> None:
        if self.export_button.isEnabled() or not self.thread.isRunning():
            self.reject()
            return
        self.worker.stop_event.set()

    def done(self, code: int) -> None:  # closing the dialog ends its thread
        self.worker.stop_event.set()
        self.thread.quit()
        self.thread.wait(30_000)
        super().done(code)
