"""Import the roster: preview the mapped columns, then import off the GUI thread with cancel."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import KnownError
from app.i18n import t
from app.roster.residents import EDITABLE

# the roster's own columns (app.roster.residents.EDITABLE) plus the one an import file may
# have instead of building/unit/room: a whole address; name, ID, phone and address read first
_READ_FIRST = ("name", "id_number", "phone", "address")
PREVIEW_FIELDS = (*_READ_FIRST, *(f for f in EDITABLE if f not in _READ_FIRST))


class Task(QObject):
    """Runs fn(progress, cancelled) on a worker thread; results come back as signals."""

    progress = Signal(int, int)
    done = Signal(object)
    failed = Signal(object)

    def __init__(self, fn: Callable[..., Any]) -> None:
        super().__init__()
        self.fn = fn
        self.stop = threading.Event()

    @Slot()
    def run(self) -> None:
        try:
            result = self.fn(self.progress.emit, self.stop.is_set)
        except Exception as exc:  # known errors and bugs alike go back to the GUI thread
            self.failed.emit(exc)
        else:
            self.done.emit(result)


class ImportDialog(QDialog):
    imported = Signal(object)  # the ImportResult
    planned = Signal(object)  # the Plan (preview ready)
    failed = Signal(str)

    def __init__(self, roster: Any, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.roster, self.lang = roster, lang
        self.plan: Any = None
        self.result: Any = None
        self._thread: QThread | None = None
        self._task: Task | None = None
        self._working = False
        self.setWindowTitle(t("import_title", lang))
        self.resize(900, 560)
        layout = QVBoxLayout(self)
        self.file_label = QLabel()
        layout.addWidget(self.file_label)
        layout.addWidget(QLabel(t("import_preview", lang)))
        self.preview = QTableWidget(0, 0)
        layout.addWidget(self.preview, 2)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.problems = QListWidget()
        layout.addWidget(self.problems, 1)
        self.bar = QProgressBar()
        self.bar.setVisible(False)
        layout.addWidget(self.bar)
        buttons = QHBoxLayout()
        self.choose_button = QPushButton("…")
        self.choose_button.clicked.connect(self.choose_file)
        self.import_button = QPushButton(t("import_start", lang))
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button = QPushButton(t("cancel", lang))
        self.cancel_button.clicked.connect(self.cancel)
        for b in (self.choose_button, self.import_button, self.cancel_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)

    # ----- background work
    def _run(self, fn: Callable[..., Any], on_done: Callable[[Any], None]) -> None:
        thread = QThread(self)
        task = Task(fn)
        task.moveToThread(thread)
        thread.started.connect(task.run)
        task.progress.connect(self._on_progress)
        task.done.connect(on_done)
        task.failed.connect(self._on_failed)
        task.done.connect(thread.quit)
        task.failed.connect(thread.quit)
        self._thread, self._task = thread, task
        self._working = True
        thread.start()

    @property
    def busy(self) -> bool:
        return self._working

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.bar.setMaximum(max(total, 1))
        self.bar.setValue(done)

    @Slot(object)
    def _on_failed(self, exc: object) -> None:
        self._working = False
        text = exc.message(self.lang) if isinstance(exc, KnownError) else t("bug", self.lang)
        self.summary.setText(text)
        self.summary.setStyleSheet("color: #c62828; font-weight: bold;")
        self.bar.setVisible(False)
        self.choose_button.setEnabled(True)
        self.failed.emit(text)

    # ----- steps
    @Slot()
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, t("import_title", self.lang), "", "Excel / CSV (*.xlsx *.csv *.txt)"
        )
        if path:
            self.load(path)

    def load(self, path: str) -> None:
        """Read and check the file off the GUI thread, then show the preview."""
        self.file_label.setText(path)
        self.import_button.setEnabled(False)
        self.summary.setText("…")
        self.summary.setStyleSheet("")
        self._run(lambda progress, cancelled: self.roster.plan_import(path), self._on_plan)

    @Slot(object)
    def _on_plan(self, plan: Any) -> None:
        self._working = False
        self.plan = plan
        fields = [f for f in PREVIEW_FIELDS if f in plan.mapping]
        self.preview.setColumnCount(len(fields))
        self.preview.setHorizontalHeaderLabels(
            [f"{plan.mapping[f]} → {t(f, self.lang) if f != 'address' else '住址'}" for f in fields]
        )
        from app.privacy import mask_id, mask_name, mask_phone

        masks = {"name": mask_name, "id_number": mask_id, "phone": mask_phone}
        self.preview.setRowCount(len(plan.preview))
        for i, row in enumerate(plan.preview):
            for j, f in enumerate(fields):
                text = str(row.get(f, ""))
                self.preview.setItem(i, j, QTableWidgetItem(masks.get(f, str)(text)))
        self.summary.setText(
            t(
                "import_plan",
                self.lang,
                new=plan.count("new"),
                update=plan.count("update"),
                same=plan.count("unchanged"),
                bad=plan.rejected_rows,
            )
        )
        self._show_problems(plan.rejected)
        self.import_button.setEnabled(True)
        self.planned.emit(plan)

    def _show_problems(self, rejected: list[Any]) -> None:
        self.problems.clear()
        for r in sorted(rejected, key=lambda r: r.row):
            self.problems.addItem(r.line(self.lang))

    @Slot()
    def start_import(self) -> None:
        if self.plan is None or self.busy:
            return
        self.import_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        self.bar.setVisible(True)
        self.bar.setValue(0)
        plan = self.plan
        self._run(
            lambda progress, cancelled: self.roster.apply_import(plan, progress, cancelled),
            self._on_imported,
        )

    @Slot(object)
    def _on_imported(self, result: Any) -> None:
        self._working = False
        self.result = result
        self.bar.setVisible(False)
        self.choose_button.setEnabled(True)
        text = t(
            "import_done",
            self.lang,
            imported=result.imported,
            updated=result.updated,
            unchanged=result.unchanged,
            rejected=result.rejected_rows,
        )
        if result.cancelled:
            text = f"{t('import_cancelled', self.lang)} · {text}"
        if result.report_path is not None:
            text += "\n" + t("import_report", self.lang, path=str(result.report_path))
        self.summary.setText(text)
        self.plan = None
        self.imported.emit(result)

    @Slot()
    def cancel(self) -> None:
        """While importing: stop after the current batch. Otherwise: close."""
        if self.busy and self._task is not None:
            self._task.stop.set()
            return
        self.reject()

    def done(self, code: int) -> None:  # noqa: D401 - Qt API
        """Closing stops an import after its current batch and waits for the thread."""
        if self._task is not None:
            self._task.stop.set()
        for thread in self.findChildren(QThread):
            thread.quit()
            thread.wait(10_000)
        super().done(code)
