"""The officer PIN guard: a small dialog the window opens before a guarded action (#5)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.errors import KnownError
from app.i18n import t
from ui.common.buttons import ok_cancel
from ui.common.style import show_as_error


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
        show_as_error(self.message)
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


class SetPinDialog(QDialog):
    """The officer's new PIN, typed twice (the rule shown before the first try), after the
    current one when there is one: officer.set_pin(new, old); stored only as a scrypt hash.
    As is, the one a guarded action opens when no PIN was set yet (#16); `why` says so."""

    title = "pin_required_title"
    rule: str | None = "pin_invalid"  # a message shown before the first try

    def __init__(
        self,
        officer: Any,
        lang: str = "zh",
        parent: QWidget | None = None,
        why: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.officer, self.lang = officer, lang
        self.setWindowTitle(t(self.title, lang))
        self.old, self.first, self.second = QLineEdit(), QLineEdit(), QLineEdit()
        for name, box in (("old", self.old), ("new", self.first), ("repeat", self.second)):
            box.setObjectName(f"pin_{name}")
            box.setEchoMode(QLineEdit.EchoMode.Password)
        self.why = QLabel(t(why, lang) if why else "")
        self.why.setWordWrap(True)
        self.why.setVisible(bool(why))
        self.message = QLabel(t(self.rule, lang) if self.rule else "")
        self.message.setWordWrap(True)
        self.buttons = ok_cancel(self, lang, accept=False)
        self.buttons.accepted.connect(self.try_accept)
        layout = QVBoxLayout(self)
        if officer.has_pin():
            layout.addWidget(QLabel(t("pin_old_prompt", lang)))
            layout.addWidget(self.old)
        for w in (
            self.why,
            QLabel(t("pin_new_prompt", lang)),
            self.first,
            QLabel(t("pin_repeat_prompt", lang)),
            self.second,
            self.message,
            self.buttons,
        ):
            layout.addWidget(w)

    def try_accept(self) -> None:
        show_as_error(self.message)
        if self.first.text() != self.second.text():
            self.message.setText(t("pin_mismatch", self.lang))
            return
        old = self.old.text() if self.officer.has_pin() else None
        try:
            self.officer.set_pin(self.first.text(), old)
        except KnownError as exc:
            self.message.setText(exc.message(self.lang))
            self.old.clear()
            return
        self.accept()


class VerifyPinDialog(OfficerPinDialog):
    """Checks the PIN only (the caller passes it on, e.g. to the purge, which audits)."""

    def try_accept(self) -> None:
        try:
            ok = self.officer.verify(self.pin.text())
        except KnownError as exc:
            self.message.setText(exc.message(self.lang))
            return
        if not ok:
            left = self.officer.attempts_left()
            code = "pin_wrong" if left else "pin_locked"
            self.message.setText(t(code, self.lang, left=left, minutes=5))
            self.pin.clear()
            return
        self.pin_value = self.pin.text()
        self.accept()
