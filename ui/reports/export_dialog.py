"""Export dialog: dates, format, masking, officer PIN; the file is written off the GUI thread
with a progress bar and a cancel button (#5).

Takes an app.reports.service.ReportService. The PIN check and the audit entries are written on
the GUI thread (the one writer); the worker only reads, through its own connection.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QObject, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import KnownError
from app.i18n import t
from app.reports.rows import ExportCancelled


class ExportWorker(QObject):
    """Runs ReportService.run_export on a QThread; cancel() is checked between batches."""

    progress = Signal(int, int)
    finished = Signal(int)
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self, reports: Any, job: Any, lang: str) -> None:
        super().__init__()
        self.reports, self.job, self.lang = reports, job, lang
        self._cancel = False

    def cancel(self) -> None:
        self._cancel = True

    def _is_cancelled(self) -> bool:
        return self._cancel

    def _progress(self, done: int, total: int) -> None:
        self.progress.emit(done, total)

    @Slot()
    def run(self) -> None:
        try:
            rows = self.reports.run_export(self.job, self._progress, self._is_cancelled)
        except ExportCancelled:
            self.cancelled.emit()
        except KnownError as exc:
            self.failed.emit(exc.message(self.lang))
        except Exception as exc:  # noqa: BLE001  (a bug: say it, keep the gate running)
            self.failed.emit(t("export_failed", self.lang, detail=f"{type(exc).__name__}: {exc}"))
        else:
            self.finished.emit(rows)


class ExportDialog(QDialog):
    done = Signal(str)  # the message shown when the export ended

    def __init__(self, reports: Any, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reports, self.lang = reports, lang
        if getattr(reports, "pdf_renderer", True) is None:
            from ui.reports.pdf import render_pdf

            reports.pdf_renderer = render_pdf
        self.setWindowTitle(t("export", lang))
        today = QDate.currentDate()
        self.date_from, self.date_to = QDateEdit(today), QDateEdit(today)
        for d in (self.date_from, self.date_to):
            d.setDisplayFormat("yyyy-MM-dd")
            d.setCalendarPopup(True)
        self.format = QComboBox()
        self.format.addItems(["xlsx", "csv", "pdf"])
        self.format.addItem(t("audit_log", lang), "audit")  # the audit log itself, as CSV
        self.path = QLineEdit(str(Path.home() / f"gatepost-{today.toString('yyyy-MM-dd')}.xlsx"))
        self.path.setObjectName("path")
        browse = QPushButton("…")
        browse.setAutoDefault(False)  # Enter exports; only a click opens the file chooser
        browse.clicked.connect(self.browse)
        self.unmasked = QCheckBox(t("export_unmasked", lang))
        # CSV holds one table: the summary (totals, fevers, refusals) goes to a second file,
        # which an officer collecting only the passage log can leave out
        self.with_summary = QCheckBox(t("export_with_summary", lang))
        self.with_summary.setChecked(True)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setObjectName("pin")
        self.pin.returnPressed.connect(self.start)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.message = QLabel("")
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.start_button = QPushButton(t("export", lang))
        self.start_button.setObjectName("start")
        self.start_button.clicked.connect(self.start)
        self.start_button.setAutoDefault(False)  # the PIN field's Enter starts it, once
        self.cancel_button = QPushButton(t("cancel", lang))
        self.cancel_button.setObjectName("cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancel)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path)
        path_row.addWidget(browse)
        form = QFormLayout()
        form.addRow(t("col_start", lang), self.date_from)
        form.addRow(t("col_end", lang), self.date_to)
        form.addRow(t("export_format_label", lang), self.format)
        form.addRow("", path_row)
        form.addRow("", self.with_summary)
        form.addRow("", self.unmasked)
        form.addRow(t("pin_prompt", lang), self.pin)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.start_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.thread: QThread | None = None
        self.worker: ExportWorker | None = None
        self.job: Any = None
        self._format_changed()

    @Slot()
    def _format_changed(self) -> None:
        """The file name follows the format (a .xlsx name for a CSV would not open in Excel);
        the summary file is a CSV thing: XLSX has it as a sheet, PDF is the summary."""
        fmt = "csv" if self.format.currentData() == "audit" else self.format.currentText()
        self.with_summary.setEnabled(fmt == "csv" and self.format.currentData() != "audit")
        path = Path(self.path.text())
        if path.suffix.lower() in (".xlsx", ".csv", ".pdf") and path.suffix.lower() != "." + fmt:
            self.path.setText(str(path.with_suffix("." + fmt)))

    @Slot()
    def browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, t("export", self.lang), self.path.text())
        if name:
            self.path.setText(name)

    @Slot()
    def start(self) -> None:
        if self.worker is not None:  # already exporting (Enter pressed twice)
            return
        self.cancel_button.setText(t("cancel", self.lang))
        if self.format.currentData() == "audit":
            self.export_audit()
            return
        try:
            self.job = self.reports.prepare_export(
                self.format.currentText(),
                self.path.text(),
                self.date_from.date().toString("yyyy-MM-dd"),
                self.date_to.date().toString("yyyy-MM-dd"),
                pin=self.pin.text(),
                unmasked=self.unmasked.isChecked(),
                lang=self.lang,
                summary=self.with_summary.isChecked(),
            )
        except KnownError as exc:
            self.message.setText(exc.message(self.lang))
            self.pin.clear()
            return
        self.pin.clear()
        self.message.setText("")
        self.start_button.setEnabled(False)
        self.thread = QThread(self)
        self.worker = ExportWorker(self.reports, self.job, self.lang)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.progress.connect(self.on_progress)
        self.worker.finished.connect(self.on_finished)
        self.worker.cancelled.connect(self.on_cancelled)
        self.worker.failed.connect(self.on_failed)
        self.thread.start()

    def export_audit(self) -> None:
        """The audit log is small: written at once, on this (the writer's) thread."""
        try:
            rows = self.reports.export_audit(self.path.text(), pin=self.pin.text())
        except KnownError as exc:
            self.message.setText(exc.message(self.lang))
        else:
            self._end(t("export_done", self.lang, rows=rows, path=self.path.text()))
            self.cancel_button.setText(t("dialog_close", self.lang))
        self.pin.clear()

    @Slot()
    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
        else:
            self.reject()

    @Slot(int, int)
    def on_progress(self, done: int, total: int) -> None:
        self.progress.setValue(100 if total <= 0 else done * 100 // total)

    def _stop_thread(self) -> None:
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()
        if self.worker is not None:
            self.worker.deleteLater()
        self.thread, self.worker = None, None
        self.start_button.setEnabled(True)

    @Slot(int)
    def on_finished(self, rows: int) -> None:
        self._stop_thread()
        self.reports.finish_export(self.job, rows)
        self.progress.setValue(100)
        self._end(t("export_done", self.lang, rows=rows, path=str(self.job.out)))
        self.cancel_button.setText(t("dialog_close", self.lang))  # nothing left to cancel

    @Slot()
    def on_cancelled(self) -> None:
        self._stop_thread()
        self.reports.finish_export(self.job, None)
        self.progress.setValue(0)
        self._end(t("export_cancelled", self.lang))

    @Slot(str)
    def on_failed(self, text: str) -> None:
        self._stop_thread()
        self._end(text)

    def _end(self, text: str) -> None:
        self.message.setText(text)
        self.done.emit(text)

    def closeEvent(self, event: Any) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self._stop_thread()
        super().closeEvent(event)
