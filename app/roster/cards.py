"""A printable pass card as plain data (no database): what ui/pass_print.py draws."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
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


@dataclass(frozen=True)
class QRRuns:
    """A card's QR code as its dark runs: what is painted, small enough to pass between
    processes (a few hundred bytes against 2,401 pickled booleans)."""

    size: int  # modules per side, quiet zone included
    runs: bytes  # int16 triples: row, first column, length of each run of dark modules

    def triples(self) -> list[tuple[int, int, int]]:
        flat = np.frombuffer(self.runs, dtype=np.int16).reshape(-1, 3)
        return [(int(y), int(x), int(n)) for y, x, n in flat]


def qr_runs(text: str) -> QRRuns:
    """The matrix of PassCard.matrix() for `text`, as horizontal dark runs."""
    card = PassCard("", "", "", "", "", "", text)
    m = np.asarray(card.matrix(), dtype=np.int8)
    n = m.shape[0]
    padded = np.zeros((n, n + 2), dtype=np.int8)
    padded[:, 1:-1] = m
    edges = np.diff(padded, axis=1)  # +1 where a run starts, -1 one past its end
    ys, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)  # row-major order: pairs up with the starts
    triples = np.stack([ys, starts, ends - starts], axis=1).astype(np.int16)
    return QRRuns(n, triples.tobytes())


def qr_runs_many(texts: Sequence[str]) -> list[QRRuns]:
    """A chunk of cards' codes: the unit of work a helper process does (ui/common/procpool.py)."""
    return [qr_runs(text) for text in texts]
