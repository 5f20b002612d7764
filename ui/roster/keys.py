"""This compound's public key, shown as a QR code for another gate's camera to scan."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from app.i18n import t
from app.roster import keyqr
from ui.common.qr_view import QrLabel


class KeyQrDialog(QDialog):
    def __init__(self, roster: Any, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(t("key_qr_title", lang))
        text = keyqr.key_qr_text(roster.conn, roster.clock)
        self.key_id = keyqr.key_id_of_text(text)
        layout = QVBoxLayout(self)
        self.qr = QrLabel(360)
        self.qr.set_payload(text)
        layout.addWidget(self.qr, 1)
        hint = QLabel(t("key_qr_hint", lang, key_id=self.key_id))
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(hint)
        self.text = QLabel(text)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setStyleSheet("font-family: monospace; font-size: 10px;")
        self.text.setWordWrap(True)
        layout.addWidget(self.text)
        close = QPushButton(t("dialog_close", lang))
        close.clicked.connect(self.accept)
        layout.addWidget(close)
