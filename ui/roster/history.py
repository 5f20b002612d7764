"""One resident's change history: when, who, what, and each field before → after (masked)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import t
from app.privacy import mask_name

HEADERS = ("history_when", "history_who", "history_action", "history_what")


class HistoryDialog(QDialog):
    def __init__(
        self, roster: Any, resident: dict[str, Any], lang: str = "zh", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.roster, self.resident, self.lang = roster, resident, lang
        self.setWindowTitle(t("history_title", lang, name=mask_name(resident.get("name"))))
        self.resize(900, 420)
        layout = QVBoxLayout(self)
        self.show_full = QCheckBox(t("roster_show_full", lang))
        self.show_full.toggled.connect(self.refresh)
        layout.addWidget(self.show_full)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([t(h, lang) for h in HEADERS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for i in range(3):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        close = QPushButton(t("dialog_close", lang))
        close.clicked.connect(self.accept)
        layout.addWidget(close)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        lines = self.roster.history_lines(
            self.resident["id"], masked=not self.show_full.isChecked(), lang=self.lang
        )
        self.table.setRowCount(len(lines))
        for i, line in enumerate(lines):
            cells = (line.when, line.who, line.action_text(self.lang), line.what(self.lang))
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeRowsToContents()
