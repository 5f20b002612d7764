"""USB export: choose a folder, write and verify the bundle off the GUI thread; 可以拔出 only
after the read-back check passed; a warning first when no server key is pinned, so the
bundle would be written unencrypted. 导入回执 imports the server's signed ack from the stick, so
the events it acknowledges stop waiting (and the retention purge may drop them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from app.i18n import t
from app.sync.ack import AckRefused
from app.sync.service import SyncService
from ui.common.files import choose_folder, choose_open
from ui.common.runner import Task, run_in_background


class BundleExportDialog(QDialog):
    """Both jobs run on the background runner; the signals say how each one ended."""

    exported = Signal(str)  # the verified bundle's path
    exportFailed = Signal(str)  # words for the volunteer
    ackDone = Signal(str)  # words: how far the server holds this gate
    ackFailed = Signal(str)  # words: why the ack was refused

    def __init__(self, service: SyncService, lang: str = "zh", parent: Any = None) -> None:
        super().__init__(parent)
        self.service = service
        self.lang = lang
        self.task: Task | None = None
        self.folder: str | None = None
        self.result_path: str | None = None
        self.sealed: bool | None = None  # known once the background check answers
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
        self.plain_warning = QLabel()  # no server key pinned: the bundle goes out unencrypted
        self.plain_warning.setObjectName("warning")
        self.plain_warning.setWordWrap(True)
        self.plain_warning.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.choose_button)
        row.addWidget(self.export_button)
        row.addWidget(self.ack_button)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.plain_warning)
        layout.addWidget(self.folder_label)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)

        self.choose_button.clicked.connect(self.choose_folder)
        self.export_button.clicked.connect(self.start_export)
        self.ack_button.clicked.connect(self.choose_ack)
        self.cancel_button.clicked.connect(self.cancel)
        self.check_sealed()

    def check_sealed(self) -> None:
        """Ask off the GUI thread whether a server key is pinned (at opening, after an ack)."""
        service = self.service
        run_in_background(
            lambda ctx: service.bundles_sealed(),
            on_done=self.on_sealed_known,
            lang=self.lang,
            parent=self,
            name="bundle key",
        )

    def on_sealed_known(self, sealed: bool) -> None:
        """Warn before the volunteer writes a bundle a lost stick would leak (#13)."""
        self.sealed = sealed
        self.plain_warning.setText("" if sealed else t("bundle_plain_warning", self.lang))
        self.plain_warning.setVisible(not sealed)

    @Slot()
    def choose_folder(self) -> None:
        folder = choose_folder(self, t("bundle_choose_folder", self.lang))
        if folder:
            self.set_folder(folder)

    def set_folder(self, folder: str) -> None:
        self.folder = folder
        self.folder_label.setText(folder)
        self.export_button.setEnabled(True)

    @Slot()
    def start_export(self) -> None:
        if not self.folder or self.task is not None:
            return
        self.export_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        self.message.setText(t("bundle_writing", self.lang))
        self.progress.setRange(0, 0)
        service, folder = self.service, Path(self.folder)
        self.task = run_in_background(
            lambda ctx: str(service.export_bundle(folder, ctx.progress, ctx.cancelled)),
            on_done=self.on_done,
            on_error=self.on_failed,
            on_progress=self.on_progress,
            on_cancelled=self.on_cancelled,
            lang=self.lang,
            parent=self,
            name="USB bundle",
        )

    @Slot()
    def choose_ack(self) -> None:
        path = choose_open(
            self, t("ack_choose_file", self.lang), self.folder or "", "gatepost-ack-*.json (*.json)"
        )
        if path:
            self.start_ack_import(path)

    def start_ack_import(self, path: str) -> None:
        self.ack_button.setEnabled(False)
        self.message.setText(t("bundle_verifying", self.lang))
        service, lang = self.service, self.lang

        def done(result: Any) -> None:
            text = t("ack_imported", lang, seq=result.acked_seq, n=result.newly_acked)
            self.on_ack_message(text)
            self.check_sealed()  # the ack may have brought the server's bundle key
            self.ackDone.emit(text)

        def failed(text: str, exc: BaseException) -> None:
            if isinstance(exc, AckRefused):  # its own words: why this ack is not usable
                text = exc.text(lang)
            self.on_ack_message(text)
            self.ackFailed.emit(text)

        run_in_background(
            lambda ctx: service.import_ack(Path(path)),
            on_done=done,
            on_error=failed,
            lang=lang,
            parent=self,
            name="ack import",
        )

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
        self.task = None
        self.export_button.setEnabled(bool(self.folder))
        self.choose_button.setEnabled(True)
        self.progress.setRange(0, 1)

    @Slot(str)
    def on_done(self, path: str) -> None:
        self.result_path = path
        self._idle()
        self.progress.setValue(1)
        self.message.setText(t("bundle_safe_to_remove", self.lang, path=path))
        self.exported.emit(path)

    def on_failed(self, text: str, exc: BaseException) -> None:
        self._idle()
        self.progress.setValue(0)
        self.message.setText(text)
        self.exportFailed.emit(text)

    @Slot()
    def on_cancelled(self) -> None:
        self._idle()
        self.message.setText(t("cancel", self.lang))

    @Slot()
    def cancel(self) -> None:
        if self.task is None:
            self.reject()
            return
        self.task.cancel()

    def done(self, code: int) -> None:  # noqa: D401 - Qt API
        """Closing cancels an export (it stops at its next step; no half bundle is left)."""
        if self.task is not None:
            self.task.cancel()
        super().done(code)
