"""A printable pass card as plain data (no database): what ui/pass_print.py draws."""

from __future__ import annotations

from dataclasses import dataclass

import qrcode

from app.roster.qrmask import QRCode  # the package's mask choice, scored with numpy (#12)


@dataclass(frozen=True)
class PassCard:
    title: str  # the compound or checkpoint name
    masked_name: str
    place: str  # 3栋2单元501
    household: str
    valid_from: str
    valid_until: str
    qr_text: str
    kind: str = "resident"  # or "visitor"

    def matrix(self) -> list[list[bool]]:
        """QR modules (quiet zone included), version ≤ 7 at error correction M."""
        qr = QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
        qr.add_data(self.qr_text)
        qr.make(fit=True)
        return [list(map(bool, row)) for row in qr.get_matrix()]
