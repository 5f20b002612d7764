"""The daily report as an A4 PDF with Chinese text and an hourly bar chart (QPdfWriter)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
)

from app.i18n import t
from app.reports.model import Report
from app.reports.rows import (
    FEVER_HEADERS,
    ExportCancelled,
    fever_refusal_rows,
    label,
    summary_rows,
)
from ui.common.gui_app import ensure_gui_app

# the XLSX sheet's columns less room and note, which do not fit an A4 line
PDF_FEVER_HEADERS = tuple(c for c in FEVER_HEADERS if c not in ("col_room", "col_note"))

FONT_FAMILIES = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC"]


class _Pager:
    """A cursor down A4 pages in points (1/72 inch); new page when the next line won't fit."""

    def __init__(self, painter: QPainter, writer: QPdfWriter, family: str) -> None:
        self.p, self.w = painter, writer
        self.family = family
        rect = writer.pageLayout().paintRect(QPageLayout.Unit.Point)
        self.width, self.height = rect.width(), rect.height()
        self.scale = writer.resolution() / 72.0
        self.y = 0.0

    def font(self, size: float, bold: bool = False) -> None:
        f = QFont(self.family)
        f.setPointSizeF(size)
        f.setBold(bold)
        self.p.setFont(f)

    def need(self, h: float) -> None:
        if self.y + h > self.height:
            self.w.newPage()
            self.y = 0.0

    def rect(self, x: float, y: float, w: float, h: float) -> QRectF:
        s = self.scale
        return QRectF(x * s, y * s, w * s, h * s)

    def line(
        self, cells: list[str], widths: list[float], size: float = 9, bold: bool = False
    ) -> None:
        h = size * 1.7
        self.need(h)
        self.font(size, bold)
        total = sum(widths)
        if total > self.width:  # never past the right margin: the columns shrink to fit
            widths = [w * self.width / total for w in widths]
        x = 0.0
        for text, w in zip(cells, widths, strict=False):
            self.p.drawText(
                self.rect(x, self.y, w - 4, h),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                text,
            )
            x += w
        self.y += h

    def heading(self, text: str) -> None:
        self.y += 6
        self.need(40)
        self.line([text], [self.width], 12, True)


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if hasattr(v, "strftime"):
        return v.strftime("%m-%d %H:%M")
    return str(v)


def _chart(pg: _Pager, hours: list[int], lang: str) -> None:
    """Bars for passages per hour, with the hour under each bar and the peak labelled."""
    h_chart = 140.0
    pg.need(h_chart + 30)
    top, left = pg.y + 10, 24.0
    width = pg.width - left
    peak = max(hours) or 1
    bar_w = width / 24
    pg.font(7)
    pg.p.setPen(QColor("#444444"))
    pg.p.drawText(pg.rect(0, top - 4, left - 2, 12), Qt.AlignmentFlag.AlignRight, str(peak))
    pg.p.drawLine(
        pg.rect(left, top + h_chart, width, 0).topLeft(),
        pg.rect(left, top + h_chart, width, 0).topRight(),
    )
    for i, n in enumerate(hours):
        bh = h_chart * n / peak
        pg.p.fillRect(
            pg.rect(left + i * bar_w + 2, top + h_chart - bh, bar_w - 4, bh), QColor("#2e7d32")
        )
        pg.p.drawText(
            pg.rect(left + i * bar_w, top + h_chart + 2, bar_w, 12),
            Qt.AlignmentFlag.AlignHCenter,
            f"{i:02d}",
        )
    pg.p.setPen(QColor("#000000"))
    pg.y = top + h_chart + 20


def render_pdf(
    report: Report,
    out: Path,
    *,
    lang: str = "zh",
    masked: bool = True,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> int:
    """Write the report to `out` (the caller makes it atomic). Returns the passages summarised."""
    ensure_gui_app()
    writer = QPdfWriter(str(out))
    writer.setResolution(150)
    writer.setTitle(t("report_title", lang))
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
            QPageLayout.Unit.Millimeter,
        )
    )
    painter = QPainter(writer)
    try:
        family = next((f for f in FONT_FAMILIES if f in _families()), FONT_FAMILIES[0])
        pg = _Pager(painter, writer, family)
        steps = 4

        def step(i: int) -> None:
            if cancel is not None and cancel():
                raise ExportCancelled()
            if progress is not None:
                progress(i, steps)

        pg.line(
            [f"{t('report_title', lang)} · {report.checkpoint_name or report.checkpoint_id}"],
            [pg.width],
            16,
            True,
        )
        pg.line(
            [f"{t('report_period', lang)}: {report.date_from} – {report.date_to}"], [pg.width], 10
        )
        rows = summary_rows(report, lang, masked)
        totals_end = next(i for i, r in enumerate(rows) if i > 3 and not r)
        pg.heading(t("report_totals", lang))
        for r in rows[4:totals_end]:
            pg.line([_fmt(c) for c in r], [200, 100])
        step(1)
        pg.heading(t("report_by_hour", lang))
        _chart(pg, report.by_hour, lang)
        pg.heading(t("report_by_category", lang))
        cat_widths = [120.0, 60.0, 80.0, 80.0]
        pg.line(
            [
                t(c, lang)
                for c in ("col_category", "col_direction", "decision_pass", "decision_refused")
            ],
            cat_widths,
            8,
            True,
        )
        for c in report.by_category:
            pg.line(
                [
                    label("cat", c["category"], lang),
                    label("dir", c["direction"], lang),
                    str(c["passed"]),
                    str(c["refused"]),
                ],
                cat_widths,
            )
        step(2)
        pg.heading(f"{t('report_fevers', lang)} · {t('report_refusals', lang)}")
        widths = [
            58.0,
            42.0,
            30.0,
            40.0,
            46.0,
            62.0,
            62.0,
            36.0,
            88.0,
            46.0,
        ]  # 510 pt: A4 less margins
        pg.line(
            [t(c, lang) for c in PDF_FEVER_HEADERS],
            widths,
            8,
            True,
        )
        for r in fever_refusal_rows(report, lang, masked):
            pg.line(
                [_fmt(c) for c in (r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[10])],
                widths,
                8,
            )
        step(3)
        pg.heading(t("report_shifts", lang))
        shift_widths = [70.0, 80.0, 80.0, 130.0, 100.0, 50.0]
        pg.line(
            [
                t(c, lang)
                for c in (
                    "col_volunteer",
                    "col_start",
                    "col_end",
                    "col_count",
                    "handover_notes",
                    "col_acknowledged",
                )
            ],
            shift_widths,
            8,
            True,
        )
        for s in report.shifts:
            c = s["counts"]
            pg.line(
                [
                    s["volunteer"],
                    _fmt(s["start_local"])[:16].replace("T", " "),
                    _fmt(s["end_local"])[:16].replace("T", " "),
                    (
                        f"{t('count_in', lang)} {c.get('in', 0)} · "
                        f"{t('count_out', lang)} {c.get('out', 0)} · "
                        f"{t('count_refused', lang)} {c.get('refused', 0)}"
                    ),
                    s["handover_note"] or "",
                    s["acknowledged_by"] or "",
                ],
                shift_widths,
                8,
            )
        pg.heading(t("report_notes", lang))
        for e in report.log:
            pg.line(
                [e["ts_local"][5:16].replace("T", " "), e["volunteer"], e["text"]], [70, 70, 380], 8
            )
        if report.digests:
            _digest_footer(pg, report.digests, lang)
        step(4)
    finally:
        painter.end()
    return int(report.totals["passages"])


def _digest_footer(pg: _Pager, digests: list[str], lang: str) -> None:
    """Each signed day digest at the foot of the last page: its text (what verify-report reads
    back with pdftotext) and a small QR code of it (#17)."""
    qr_pt, gap = 96.0, 4.0  # about 3.4 cm: a phone reads it off the printout
    block = qr_pt + gap
    pg.need(12 + block * len(digests))
    pg.y = max(pg.y, pg.height - 12 - block * len(digests))
    pg.p.setPen(QColor("#444444"))
    pg.line([t("digest_label", lang)], [pg.width], 7, True)
    for text in digests:
        top = pg.y
        _qr(pg, text, pg.width - qr_pt, top, qr_pt)
        payload, _, sig = text.partition(" sig=")
        pg.font(5.5)
        for i, part in enumerate(_wrap(payload, 100) + [f"sig={sig}"]):
            pg.p.drawText(
                pg.rect(0, top + i * 9, pg.width - qr_pt - 6, 9),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                part,
            )
        pg.y = top + block
    pg.p.setPen(QColor("#000000"))


def _wrap(text: str, width: int) -> list[str]:
    """Break between fields (spaces), never inside one: pdftotext must read each field whole."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line] if line else lines


def _qr(pg: _Pager, text: str, x: float, y: float, size: float) -> None:
    """The QR code in whole device pixels per module: crisp edges a phone (or OpenCV) reads."""
    import qrcode  # the same generator as the pass cards' QR

    qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_L)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    cell = max(2, int(size * pg.scale / len(matrix)))  # device pixels per module
    left, top = round(x * pg.scale), round(y * pg.scale)
    pg.p.fillRect(QRectF(left, top, cell * len(matrix), cell * len(matrix)), QColor("#ffffff"))
    black = QColor("#000000")
    for r, cells in enumerate(matrix):
        for c, dark in enumerate(cells):
            if dark:
                pg.p.fillRect(QRectF(left + c * cell, top + r * cell, cell, cell), black)


def _families() -> list[str]:
    from PySide6.QtGui import QFontDatabase

    return list(QFontDatabase.families())
