"""The 管理 dialogs (#16): the list of tasks, pairing by paste, the officer PIN change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.i18n import t
from ui.common.buttons import ok_cancel
from ui.common.style import show_as_error
from ui.officer.pin import SetPinDialog


class AdminDialog(QDialog):
    """One button per task; a button closes the list and runs its task."""

    def __init__(
        self, tasks: list[tuple[str, str, Callable[[], Any]]], lang: str, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(t("admin_title", lang))
        self.chosen: Callable[[], Any] | None = None
        layout = QVBoxLayout(self)
        self.buttons: dict[str, QPushButton] = {}
        for name, label, slot in tasks:
            button = QPushButton(t(label, lang))
            button.setObjectName(f"admin_{name}")
            button.setMinimumHeight(40)
            button.clicked.connect(lambda _=False, s=slot: self._choose(s))
            layout.addWidget(button)
            self.buttons[name] = button
        close = QPushButton(t("dialog_close", lang))
        close.clicked.connect(self.reject)
        layout.addWidget(close)

    def _choose(self, slot: Callable[[], Any]) -> None:
        self.chosen = slot
        self.accept()


class PastePairDialog(QDialog):
    """The text of the server's pairing QR, pasted (from a chat message or the officer page)."""

    def __init__(self, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self.setWindowTitle(t("admin_pair", lang))
        self.text = QLineEdit()
        self.text.setObjectName("pair_text")
        self.text.setPlaceholderText("gatepost://enrol?…")
        self.message = QLabel("")
        show_as_error(self.message)
        buttons = ok_cancel(self, lang, accept=False)
        buttons.accepted.connect(self.try_accept)
        layout = QVBoxLayout(self)
        for w in (QLabel(t("admin_pair_hint", lang)), self.text, self.message, buttons):
            layout.addWidget(w)

    def try_accept(self) -> None:
        if not self.text.text().strip().startswith("gatepost://enrol?"):
            self.message.setText(t("admin_pair_not_code", self.lang))
            return
        self.accept()


class ChangePinDialog(SetPinDialog):
    """The 管理 task: set the officer PIN, or change it given the current one; the rule shows
    before the first try."""

    title = "admin_pin"
    rule = "pin_invalid"
