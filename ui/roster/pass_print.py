"""Pass cards to PDF with Qt's own PDF writer: A4 sheets of 8, or one card; Chinese embedded."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from app import files
from app.i18n import t
from app.roster.cards import PassCard, QRRuns, qr_runs
from ui.common.gui_app import ensure_gui_app

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
)
DPI = 300
MM = DPI / 25.4
CARD_MM = (85.6, 54.0)  # a bank-card size fits a wallet


def cjk_family() -> str:
    families = set(QFontDatabase.families())
    for name in CJK_FAMILIES:
        if name in families:
            return name
    return QFont().defaultFamily()


def _font(family: str, points: float, bold: bool = False) -> QFont:
    font = QFont(family)
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


def draw_card(
    p: QPainter,
    card: PassCard,
    box: QRectF,
    family: str,
    lang: str = "zh",
    qr: QRRuns | None = None,
) -> None:
    """One card in `box` (device pixels): title band, name, place, QR, validity. `qr` is the
    card's code when it was made elsewhere (a helper process); else it is made here."""
    p.save()
    p.setPen(QPen(QColor("#555555"), 0.3 * MM, Qt.PenStyle.DashLine))  # cut line
    p.drawRect(box)
    pad = 3 * MM
    inner = box.adjusted(pad, pad, -pad, -pad)
    band = QRectF(inner.left(), inner.top(), inner.width(), 8 * MM)
    p.fillRect(band, QColor("#1f5fa8"))
    heading = "print_title_visitor" if card.kind == "visitor" else "print_title"
    p.setPen(QColor("white"))
    p.setFont(_font(family, 11, True))
    p.drawText(band, Qt.AlignmentFlag.AlignCenter, f"{card.title} · {t(heading, lang)}")
    qr_side = min(inner.height() - band.height() - 2 * MM, inner.width() * 0.48)
    qr_box = QRectF(inner.right() - qr_side, band.bottom() + 2 * MM, qr_side, qr_side)
    qr = qr or qr_runs(card.qr_text)
    cell = qr_box.width() / qr.size
    p.fillRect(qr_box, QColor("white"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("black"))
    left, top = qr_box.left(), qr_box.top()
    p.drawRects(  # one call per card: the dark runs of each row (+0.5: no hairline gaps)
        [
            QRectF(left + x * cell, top + y * cell, n * cell + 0.5, cell + 0.5)
            for y, x, n in qr.triples()
        ]
    )
    text_box = QRectF(
        inner.left(), band.bottom() + 2 * MM, qr_box.left() - inner.left() - 2 * MM, qr_side
    )
    p.setPen(QColor("black"))
    p.setFont(_font(family, 20, True))
    line = text_box.height() / 4
    p.drawText(
        QRectF(text_box.left(), text_box.top(), text_box.width(), line * 1.4),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        card.masked_name,
    )
    p.setFont(_font(family, 13))
    p.drawText(
        QRectF(text_box.left(), text_box.top() + line * 1.4, text_box.width(), line),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        card.place,
    )
    p.setFont(_font(family, 8))
    valid = (
        t("print_valid", lang, since=card.valid_from, until=card.valid_until)
        if card.valid_from
        else t("print_valid_until", lang, until=card.valid_until)
    )
    p.drawText(
        QRectF(text_box.left(), text_box.bottom() - line * 1.2, text_box.width(), line),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom | Qt.TextFlag.TextWordWrap,
        valid,
    )
    p.restore()


class _NoPages(Exception):
    """Cancelled, or no cards: the temp file goes and the target stays as it was."""


def write_pdf(
    cards: Sequence[PassCard],
    out: Path | str,
    single: bool = False,
    lang: str = "zh",
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    qrs: Iterable[QRRuns] | None = None,
) -> int:
    """A4 sheets with 8 cards (2×4), or one card per page; returns pages. Written atomically
    (app.files): a cancel or a crash never leaves half a PDF under the real name. `qrs` are
    the cards' codes in order, when made elsewhere (ui/common/procpool.py); else made here."""
    ensure_gui_app()
    try:
        with files.atomic_output(Path(out)) as tmp:
            pages = _paint(cards, tmp, single, lang, progress, cancelled, qrs)
            if not pages:
                raise _NoPages
    except _NoPages:
        return 0
    return pages


def _paint(
    cards: Sequence[PassCard],
    tmp: Path,
    single: bool,
    lang: str,
    progress: Callable[[int, int], None] | None,
    cancelled: Callable[[], bool] | None,
    qrs: Iterable[QRRuns] | None = None,
) -> int:
    """The pages into tmp; 0 when cancelled."""
    codes = iter(qrs) if qrs is not None else None
    writer = QPdfWriter(str(tmp))
    writer.setResolution(DPI)
    writer.setCreator("Gatepost")
    writer.setTitle(t("print_title", lang))
    if single:
        writer.setPageSize(QPageSize(QSizeF(*CARD_MM), QPageSize.Unit.Millimeter, "card"))
        writer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    else:
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setPageMargins(QMarginsF(10, 10, 10, 10), QPageLayout.Unit.Millimeter)
    family = cjk_family()
    per_page = 1 if single else 8
    painter = QPainter(writer)
    pages = 0
    try:
        area = QRectF(writer.pageLayout().paintRectPixels(DPI))
        area.moveTo(0, 0)
        for i, card in enumerate(cards):
            if cancelled is not None and cancelled():
                return 0
            slot = i % per_page
            if slot == 0:
                if pages:
                    writer.newPage()
                pages += 1
            if single:
                box = area
            else:
                w, h = area.width() / 2, area.height() / 4
                box = QRectF(area.left() + (slot % 2) * w, area.top() + (slot // 2) * h, w, h)
            draw_card(painter, card, box, family, lang, next(codes) if codes else None)
            if progress is not None:
                progress(i + 1, len(cards))
    finally:
        painter.end()
        close = getattr(codes, "close", None)
        if close is not None:  # a generator: its work still in flight is dropped
            close()
    return pages
