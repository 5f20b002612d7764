"""The day's export across gates as CSV (with a BOM, for Excel and WPS) or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from server.officer.queries import EXPORT_COLUMNS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    """The header and rows as UTF-8 CSV with a BOM."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_bytes(day: str, rows: Sequence[Sequence[Any]]) -> bytes:
    """The header and rows as one sheet named after the day."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(day)
    ws.append(list(EXPORT_COLUMNS))
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
