"""Write the report as CSV (UTF-8 with BOM) or XLSX (streamed): masked unless told otherwise.

Files are written under a temporary name next to the target and moved into place only when
complete, so a cancel (or Ctrl-C, or a crash) never leaves half a file behind.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from app import files
from app.cells import csv_safe
from app.errors import KnownError
from app.i18n import t
from app.reports.digest import Digester, Signer
from app.reports.model import Report
from app.reports.rows import (  # noqa: F401  (re-exported for callers)
    FEVER_HEADERS,
    PASSAGE_HEADERS,
    PASSAGE_TEXT_CELLS,
    PASSAGE_WIDTHS,
    Cancel,
    ExportCancelled,
    Progress,
    fever_refusal_rows,
    label,
    passage_values,
    summary_rows,
)
from db import reports as q

CHECK_EVERY = 500
CHECK_WIDTH = 18  # the check-code column (#17)


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """app.files.atomic_output, with the export's own word for a folder that is not there."""
    path = Path(path)
    if not path.parent.is_dir():
        raise KnownError("export_no_dir", path=str(path.parent))
    with files.atomic_output(path) as tmp:
        yield tmp


_csv_text = csv_safe  # the name this module's writers use


ID_CELL = PASSAGE_HEADERS.index("col_id_number")
TEMP_CELLS = tuple(PASSAGE_HEADERS.index(c) for c in ("col_temperature", "col_retest"))


def _csv_row(row: Any, lang: str, masked: bool) -> list[Any]:
    values = passage_values(row, lang, masked, text_time=True)
    for i in PASSAGE_TEXT_CELLS:
        values[i] = _csv_text(values[i])
    if not masked and values[ID_CELL]:
        values[ID_CELL] = f"{values[ID_CELL]}\t"  # Excel/WPS keep an 18-digit ID as text
    return values


@dataclass(frozen=True)
class Options:
    """What a report file is written with: the language, masked or not, progress and cancel,
    and the gate's key with the time zone of its day digests (#17)."""

    lang: str = "zh"
    masked: bool = True
    progress: Progress | None = None
    cancel: Cancel | None = None
    signer: Signer | None = None
    tz: tzinfo | None = None

    def tick(self, done: int, total: int) -> None:
        if self.cancel is not None and self.cancel():
            raise ExportCancelled()
        if self.progress is not None:
            self.progress(done, total)

    @property
    def headers(self) -> tuple[str, ...]:
        """The passage columns, and the check code's when the gate signs (#17)."""
        return (*PASSAGE_HEADERS, "col_check") if self.signer else PASSAGE_HEADERS


DEFAULT = Options()


def _write_passages(
    conn: sqlite3.Connection,
    report: Report,
    opts: Options,
    digester: Digester,
    total: int,
    cells: Callable[[Any], list[Any]],
    write: Callable[[list[Any]], object],
) -> int:
    """Write the report's passages as cells, each ending in its check code when the gate signs,
    with progress and cancel every CHECK_EVERY rows. Returns the number written."""
    done = 0
    for row in q.iter_passages(conn, report.date_from, report.date_to):
        values = cells(row)
        if opts.signer is not None:
            values.append(digester.add(values))
        write(values)
        done += 1
        if done % CHECK_EVERY == 0:
            opts.tick(done, total)
    return done


def write_csv(conn: sqlite3.Connection, report: Report, out: Path, opts: Options = DEFAULT) -> int:
    """The passage log as CSV with a BOM so Excel and WPS read the Chinese right. With the
    gate's key (signer), each row ends in its check code and each day gets a signed digest
    row after a blank line (#17)."""
    total = q.count_passages(conn, report.date_from, report.date_to)
    digester = Digester(report.date_from, report.date_to)
    with atomic_output(out) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([t(h, opts.lang) for h in opts.headers])
        cells = functools.partial(_csv_row, lang=opts.lang, masked=opts.masked)
        done = _write_passages(conn, report, opts, digester, total, cells, writer.writerow)
        if opts.signer is not None:
            writer.writerow([])
            for d in digester.digests(conn, opts.signer, opts.masked, opts.tz):
                writer.writerow([t("digest_label", opts.lang), d.day, d.n, d.text()])
        opts.tick(done, total)
    return done


def day_digests(conn: sqlite3.Connection, report: Report, opts: Options) -> list[str]:
    """The digest lines of the report's days, as the CSV of the same choices would carry them
    (the PDF prints these: it has no rows of its own to check); none without the gate's key."""
    if opts.signer is None:
        return []
    digester = Digester(report.date_from, report.date_to)
    for row in q.iter_passages(conn, report.date_from, report.date_to):
        digester.add(_csv_row(row, opts.lang, opts.masked))
    return [d.text() for d in digester.digests(conn, opts.signer, opts.masked, opts.tz)]


def summary_path(out: Path) -> Path:
    """The summary CSV that goes next to a passage-log CSV: FILE-summary.csv."""
    out = Path(out)
    return out.with_name(f"{out.stem}-summary{out.suffix or '.csv'}")


def _summary_cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if value is None:
        return ""
    return _csv_text(value)


def write_summary_csv(report: Report, out: Path, *, lang: str = "zh", masked: bool = True) -> int:
    """The report's summary as CSV (BOM): totals by direction, category and hour, refusal
    reasons, shifts and notes, then every fever (with its re-test outcome and disposition) and
    every other refusal with its reason. Returns the number of fever/refusal rows."""
    events = fever_refusal_rows(report, lang, masked)
    with atomic_output(out) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        for row in summary_rows(report, lang, masked):
            writer.writerow([_summary_cell(v) for v in row])
        writer.writerow([])
        writer.writerow([f"{t('report_fevers', lang)}·{t('report_refusals', lang)}"])
        writer.writerow([t(h, lang) for h in FEVER_HEADERS])
        for row in events:
            writer.writerow([_summary_cell(v) for v in row])
    return len(events)


def _xlsx_cells(ws: Any, values: list[Any], temps: tuple[int, ...] = TEMP_CELLS) -> list[Any]:
    """Temperatures show one decimal (38.0, not 38): a number cell with the format 0.0; text
    starting with = stays text (openpyxl would write it as a formula)."""
    from openpyxl.cell import WriteOnlyCell  # lazy: openpyxl is heavy, CSV needs none

    for i, v in enumerate(values):
        if isinstance(v, str) and v[:1] == "=":  # a note is text, never a formula (#17)
            cell = WriteOnlyCell(ws, value=v)
            cell.data_type = "s"
            values[i] = cell
    for i in temps:
        if values[i] is not None:
            cell = WriteOnlyCell(ws, value=values[i])
            cell.number_format = "0.0"
            values[i] = cell
    return values


def _sheet(wb: Any, title: str, headers: list[str], widths: tuple[int, ...]) -> Any:
    from openpyxl.utils import get_column_letter  # lazy: openpyxl is heavy, CSV needs none

    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    if headers:
        ws.append(headers)
    return ws


def write_xlsx(conn: sqlite3.Connection, report: Report, out: Path, opts: Options = DEFAULT) -> int:
    """Three sheets (passages, summary, fevers & refusals), written row by row (write_only);
    with the gate's key, a check-code column and a fourth sheet of signed day digests (#17)."""
    from openpyxl import Workbook  # lazy: openpyxl is heavy, CSV needs none

    total = q.count_passages(conn, report.date_from, report.date_to)
    with atomic_output(out) as tmp:
        wb = Workbook(write_only=True)
        try:
            _fill_xlsx(wb, conn, report, opts, total)
        except BaseException:
            _discard(wb)
            raise
        wb.save(tmp)
    return total


def _discard(wb: Any) -> None:
    """Close a half-written workbook's sheets and drop their temporary files."""
    for ws in wb.worksheets:
        with contextlib.suppress(Exception):
            ws.close()
        with contextlib.suppress(Exception):
            os.unlink(ws._writer.out)


def _fill_xlsx(
    wb: Any, conn: sqlite3.Connection, report: Report, opts: Options, total: int
) -> None:
    lang, masked = opts.lang, opts.masked
    digester = Digester(report.date_from, report.date_to)
    headers = opts.headers
    widths = (*PASSAGE_WIDTHS, CHECK_WIDTH) if opts.signer else PASSAGE_WIDTHS
    ws = _sheet(wb, t("total_passages", lang), [t(h, lang) for h in headers], widths)
    # the filter arrows on the header row (the range is known up front: write_only sheets
    # cannot be rewritten once rows are in)
    from openpyxl.utils import get_column_letter

    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{total + 1}"
    cells = functools.partial(passage_values, lang=lang, masked=masked)
    done = _write_passages(
        conn, report, opts, digester, total, cells, lambda v: ws.append(_xlsx_cells(ws, v))
    )
    summary = _sheet(wb, t("report_totals", lang), [], (22, 14, 20, 20, 8, 8, 8, 8, 30, 12))
    for r in summary_rows(report, lang, masked):
        summary.append(r)
    fev = _sheet(
        wb,
        f"{t('report_fevers', lang)}·{t('report_refusals', lang)}",
        [t(h, lang) for h in FEVER_HEADERS],
        (20, 10, 8, 9, 10, 14, 16, 10, 22, 16, 12, 24),
    )
    fever_temps = tuple(FEVER_HEADERS.index(c) for c in ("col_temperature", "col_retest"))
    for r in fever_refusal_rows(report, lang, masked):
        fev.append(_xlsx_cells(fev, r, fever_temps))
    if opts.signer is not None:
        sheet = _sheet(
            wb,
            t("digest_label", lang),
            [t(h, lang) for h in ("col_day", "col_count", "digest_label")],
            (12, 8, 120),
        )
        for d in digester.digests(conn, opts.signer, masked, opts.tz):
            sheet.append([d.day, d.n, d.text()])
    opts.tick(done, total)
