"""补录 (#17): the paper register typed in afterwards, keyboard only. The officer PIN opens
it; each line is a row of fields (Tab moves, Enter saves); a doubtful line (a future time, a
time the gate was recording, a person twice in a minute) is saved on a second Enter."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import KnownError
from app.gate.backfill import BackfillDoubt, BackfillSession, open_session, parse_line
from app.gate.rules import CATEGORIES, DIRECTIONS
from app.i18n import t
from ui.common.features import Action

COLORS = ("green", "yellow", "red", "black", "unknown", "none")
DECISIONS = ("pass", "refused")


def _combo(prefix: str, codes: tuple[str, ...], lang: str) -> QComboBox:
    box = QComboBox()
    for code in codes:
        box.addItem(t(f"{prefix}_{code}", lang), code)
    return box


class BackfillDialog(QDialog):
    def __init__(self, gate: Any, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gate, self.lang = gate, lang
        self.session: BackfillSession | None = None
        self.pending: tuple[Any, ...] | None = None  # the doubtful line waiting for Enter
        self.saved = 0
        self.setWindowTitle(t("backfill_title", lang))
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setObjectName("pin")
        self.pin.returnPressed.connect(self.unlock)
        self.day = QDateEdit(QDate.currentDate().addDays(-1))
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.time, self.name, self.room = QLineEdit(), QLineEdit(), QLineEdit()
        self.id_number, self.temp, self.page = QLineEdit(), QLineEdit(), QLineEdit()
        self.direction = _combo("dir", DIRECTIONS, lang)
        self.category = _combo("cat", CATEGORIES, lang)
        self.color = _combo("color", COLORS, lang)
        self.decision = _combo("decision", DECISIONS, lang)
        self.time.setPlaceholderText("10:30")
        self.room.setPlaceholderText("2-202")
        fields: list[tuple[str, QWidget]] = [
            ("col_time", self.time),
            ("col_direction", self.direction),
            ("col_category", self.category),
            ("col_name", self.name),
            ("col_room", self.room),
            ("col_id_number", self.id_number),
            ("col_temperature", self.temp),
            ("col_code", self.color),
            ("col_decision", self.decision),
            ("col_page", self.page),
        ]
        self.fields = [w for _, w in fields]
        grid = QGridLayout()
        for col, (label, widget) in enumerate(fields):
            grid.addWidget(QLabel(t(label, lang)), 0, col)
            grid.addWidget(widget, 1, col)
            if isinstance(widget, QLineEdit):
                widget.returnPressed.connect(self.save_line)
        self.table = QTableWidget(0, len(fields))
        self.table.setHorizontalHeaderLabels([t(label, lang) for label, _ in fields])
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.message = QLabel(t("backfill_hint", lang))
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        top = QGridLayout()
        top.addWidget(QLabel(t("pin_prompt", lang)), 0, 0)
        top.addWidget(self.pin, 0, 1)
        top.addWidget(QLabel(t("col_paper_day", lang)), 0, 2)
        top.addWidget(self.day, 0, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(grid)
        layout.addWidget(self.table)
        layout.addWidget(self.message)
        self._enable(False)
        self.resize(1000, 420)

    def _enable(self, on: bool) -> None:
        for w in self.fields:
            w.setEnabled(on)

    @Slot()
    def unlock(self) -> None:
        try:
            self.session = open_session(self.gate, self.pin.text())
        except KnownError as exc:
            self.message.setText(exc.message(self.lang))
            return
        finally:
            self.pin.clear()
        self.pin.setEnabled(False)
        self._enable(True)
        self.time.setFocus()

    def _line(self) -> tuple[Any, ...]:
        return tuple(
            w.currentData() if isinstance(w, QComboBox) else w.text() for w in self.fields
        ) + (self.day.date().toString("yyyy-MM-dd"),)

    @Slot()
    def save_line(self) -> None:
        if self.session is None:
            return
        line = self._line()
        try:
            entry = parse_line(
                self.day.date().toPython(),
                self.gate.clock.now().tzinfo,
                time_text=self.time.text(),
                page_text=self.page.text(),
                name=self.name.text(),
                room=self.room.text(),
                id_number=self.id_number.text(),
                temperature=self.temp.text(),
                direction=self.direction.currentData(),
                category=self.category.currentData(),
                code_color=self.color.currentData(),
                decision=self.decision.currentData(),
            )
            self.session.add(entry, confirmed=self.pending == line)
        except BackfillDoubt as exc:
            self.pending = line
            self.message.setText(
                f"{exc.message(self.lang)} — {t('backfill_confirm_again', self.lang)}"
            )
            return
        except KnownError as exc:
            self.pending = None
            self.message.setText(exc.message(self.lang))
            return
        self.pending = None
        self._add_row()
        self.saved += 1
        self.message.setText(t("backfill_saved", self.lang, n=self.saved))
        page = self.page.text()
        for w in (self.time, self.name, self.room, self.id_number, self.temp):
            w.clear()
        self.page.setText(page)  # the next line is most likely on the same sheet
        self.time.setFocus()

    def _add_row(self) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, w in enumerate(self.fields):
            text = w.currentText() if isinstance(w, QComboBox) else w.text()
            self.table.setItem(row, col, QTableWidgetItem(text))


class BackfillFeature:
    """F11 补录 in the tool row."""

    def __init__(self, window: Any) -> None:
        self.window = window
        window.add_action(Action("backfill", "backfill_button", self.open, "F11"))

    def open(self) -> BackfillDialog | None:
        guard = self.window.guards.get("pin_set")  # #16: no PIN yet, set it first
        if guard is not None and not guard():
            return None
        dialog = BackfillDialog(self.window.service, self.window.lang, self.window)
        dialog.finished.connect(lambda _=0: self.window.refresh())
        dialog.open()
        return dialog


def attach_backfill(window: Any) -> BackfillFeature:
    feature = BackfillFeature(window)
    window.features["backfill"] = feature
    return feature
