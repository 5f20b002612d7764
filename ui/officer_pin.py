"""The officer PIN guard: a small dialog the window opens before a guarded action (#5)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.errors import KnownError
from app.i18n import t


class OfficerPinDialog(QDialog):
    """Asks for the PIN, calls officer.authorize(pin, action, detail); stays open on a wrong PIN.

    `officer` is an app.officer.OfficerAuth (authorize raises KnownError; it audits the action).
    """

    def __init__(
        self,
        officer: Any,
        action: str,
        detail: dict[str, Any] | None = None,
        lang: str = "zh",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.officer, self.action, self.detail, self.lang = officer, action, detail or {}, lang
        self.setWindowTitle(t("pin_required_title", lang))
        self.prompt = QLabel(t("pin_prompt", lang))
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setObjectName("pin")
        self.message = QLabel("")
        self.message.setObjectName("message")
        self.message.setStyleSheet("color: #c62828; font-weight: bold")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(t("ok", lang))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(t("cancel", lang))
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for w in (self.prompt, self.pin, self.message, self.buttons):
            layout.addWidget(w)

    def try_accept(self) -> None:
        try:
            self.officer.authorize(self.pin.text(), self.action, self.detail)
        except KnownError as exc:
            self.message.setText(exc.message(self.lang))
            self.pin.clear()
            if exc.code in ("pin_locked", "pin_not_set"):
                self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
            return
        self.accept()


def ask_officer(
    parent: QWidget | None,
    officer: Any,
    action: str,
    detail: dict[str, Any] | None = None,
    lang: str = "zh",
) -> bool:
    """True when the officer authorised `action` (and it was audited)."""
    return (
        OfficerPinDialog(officer, action, detail, lang, parent).exec()
        == QDialog.DialogCode.Accepted
    )
