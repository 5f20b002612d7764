"""The gate window's pieces: result banner, keypad, counters, recent list, fever list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.gate.people import describe_person
from app.i18n import t
from ui.common.style import BANNER_COLORS, ICONS


class Banner(QFrame):
    """The big coloured result: icon + text, so colour is never the only signal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = "idle"
        self.icon = QLabel()
        self.title = QLabel()
        self.detail = QLabel()
        self.icon.setObjectName("bannerIcon")
        self.title.setObjectName("bannerTitle")
        self.detail.setObjectName("bannerDetail")
        self.icon.setMinimumWidth(70)
        for label in (self.title, self.detail):
            label.setTextFormat(Qt.TextFormat.PlainText)  # names come from people, not markup
        self.detail.setWordWrap(True)
        self.title.setWordWrap(True)
        text = QVBoxLayout()
        text.addWidget(self.title)
        text.addWidget(self.detail)
        row = QHBoxLayout(self)
        row.addWidget(self.icon)
        row.addLayout(text, 1)
        self.setMinimumHeight(120)
        self.show_state("idle", "", "")

    def show_state(self, state: str, title: str, detail: str = "") -> None:
        self.state = state
        bg, fg = BANNER_COLORS.get(state, BANNER_COLORS["idle"])
        self.setStyleSheet(
            f"Banner {{ background: {bg}; border-radius: 10px; }}"
            f" QLabel {{ color: {fg}; background: transparent; }}"
            " QLabel#bannerIcon { font-size: 56px; font-weight: bold; }"
            " QLabel#bannerTitle { font-size: 38px; font-weight: bold; }"
            " QLabel#bannerDetail { font-size: 20px; }"
        )
        self.icon.setText(ICONS.get(state, ""))
        self.title.setText(title)
        self.detail.setText(detail)


class Keypad(QWidget):
    """An on-screen keypad for touch screens; emits what a keyboard would."""

    key = Signal(str)  # "0".."9", ".", "back", "enter"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        keys = ["7", "8", "9", "4", "5", "6", "1", "2", "3", ".", "0", "⌫"]
        for i, k in enumerate(keys):
            b = QPushButton(k)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setMinimumWidth(64)  # 40 px high: a finger's width, and the window fits 690 px
            b.setStyleSheet("font-size: 24px; min-height: 32px; padding: 0 4px;")
            b.clicked.connect(self._emitter("back" if k == "⌫" else k))
            grid.addWidget(b, i // 3, i % 3)

    def _emitter(self, value: str):
        def emit() -> None:
            self.key.emit(value)

        return emit


class Counters(QWidget):
    KEYS = ("in", "out", "refused", "fever", "visitors_inside")
    CODES = {
        "in": "count_in",
        "out": "count_out",
        "refused": "count_refused",
        "fever": "count_fever",
        "visitors_inside": "count_visitors_inside",
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        self.values: dict[str, QLabel] = {}
        self.names: dict[str, QLabel] = {}
        for key in self.KEYS:
            box = QVBoxLayout()
            value = QLabel("0")
            value.setObjectName("counterValue")
            value.setAlignment(Qt.AlignmentFlag.AlignCenter)
            name = QLabel()
            name.setObjectName("counterName")
            name.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(value)
            box.addWidget(name)
            row.addLayout(box)
            self.values[key] = value
            self.names[key] = name
        self.retranslate("zh")

    def retranslate(self, lang: str) -> None:
        for key, label in self.names.items():
            label.setText(t(self.CODES[key], lang))

    def set_counts(self, counts: dict[str, int]) -> None:
        for key, label in self.values.items():
            label.setText(str(counts.get(key, 0)))
        self.values["fever"].setStyleSheet("color: #c62828;" if counts.get("fever") else "")


class RecentTable(QTableWidget):
    """The last records; one row may be selected (to void it), names masked unless unmasked."""

    COLUMNS = ("time", "dir", "category", "person", "code", "temp", "result")  # i18n recent_col_*

    PERSON, RESULT = 3, 6

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 7, parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # 结果 is shown right after the time (the model's order stays): in a 1280-wide window
        # the seven columns do not all fit, and the result is what the volunteer looks for
        header.moveSection(self.RESULT, 1)
        header.setSectionResizeMode(self.PERSON, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(24)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.lang = "zh"
        self.masked = True  # False only while the officer's unmasked view lasts
        self.retranslate("zh")

    def retranslate(self, lang: str) -> None:
        self.lang = lang
        self.setHorizontalHeaderLabels([t(f"recent_col_{c}", lang) for c in self.COLUMNS])

    def selected_id(self) -> str | None:
        """The passage id of the selected row, if any."""
        items = self.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def set_masked(self, masked: bool) -> None:
        self.masked = masked
        if self._rows is not None:
            self.set_rows(self._rows)

    _rows: list[dict[str, Any]] | None = None

    _today: date | None = None

    def set_rows(self, rows: list[dict[str, Any]], today: date | None = None) -> None:
        """today: rows from another day show their date (MM-DD) before the time."""
        lang = self.lang
        keep = self.selected_id()
        self._rows = rows
        self._today = today if today is not None else self._today
        self.clearSelection()
        # fill with the header's resizing paused: otherwise every setItem re-measures every
        # resize-to-contents column (350 items: a quarter of a second on the GUI thread)
        header = self.horizontalHeader()
        modes = [header.sectionResizeMode(c) for c in range(self.columnCount())]
        for c, mode in enumerate(modes):
            if mode == QHeaderView.ResizeMode.ResizeToContents:
                header.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
        self.setUpdatesEnabled(False)
        try:
            self._fill(rows, keep, lang)
        finally:
            for c, mode in enumerate(modes):
                header.setSectionResizeMode(c, mode)
            self.setUpdatesEnabled(True)

    def _fill(self, rows: list[dict[str, Any]], keep: str | None, lang: str) -> None:
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            ts = datetime.fromisoformat(row["ts_local"])
            same_day = self._today is None or ts.date() == self._today
            when = ts.strftime("%H:%M:%S" if same_day else "%m-%d %H:%M")
            temp = "" if row.get("temperature") is None else f"{row['temperature']:.1f}"
            if row.get("retest_temperature") is not None:
                temp += f"→{row['retest_temperature']:.1f}"
            result = t(f"decision_{row['decision']}", lang)
            if row.get("reason"):
                result += f" · {t('reason_' + row['reason'], lang)}"
            if row.get("voided"):
                result = f"{t('voided', lang)} · {result}"
            if row.get("backfill_page") is not None:  # #17: typed in from paper
                result = f"{t('col_backfill', lang)} · {result}"
            if row.get("clock_suspect"):  # #17: written while the clock was in doubt
                result = f"{t('clock_suspect_cell_bare', lang)} · {result}"
            cells = [
                when,
                t(f"dir_{row['direction']}", lang),
                t(f"cat_{row['category']}", lang),
                describe_person(row, self.masked),
                t(f"color_{row['code_color']}", lang),
                temp,
                result,
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row["id"])
                if row.get("voided"):
                    f = QFont(item.font())
                    f.setStrikeOut(True)
                    item.setFont(f)
                    item.setForeground(Qt.GlobalColor.gray)
                elif row["decision"] == "refused":
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.setItem(r, c, item)
            if keep is not None and row["id"] == keep:
                self.selectRow(r)


class FeverList(QListWidget):
    """People resting before their re-test, with the time they may be measured again."""

    retest = Signal(str)  # fever check id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.itemActivated.connect(self._activated)
        self.itemClicked.connect(self._activated)
        self.setMaximumHeight(130)

    def set_fevers(
        self, fevers: list[dict[str, Any]], due: dict[str, str], now: datetime, lang: str
    ) -> None:
        self.clear()
        for f in fevers:
            when = datetime.fromisoformat(f["ts_local"]).strftime("%H:%M")
            due_at = datetime.fromisoformat(due[f["id"]])
            left = int((due_at - now).total_seconds())
            status = (
                t("fever_retest_due", lang)
                if left <= 0
                else f"{t('fever_waiting', lang)} {left // 60}:{left % 60:02d}"
            )
            who = describe_person(f) or t(f"cat_{f['category']}", lang)
            item = QListWidgetItem(f"⚠ {when}  {f['temperature']:.1f}°C  {who}  — {status}")
            item.setData(Qt.ItemDataRole.UserRole, f["id"])
            if left <= 0:
                item.setForeground(Qt.GlobalColor.darkRed)
            self.addItem(item)

    def _activated(self, item: QListWidgetItem) -> None:
        self.retest.emit(item.data(Qt.ItemDataRole.UserRole))
