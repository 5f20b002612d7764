"""Shift dialogs: sign in (pick or add), handover (confirm / acknowledge), shift log (#5).

Each takes an app.shifts.service.ShiftService; all writes go through it on the GUI thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import KnownError
from app.i18n import t
from app.privacy import mask_phone
from ui.common.style import show_as_error


def _error_label() -> QLabel:
    label = QLabel("")
    label.setObjectName("error")
    show_as_error(label)
    label.setWordWrap(True)
    return label


class DutyBanner(QLabel):
    """One line the volunteer reads from a step away: who is on duty, or plainly nobody."""

    def __init__(self, shifts: Any, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shifts, self.lang = shifts, lang
        self.refresh()

    def refresh(self) -> None:
        code, params = self.shifts.status()
        self.setText(t(code, self.lang, **params))
        unstaffed = code == "gate_unstaffed"
        self.setProperty("unstaffed", unstaffed)
        self.setStyleSheet(
            "background: #c62828; color: white; font-size: 18pt; padding: 6px"
            if unstaffed
            else "font-size: 14pt; padding: 6px"
        )


def summary_text(summary: Any, lang: str) -> str:
    """The handover summary as lines of text."""
    c = summary.counts
    lines = [
        f"{summary.volunteer} · "
        + t(
            "shift_period",
            lang,
            start=summary.start_local[5:16].replace("T", " "),
            end=summary.end_local[5:16].replace("T", " "),
        ),
        (
            f"{t('count_in', lang)} {c.get('in', 0)}   {t('count_out', lang)} {c.get('out', 0)}   "
            f"{t('count_refused', lang)} {c.get('refused', 0)}   "
            f"{t('count_fever', lang)} {c.get('fever', 0)}   "
            f"{t('count_watchlist', lang)} {c.get('watchlist', 0)}   "
            f"{t('count_visitors_inside', lang)} {c.get('visitors_inside', 0)}"
        ),
    ]
    if summary.visitors_inside:
        shown = "、".join(summary.visitors_inside[:10])
        more = len(summary.visitors_inside) - 10
        lines.append(
            t("count_visitors_inside", lang) + ": " + shown + (f" …(+{more})" if more > 0 else "")
        )
    for e in summary.log:
        lines.append(f"{e['ts_local'][11:16]} {e['volunteer']}: {e['text']}")
    if summary.note:
        lines.append(f"{t('handover_notes', lang)}: {summary.note}")
    return "\n".join(lines)


class SignInDialog(QDialog):
    """Pick a known volunteer or add name + phone; acknowledges a pending handover on sign-in."""

    signed_in = Signal(str)  # the shift id

    def __init__(self, shifts: Any, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shifts, self.lang = shifts, lang
        self.setWindowTitle(t("shift_sign_in", lang))
        self.people = QListWidget()
        self.people.setObjectName("people")
        for v in shifts.volunteers():
            item = QListWidgetItem(f"{v['name']}  {mask_phone(v['phone'])}")
            item.setData(Qt.ItemDataRole.UserRole, v["id"])
            self.people.addItem(item)
        self.name, self.phone = QLineEdit(), QLineEdit()
        self.name.setObjectName("name")
        self.phone.setObjectName("phone")
        self.pending = shifts.pending_handover()
        self.handover = QLabel(summary_text(self.pending, lang) if self.pending else "")
        self.handover.setObjectName("handover")
        self.handover.setWordWrap(True)
        self.error = _error_label()
        self.sign_in = QPushButton(
            t("handover_ack", lang) if self.pending else t("shift_sign_in", lang)
        )
        self.sign_in.setObjectName("sign_in")
        self.sign_in.setDefault(True)
        self.sign_in.clicked.connect(self.do_sign_in)
        form = QFormLayout()
        form.addRow(t("name", lang), self.name)
        form.addRow(t("phone", lang), self.phone)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(t("shift_pick", lang)))
        layout.addWidget(self.people)
        layout.addWidget(QLabel(t("shift_add_new", lang)))
        layout.addLayout(form)
        if self.pending:
            layout.addWidget(QLabel(t("handover_title", lang)))
            layout.addWidget(self.handover)
        layout.addWidget(self.error)
        layout.addWidget(self.sign_in)
        self.name.setFocus()  # a new volunteer types their name at once (#10)

    def do_sign_in(self) -> None:
        try:
            if self.name.text().strip():
                vol_id = self.shifts.add_volunteer(self.name.text(), self.phone.text())["id"]
            elif self.people.currentItem() is not None:
                vol_id = self.people.currentItem().data(Qt.ItemDataRole.UserRole)
            else:
                raise KnownError("volunteer_name_required")
            shift = self.shifts.start(vol_id)
            if self.pending is not None:
                self.shifts.acknowledge(self.pending.shift_id)
        except KnownError as exc:
            self.error.setText(exc.message(self.lang))
            return
        self.signed_in.emit(shift.shift_id)
        self.accept()


class HandoverDialog(QDialog):
    """The outgoing volunteer reads the summary, adds notes, and confirms the handover."""

    handed_over = Signal(str)  # the ended shift id

    def __init__(self, shifts: Any, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shifts, self.lang = shifts, lang
        self.setWindowTitle(t("handover_title", lang))
        self.summary = QLabel(summary_text(shifts.summary(), lang))
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("notes")
        self.notes.setPlaceholderText(t("handover_notes", lang))
        self.error = _error_label()
        self.confirm = QPushButton(t("handover_confirm", lang))
        self.confirm.setObjectName("confirm")
        self.confirm.clicked.connect(self.do_confirm)
        cancel = QPushButton(t("cancel", lang))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addWidget(self.confirm)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.notes)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def do_confirm(self) -> None:
        try:
            summary = self.shifts.end(self.notes.toPlainText())
        except KnownError as exc:
            self.error.setText(exc.message(self.lang))
            return
        self.handed_over.emit(summary.shift_id)
        self.accept()


class ShiftLogDialog(QDialog):
    """Free-text entries with time for the current shift (incidents, supplies, inspections)."""

    def __init__(self, shifts: Any, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shifts, self.lang = shifts, lang
        self.setWindowTitle(t("shift_log", lang))
        self.entries = QListWidget()
        self.entries.setObjectName("entries")
        self.text = QLineEdit()
        self.text.setObjectName("text")
        self.text.setPlaceholderText(t("shift_log_add", lang))
        self.text.returnPressed.connect(self.add)
        self.error = _error_label()
        add = QPushButton(t("ok", lang))
        add.setObjectName("add")
        add.clicked.connect(self.add)
        row = QHBoxLayout()
        row.addWidget(self.text)
        row.addWidget(add)
        layout = QVBoxLayout(self)
        layout.addWidget(self.entries)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self.reload()

    def reload(self) -> None:
        self.entries.clear()
        shift = self.shifts.current()
        if shift is not None:
            for e in self.shifts.summary(shift).log:
                self.entries.addItem(f"{e['ts_local'][11:16]}  {e['volunteer']}: {e['text']}")

    def add(self) -> None:
        try:
            entry = self.shifts.log(self.text.text())
        except KnownError as exc:
            self.error.setText(exc.message(self.lang))
            return
        self.error.clear()
        self.text.clear()
        self.entries.addItem(f"{entry['ts_local'][11:16]}  {entry['volunteer']}: {entry['text']}")
