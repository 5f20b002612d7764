"""The day's export across gates as CSV (with a BOM, for Excel and WPS) or XLSX: the date
checked before it reaches a file name, cells that a spreadsheet would run as a formula
neutralised, and the XLSX split into sheets before Excel's row limit."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import IO, Any

from app.cells import csv_safe, csv_safe_row
from server.officer.queries import EXPORT_COLUMNS, iter_csv_lines, iter_raw_export_rows
from server.officer.xlsx import write_xlsx
from server.store import Store

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_ROWS = 1_000_000  # data rows per sheet: below Excel's 1,048,576 with the header
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def valid_day(text: str) -> bool:
    """Only a real YYYY-MM-DD date: it goes into a file name, a sheet name and a header."""
    if not _DAY.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def attachment(name: str) -> str:
    """A Content-Disposition naming one file (names here are ours: ASCII, no quotes)."""
    if not re.fullmatch(r"[A-Za-z0-9._-]+", name):
        raise ValueError(f"unsafe file name: {name!r}")
    return f'attachment; filename="{name}"'


safe_cell = csv_safe  # one rule for every export (app/cells.py)


def _rows(store: Store, day: str) -> Iterator[list[Any]]:
    return map(csv_safe_row, iter_raw_export_rows(store, day))


CSV_BATCH = 2000  # rows per chunk sent
# a body may hold a lone surrogate ("\ud800" is valid JSON): written as "?", not a failed export
_UNPAIRED = "replace"


def csv_chunks(store: Store, day: str) -> Iterator[bytes]:
    """The header and that day's rows as UTF-8 CSV with a BOM (CRLF line ends, as the csv
    module writes them), a few thousand rows a chunk; memory flat in the day's events."""
    head = io.StringIO()
    head.write("\ufeff")
    csv.writer(head).writerow(EXPORT_COLUMNS)
    yield head.getvalue().encode("utf-8")
    lines = iter_csv_lines(store, day)
    while batch := list(itertools.islice(lines, CSV_BATCH)):
        batch.append("")
        yield "\r\n".join(batch).encode("utf-8", _UNPAIRED)


def csv_bytes(store: Store, day: str) -> bytes:
    """The whole CSV at once (small days, tests)."""
    return b"".join(csv_chunks(store, day))


def xlsx_bytes(store: Store, day: str) -> bytes:
    """The header and that day's rows, a new sheet (with the header again) every SHEET_ROWS."""
    return xlsx_from_rows(day, _rows(store, day))


def xlsx_to(store: Store, day: str, out: IO[bytes]) -> int:
    """xlsx_bytes into a (temporary) file: memory flat in the day's events; the sheets."""
    return write_xlsx(out, sheet_names(day), EXPORT_COLUMNS, _split(_rows(store, day)))


def xlsx_from_rows(day: str, rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.BytesIO()
    write_xlsx(out, sheet_names(day), EXPORT_COLUMNS, _split(rows))
    return out.getvalue()


def sheet_names(day: str) -> Iterator[str]:
    """The day, then day-2, day-3 ... when the rows need more than one sheet."""
    yield day
    for i in itertools.count(2):
        yield f"{day}-{i}"


def _split(rows: Iterable[Sequence[Any]]) -> Iterator[Iterator[Sequence[Any]]]:
    """The rows SHEET_ROWS at a time, each part consumed before the next is asked for."""
    rows = iter(rows)
    for first in rows:
        yield itertools.chain((first,), itertools.islice(rows, SHEET_ROWS - 1))


def file_chunks(fh: IO[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    """A file sent a megabyte at a time, closed at the end (or when the client goes away)."""
    with fh:
        while data := fh.read(size):
            yield data
