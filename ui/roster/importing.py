"""Import the roster: preview the mapped columns, then import off the GUI thread with cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
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

from app.i18n import t
from app.roster.residents import EDITABLE
from ui.common.files import choose_open
from ui.common.runner import Task, TaskContext, run_in_background
from ui.common.style import show_as_error

# the roster's own columns (app.roster.residents.EDITABLE) plus the one an import file may
# have instead of building/unit/room: a whole address; name, ID, phone and address read first
_READ_FIRST = ("name", "id_number", "phone", "address")
PREVIEW_FIELDS = (*_READ_FIRST, *(f for f in EDITABLE if f not in _READ_FIRST))
TABLE_FILES = "Excel / CSV (*.xlsx *.csv *.txt)"  # what app.roster.importing reads


def start_import(
    roster: Any,
    lang: str,
    parent: QWidget,
    on_imported: Callable[[Any], None],
    path: str | None = None,
) -> ImportDialog:
    """Open the import dialog over `parent` on a file (or ask for one); on_imported gets the
    ImportResult. The roster window and the first-run wizard (#16) both start it here."""
    dialog = ImportDialog(roster, lang, parent)
    dialog.imported.connect(on_imported)
    dialog.open()
    if path:
        dialog.load(path)
    else:
        dialog.choose_file()
    return dialog


class ImportDialog(QDialog):
    imported = Signal(object)  # the ImportResult
    planned = Signal(object)  # the Plan (preview ready)
    failed = Signal(str)

    def __init__(self, roster: Any, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.roster, self.lang = roster, lang
        self.plan: Any = None
        self.result: Any = None
        self._task: Task | None = None
        self._closed = False
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

    # ----- background work (the runner: the roster service opens its own connection)
    def _run(self, fn: Callable[[TaskContext], Any], on_done: Callable[[Any], None]) -> None:
        def done(result: Any) -> None:
            self._task = None
            if not self._closed:
                on_done(result)

        self._task = run_in_background(
            fn,
            on_done=done,
            on_error=self._on_failed,
            on_progress=self._on_progress,
            on_cancelled=lambda: setattr(self, "_task", None),
            lang=self.lang,
            parent=self,
            name="roster import",
        )

    @property
    def busy(self) -> bool:
        return self._task is not None

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if self._closed:
            return
        self.bar.setMaximum(max(total, 1))
        self.bar.setValue(done)

    def _on_failed(self, text: str, exc: BaseException) -> None:
        self._task = None
        if self._closed:
            return
        self.summary.setText(text)
        show_as_error(self.summary)
        self.bar.setVisible(False)
        self.choose_button.setEnabled(True)
        self.failed.emit(text)

    # ----- steps
    @Slot()
    def choose_file(self) -> None:
        path = choose_open(self, t("import_title", self.lang), kinds=TABLE_FILES)
        if path:
            self.load(path)

    def load(self, path: str) -> None:
        """Read and check the file off the GUI thread, then show the preview."""
        self.file_label.setText(path)
        self.import_button.setEnabled(False)
        self.summary.setText("…")
        self.summary.setStyleSheet("")
        roster = self.roster
        self._run(lambda ctx: roster.plan_import(path, ctx.progress), self._on_plan)

    @Slot(object)
    def _on_plan(self, plan: Any) -> None:
        self.plan = plan
        fields = [f for f in PREVIEW_FIELDS if f in plan.mapping]
        self.preview.setColumnCount(len(fields))
        self.preview.setHorizontalHeaderLabels(
            [
                f"{plan.mapping[f]} → {t(f if f != 'address' else 'field_address', self.lang)}"
                for f in fields
            ]
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
        plan, roster = self.plan, self.roster
        self._run(
            lambda ctx: roster.apply_import(plan, ctx.progress, ctx.cancelled),
            self._on_imported,
        )

    @Slot(object)
    def _on_imported(self, result: Any) -> None:
        self.result = result
        self.bar.setVisible(False)
        self.choose_button.setEnabled(True)
        text = result.done_text(self.lang)
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
        if self._task is not None:
            self._task.cancel()
            return
        self.reject()

    def done(self, code: int) -> None:  # noqa: D401 - Qt API
        """Closing stops an import after its current batch (its rows so far stay written)."""
        if self._task is not None:
            self._task.cancel()
        self._closed = True
        super().done(code)
