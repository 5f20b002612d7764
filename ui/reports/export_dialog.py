"""Export dialog: dates, format, masking, officer PIN; the file is written off the GUI thread
with a progress bar and a cancel button (#5).

Takes an app.reports.service.ReportService. The PIN check (scrypt) and the file run on the
background runner through a connection of their own; the audit of the end is written on the
GUI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.connections import thread_database
from app.errors import KnownError
from app.i18n import t
from app.reports.service import ReportService
from ui.common.files import choose_save
from ui.common.runner import Task, TaskContext, run_in_background


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
        self.task: Task | None = None
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
        name = choose_save(self, t("export", self.lang), self.path.text())
        if name:
            self.path.setText(name)

    @Slot()
    def start(self) -> None:
        if self.task is not None:  # already exporting (Enter pressed twice)
            return
        self.cancel_button.setText(t("cancel", self.lang))
        if self.format.currentData() == "audit":
            self.export_audit()
            return
        reports = self.reports
        fmt, out, pin = self.format.currentText(), self.path.text(), self.pin.text()
        d1 = self.date_from.date().toString("yyyy-MM-dd")
        d2 = self.date_to.date().toString("yyyy-MM-dd")
        unmasked, summary, lang = (
            self.unmasked.isChecked(),
            self.with_summary.isChecked(),
            self.lang,
        )
        self.pin.clear()
        self.message.setText("")
        self.start_button.setEnabled(False)
        self.job = None
        started: dict[str, Any] = {}

        def work(ctx: TaskContext) -> int:
            """The PIN check (scrypt, tens of ms) and the file, both off the GUI thread, on
            this thread's own connection; the job is kept for the audit of its end."""
            own = thread_database(reports.gdb)
            try:
                here = ReportService(own, reports.clock, pdf_renderer=reports.pdf_renderer)
                job = here.prepare_export(
                    fmt, out, d1, d2, pin=pin, unmasked=unmasked, lang=lang, summary=summary
                )
                started["job"] = job
                return int(here.run_export(job, ctx.progress, ctx.cancelled))
            finally:
                own.close()

        def keep_job() -> None:
            self.job = started.get("job")

        self.task = run_in_background(
            work,
            on_done=lambda rows: (keep_job(), self.on_finished(rows)),
            on_error=lambda text, exc: (keep_job(), self.on_failed(text, exc)),
            on_progress=self.on_progress,
            on_cancelled=lambda: (keep_job(), self.on_cancelled()),
            lang=self.lang,
            parent=self,
            name="export",
        )

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
        if self.task is not None:
            self.task.cancel()
        else:
            self.reject()

    @Slot(int, int)
    def on_progress(self, done: int, total: int) -> None:
        self.progress.setValue(100 if total <= 0 else done * 100 // total)

    def _task_over(self) -> None:
        self.task = None
        self.start_button.setEnabled(True)

    @Slot(int)
    def on_finished(self, rows: int) -> None:
        self._task_over()
        self.reports.finish_export(self.job, rows)
        self.progress.setValue(100)
        self._end(t("export_done", self.lang, rows=rows, path=str(self.job.out)))
        self.cancel_button.setText(t("dialog_close", self.lang))  # nothing left to cancel

    @Slot()
    def on_cancelled(self) -> None:
        self._task_over()
        if self.job is not None:  # cancelled after the PIN check: the audit says so
            self.reports.finish_export(self.job, None)
        self.progress.setValue(0)
        self._end(t("export_cancelled", self.lang))

    def on_failed(self, text: str, exc: BaseException) -> None:
        """A known error in its words, a bug as `bug` (logged with its traceback by the runner)."""
        self._task_over()
        self._end(text)

    def _end(self, text: str) -> None:
        self.message.setText(text)
        self.done.emit(text)

    def closeEvent(self, event: Any) -> None:
        if self.task is not None:  # ends at its next batch; no file is left under the name
            self.task.cancel()
        super().closeEvent(event)
