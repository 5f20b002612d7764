"""A QR code drawn big and crisp for a phone camera: whole pixels per module, white quiet zone."""

from __future__ import annotations

import qrcode
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QWidget


def qr_matrix(text: str) -> list[list[bool]]:
    qr = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(text)
    qr.make(fit=True)
    return [list(map(bool, row)) for row in qr.get_matrix()]


def qr_image(text: str, side_px: int = 420) -> QImage:
    """Modules of a whole number of pixels (a scaled, blurred QR reads badly off a screen)."""
    matrix = qr_matrix(text)
    n = len(matrix)
    module = max(2, -(-side_px // n))  # at least side_px
    image = QImage(n * module, n * module, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                p.fillRect(x * module, y * module, module, module, QColor("black"))
    p.end()
    return image


class QrLabel(QLabel):
    """Shows one payload as a QR code; text() of the payload is kept in `payload`."""

    def __init__(self, side_px: int = 420, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.side_px = side_px
        self.payload = ""
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("background: white;")

    def set_payload(self, text: str) -> None:
        self.payload = text
        if text:
            self.setPixmap(QPixmap.fromImage(qr_image(text, self.side_px)))
        else:
            self.clear()
