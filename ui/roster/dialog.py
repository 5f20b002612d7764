"""The roster: search by name, room or the last 4 digits; add and edit; masked by default."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import KnownError
from app.i18n import t
from ui.common.buttons import ok_cancel
from ui.common.files import choose_pdf
from ui.common.runner import Task, TaskContext, run_in_background
from ui.common.style import show_as_error

COLUMNS = ("name", "id_number", "phone", "building", "unit", "room", "household", "tags", "status")
FIELDS = ("name", "id_number", "phone", "building", "unit", "room", "household", "tags")
STATUSES = ("normal", "observation", "moved_out")


class ResidentEditor(QDialog):
    """Add or edit one resident; a bad field keeps the form open with the reason."""

    saved = Signal(object)

    def __init__(
        self,
        roster: Any,
        lang: str,
        resident: dict[str, Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.roster, self.lang, self.resident = roster, lang, resident
        self.setWindowTitle(t("roster_edit" if resident else "roster_add", lang))
        form = QFormLayout(self)
        self.edits: dict[str, QLineEdit] = {}
        for name in FIELDS:
            edit = QLineEdit(str((resident or {}).get(name) or ""))
            edit.setMaxLength(64)
            self.edits[name] = edit
            form.addRow(t(name, lang), edit)
        self.status = QComboBox()
        for s in STATUSES:
            self.status.addItem(t(f"status_{s}", lang), s)
        self.status.setCurrentIndex(STATUSES.index((resident or {}).get("status") or "normal"))
        form.addRow(t("status", lang), self.status)
        for name in ("obs_start", "obs_end"):
            edit = QLineEdit(str((resident or {}).get(name) or ""))
            edit.setPlaceholderText("2026-12-05")
            self.edits[name] = edit
            form.addRow(t(name, lang), edit)
        self.error = QLabel()
        show_as_error(self.error)
        self.error.setWordWrap(True)
        form.addRow(self.error)
        buttons = ok_cancel(self, lang, accept=False)  # save() accepts once the roster took it
        buttons.accepted.connect(self.save)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        form.addRow(buttons)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: e.text() for k, e in self.edits.items()}
        out["status"] = self.status.currentData()
        return out

    @Slot()
    def save(self) -> None:
        try:
            if self.resident is None:
                row = self.roster.add(self.values())
            else:
                row = self.roster.edit(self.resident["id"], self.values())
        except KnownError as exc:
            self.error.setText(exc.message(self.lang))
            return
        self.saved.emit(row)
        self.accept()


class RosterDialog(QDialog):
    """Search and browse; names, ID numbers and phones masked unless asked."""

    printed = Signal(str)  # the PDF written, or "" when cancelled or failed

    def __init__(self, roster: Any, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.roster, self.lang = roster, lang
        self.rows: list[dict[str, Any]] = []
        self.editor: ResidentEditor | None = None
        self.importer: Any = None
        self.setWindowTitle(t("roster_title", lang))
        self.resize(1000, 600)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(t("roster_search", lang))
        self.search.setMaxLength(64)
        self.search.textChanged.connect(self.refresh)
        self.show_full = QCheckBox(t("roster_show_full", lang))
        self.show_full.toggled.connect(self.refresh)
        top.addWidget(self.search, 1)
        top.addWidget(self.show_full)
        layout.addLayout(top)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([t(c, lang) for c in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # several residents (Ctrl/Shift-click) print their passes together (#16)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self.edit_selected)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(t("roster_add", lang))
        self.add_button.clicked.connect(self.add_resident)
        self.edit_button = QPushButton(t("roster_edit", lang))
        self.edit_button.clicked.connect(self.edit_selected)
        self.import_button = QPushButton(t("roster_import", lang))
        self.import_button.clicked.connect(self.open_import)
        self.print_button = QPushButton(t("roster_print", lang))
        self.print_button.clicked.connect(self.print_passes)
        self.visitor_button = QPushButton(t("visitor_pass_button", lang))
        self.visitor_button.clicked.connect(self.open_visitor_pass)
        self.visitor: Any = None
        self.key_button = QPushButton(t("key_qr_button", lang))
        self.key_button.clicked.connect(self.show_key_qr)
        self.key_dialog: Any = None
        self.history_button = QPushButton(t("history_button", lang))
        self.history_button.clicked.connect(self.show_history)
        self.history: Any = None
        self.print_cancel = QPushButton(t("cancel", lang))
        self.print_cancel.clicked.connect(self.cancel_print)
        self.print_cancel.setVisible(False)
        self.bar = QProgressBar()
        self.bar.setVisible(False)
        self.count = QLabel()
        for b in (
            self.add_button,
            self.edit_button,
            self.history_button,
            self.import_button,
            self.print_button,
            self.visitor_button,
            self.key_button,
        ):
            buttons.addWidget(b)
        buttons.addWidget(self.bar)
        buttons.addWidget(self.print_cancel)
        buttons.addStretch(1)
        buttons.addWidget(self.count)
        layout.addLayout(buttons)
        self._print_task: Task | None = None
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        self.rows = self.roster.search(self.search.text())
        views = self.roster.views(self.rows, masked=not self.show_full.isChecked())
        self.table.setRowCount(len(views))
        for i, v in enumerate(views):
            status = t(f"status_{v.status}", self.lang)
            if v.status == "observation" and v.obs_end:
                status = f"{status} → {v.obs_end}"
            cells = (
                v.name,
                v.id_number,
                v.phone,
                v.building,
                v.unit,
                v.room,
                v.household,
                v.tags,
                status,
            )
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if v.status == "observation":
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(i, j, item)
        self.count.setText(str(len(views)))

    def selected(self) -> dict[str, Any] | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def selected_all(self) -> list[dict[str, Any]]:
        """Every selected resident, in table order (the passes of several at once)."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.rows[r] for r in rows if 0 <= r < len(self.rows)]

    @Slot()
    def add_resident(self) -> None:
        self._open_editor(None)

    @Slot()
    def edit_selected(self) -> None:
        resident = self.selected()
        if resident is not None:
            self._open_editor(resident)

    def _open_editor(self, resident: dict[str, Any] | None) -> None:
        self.editor = ResidentEditor(self.roster, self.lang, resident, self)
        self.editor.saved.connect(self._on_saved)
        self.editor.open()

    @Slot(object)
    def _on_saved(self, _row: object) -> None:
        self.refresh()

    @Slot()
    def open_import(self, path: str | None = None) -> None:
        from ui.roster.importing import start_import

        self.importer = start_import(self.roster, self.lang, self, self._on_saved, path)

    @Slot()
    def open_visitor_pass(self) -> None:
        """The selected resident's household is the host (the volunteer can change it)."""
        from ui.roster.visitor import VisitorPassDialog

        chosen = self.selected()
        host = str(chosen["household"]) if chosen else ""
        self.visitor = VisitorPassDialog(self.roster, self.lang, host, self)
        self.visitor.open()

    @Slot()
    def show_history(self) -> None:
        from ui.roster.history import HistoryDialog

        resident = self.selected()
        if resident is None:
            return
        self.history = HistoryDialog(self.roster, resident, self.lang, self)
        self.history.open()

    @Slot()
    def show_key_qr(self) -> None:
        from ui.roster.keys import KeyQrDialog

        self.key_dialog = KeyQrDialog(self.roster, self.lang, self)
        self.key_dialog.open()

    # ----- printing: passes are issued and the PDF drawn off the GUI thread (5,000 residents
    # without a pass are 5,000 transactions), on the runner's own connection
    @Slot()
    def print_passes(self, path: str | None = None) -> None:
        """The selected residents (one: a single card), or everyone matching the search, on
        A4 sheets."""
        from app.roster.cards import qr_runs_many
        from ui.common.procpool import map_in_processes
        from ui.roster.pass_print import write_pdf

        if self._print_task is not None:
            return
        chosen = [r["id"] for r in self.selected_all()]
        if not chosen and not self.rows:
            return
        if not path:
            path = choose_pdf(self, t("roster_print", self.lang))
        if not path:
            return
        single, lang, roster = len(chosen) == 1, self.lang, self.roster
        wanted = self.search.text()

        def work(ctx: TaskContext) -> int:
            conn = roster.own_connection()
            try:  # everyone matching the search is read here too, not on the GUI thread
                ids = chosen or [r["id"] for r in roster.search(wanted, limit=100_000, conn=conn)]
                cards = roster.pass_cards(ids, conn=conn)
            finally:
                conn.close()
            # the QR codes are pure Python: made in helper processes, off this process's GIL
            # (the window waited on it, #12); only the painting stays on this thread
            texts = [card.qr_text for card in cards]
            return write_pdf(
                cards,
                path,
                single=single,
                lang=lang,
                progress=ctx.progress,
                cancelled=ctx.cancelled,
                qrs=map_in_processes(qr_runs_many, texts, cancelled=ctx.cancelled),
            )

        self._print_path = path
        self.bar.setValue(0)
        self.bar.setVisible(True)
        self.print_cancel.setVisible(True)
        self._print_task = run_in_background(
            work,
            on_done=self._on_printed,
            on_error=self._on_print_failed,
            on_progress=self._on_print_progress,
            on_cancelled=self._on_print_cancelled,
            lang=lang,
            parent=self,
            name="pass printing",
        )

    @Slot(int, int)
    def _on_print_progress(self, done: int, total: int) -> None:
        self.bar.setMaximum(max(1, total))
        self.bar.setValue(done)

    def _on_printed(self, pages: object) -> None:
        self._print_finished()
        self.printed.emit(self._print_path if pages else "")

    def _on_print_failed(self, text: str, exc: BaseException) -> None:
        self._print_finished()
        self.count.setText(text)
        self.printed.emit("")

    def _on_print_cancelled(self) -> None:
        self._print_finished()
        self.printed.emit("")

    def _print_finished(self) -> None:
        self._print_task = None
        self.bar.setVisible(False)
        self.print_cancel.setVisible(False)

    @Slot()
    def cancel_print(self) -> None:
        if self._print_task is not None:
            self._print_task.cancel()
