"""Read the first sheet of a workbook within limits: a hostile XLSX is refused, not inflated.

The zip's directory is checked first (sizes, ratio, members); openpyxl then streams the
sheet in read-only mode, rows at most LIMITS wide, stopping at the first row or cell past
the limits. Merged ranges (which read-only mode does not report) are found by scanning the
sheet's XML in chunks and filled from their corner, clipped to the cells actually read.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from app import ziplimits
from app.errors import KnownError

MAX_ROWS = 100_000
MAX_COLS = 200
MAX_CELLS = 2_000_000  # filled cells: a 100,000-row roster has about 12 each
MAX_MERGES = 20_000
EXCEL_MAX_ROWS = 1_048_576
ZIP_LIMITS = ziplimits.ZipLimits(
    max_file_bytes=64 << 20,
    max_members=2_000,
    max_member_bytes=512 << 20,
    max_total_bytes=1 << 30,
    max_ratio=200,
    max_depth=8,
    refuse_nested=False,
)
_MERGE = re.compile(
    rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})\""
)


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _merges(archive: zipfile.ZipFile, part: str) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col) of each merged range, 1-based, from the raw XML."""
    found: list[tuple[int, int, int, int]] = []
    tail = b""
    with archive.open(part) as fh:
        while True:
            chunk = fh.read(ziplimits.CHUNK)
            if not chunk:
                break
            data = tail + chunk
            last = 0
            for m in _MERGE.finditer(data):
                c1, r1, c2, r2 = _col(m[1]), int(m[2]), _col(m[3]), int(m[4])
                found.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
                last = m.end()
                if len(found) > MAX_MERGES:
                    raise KnownError("import_too_big", what="merged ranges", limit=MAX_MERGES)
            tail = data[max(last, len(data) - 256) :]
    return found


def _trimmed(row: tuple[Any, ...]) -> list[Any]:
    end = len(row)
    while end and row[end - 1] is None:
        end -= 1
    return list(row[:end])


def _read_rows(ws: Any) -> list[list[Any]]:
    """Rows as the sheet has them; a filled cell past MAX_ROWS or MAX_COLS refuses the file.
    Without dimensions openpyxl yields an empty tuple for each missing row (cheap) and a row
    only as wide as its last cell, so nothing is allocated for the empty expanse."""
    rows: list[list[Any]] = []
    cells = 0
    last_filled = 0
    for i, raw in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
        row = _trimmed(raw) if raw else []
        if not row:
            if i > EXCEL_MAX_ROWS:
                raise KnownError("import_too_many_rows", limit=MAX_ROWS)
            if i <= MAX_ROWS:
                rows.append(row)
            continue
        if i > MAX_ROWS:
            raise KnownError("import_too_many_rows", limit=MAX_ROWS)
        if len(row) > MAX_COLS:
            raise KnownError("import_too_many_columns", limit=MAX_COLS)
        cells += len(row)
        if cells > MAX_CELLS:
            raise KnownError("import_too_big", what="cells", limit=MAX_CELLS)
        rows.append(row)
        last_filled = i
    return rows[:last_filled]


def read_xlsx(path: Path) -> list[list[Any]]:
    """All rows of the first worksheet, merged cells filled from their corner (clipped to the
    cells read), rows padded to one width."""
    import openpyxl

    try:
        archive = ziplimits.open_checked(path, ZIP_LIMITS)
    except ziplimits.ZipRefused as exc:
        if exc.reason in ("damaged", "unreadable", "no_such_file"):
            raise KnownError("import_unreadable", detail="xlsx/zip") from None
        raise KnownError("import_too_big", what=exc.reason, limit="") from None
    try:
        _check_parts(archive)
    finally:
        archive.close()
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except KnownError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises anything on a hostile file
        raise _unreadable(exc) from None
    try:
        if not wb.worksheets:
            raise KnownError("import_no_sheet")
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # a <dimension> can lie either way: read what is really there
        rows = _read_rows(ws)
        part = getattr(ws, "_worksheet_path", None)
        merges: list[tuple[int, int, int, int]] = []
        if part:
            with zipfile.ZipFile(path) as archive:  # checked above: sizes and ratio
                merges = _merges(archive, str(part).lstrip("/"))
    except KnownError:
        raise
    except Exception as exc:  # noqa: BLE001 - damaged deflate, bad XML, missing parts
        raise _unreadable(exc) from None
    finally:
        wb.close()
    width = max((len(r) for r in rows), default=0)
    for row in rows:
        row.extend([None] * (width - len(row)))
    for min_row, min_col, max_row, max_col in merges:
        if min_row > len(rows) or min_col > width:
            continue
        corner = rows[min_row - 1][min_col - 1]
        for r in range(min_row - 1, min(max_row, len(rows))):
            for c in range(min_col - 1, min(max_col, width)):
                rows[r][c] = corner
    return rows


def _check_parts(archive: zipfile.ZipFile) -> None:
    """A workbook with no worksheet (charts only) or whose worksheet part is missing."""
    try:
        rels = ziplimits.read_member(archive, "xl/_rels/workbook.xml.rels", 1 << 20)
    except ziplimits.ZipRefused:
        return  # openpyxl says what is wrong with it
    targets = re.findall(rb'Type="[^"]*/worksheet"[^>]*Target="([^"]+)"', rels)
    targets += re.findall(rb'Target="([^"]+)"[^>]*Type="[^"]*/worksheet"', rels)
    if not targets:
        raise KnownError("import_no_sheet")
    names = set(archive.namelist())
    for target in targets:
        name = target.decode("utf-8", "replace").lstrip("/")
        if name not in names and f"xl/{name}" not in names:
            raise KnownError("import_sheet_missing")


def _unreadable(exc: Exception) -> KnownError:

    if isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError)):
        return KnownError("import_damaged")
    if isinstance(exc, KeyError):
        return KnownError("import_sheet_missing")
    return KnownError("import_unreadable", detail=type(exc).__name__)
