"""Visitor pass at the desk (F5): host household, name, today or N hours; the QR big on screen
for the visitor to photograph, and a one-card PDF to print."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.errors import KnownError
from app.i18n import t
from app.roster import visitors
from ui.common.files import choose_pdf
from ui.common.qr_view import QrLabel
from ui.common.style import show_as_error


class VisitorPassDialog(QDialog):
    """Fill in, press 生成: the pass is recorded (with its outbox event) and shown."""

    issued = Signal(object)  # visitors.IssuedVisitorPass
    printed = Signal(str)  # the PDF written, or "" when it failed

    def __init__(
        self, roster: Any, lang: str = "zh", household: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.roster, self.lang = roster, lang
        self.pass_: visitors.IssuedVisitorPass | None = None
        self.setWindowTitle(t("visitor_pass_title", lang))
        layout = QHBoxLayout(self)
        form_box = QWidget()
        form = QFormLayout(form_box)
        self.host = QComboBox()
        self.host.setEditable(True)
        self.host.addItems(visitors.households(roster.conn))
        self.host.setCurrentText(household)
        self.host.lineEdit().setPlaceholderText("3-2-501")
        form.addRow(t("visitor_host", lang), self.host)
        self.name = QLineEdit()
        self.name.setMaxLength(32)
        form.addRow(t("visitor_name", lang), self.name)
        self.hours = QSpinBox()
        self.hours.setRange(0, visitors.MAX_HOURS)
        self.hours.setSuffix(t("visitor_hours_suffix", lang))
        self.hours.setSpecialValueText(t("visitor_today", lang))  # 0 = until midnight
        form.addRow(t("visitor_valid", lang), self.hours)
        self.error = QLabel()
        show_as_error(self.error)
        self.error.setWordWrap(True)
        form.addRow(self.error)
        self.issue_button = QPushButton(t("visitor_issue", lang))
        self.issue_button.setDefault(True)
        self.issue_button.clicked.connect(self.issue)
        form.addRow(self.issue_button)
        layout.addWidget(form_box)
        right = QVBoxLayout()
        self.qr = QrLabel(420)
        self.qr.setMinimumSize(440, 440)
        right.addWidget(self.qr, 1)
        self.info = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.info.setStyleSheet("font-size: 20px; font-weight: bold;")
        right.addWidget(self.info)
        buttons = QHBoxLayout()
        self.print_button = QPushButton(t("visitor_print", lang))
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(lambda _=False: self.print_card())
        close = QPushButton(t("dialog_close", lang))
        close.clicked.connect(self.accept)
        buttons.addWidget(self.print_button)
        buttons.addWidget(close)
        right.addLayout(buttons)
        layout.addLayout(right)
        self.name.setFocus()

    @Slot()
    def issue(self) -> None:
        hours = self.hours.value() or None
        try:
            issued = visitors.issue(self.roster, self.host.currentText(), self.name.text(), hours)
        except KnownError as exc:
            self.error.setText(exc.message(self.lang))
            return
        self.error.setText("")
        self.pass_ = issued
        self.qr.set_payload(issued.text)
        card = issued.card
        self.info.setText(
            t(
                "visitor_shown",
                self.lang,
                name=card.masked_name,
                household=card.household,
                until=issued.valid_until,
            )
        )
        self.print_button.setEnabled(True)
        self.issued.emit(issued)

    def print_card(self, path: str | None = None) -> None:
        """One card PDF (quick: one page), written under a temp name and renamed."""
        from ui.roster.pass_print import write_pdf

        if self.pass_ is None:
            return
        if not path:
            path = choose_pdf(self, t("visitor_print", self.lang), "visitor.pdf")
        if not path:
            return
        try:
            write_pdf([self.pass_.card], path, single=True, lang=self.lang)
        except OSError as exc:
            self.error.setText(t("print_failed", self.lang, detail=str(exc)))
            self.printed.emit("")
            return
        self.printed.emit(path)
