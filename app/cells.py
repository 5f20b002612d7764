"""Spreadsheet cells that stay text: what every export (the day's log, the roster, the
server's district files) writes where a person's text could start a formula."""

from __future__ import annotations

from typing import Any

# Excel, WPS and LibreOffice run a cell that starts with one of these as a formula (or DDE)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """A cell must never become a formula: text starting with = + - @, tab or CR gets an
    apostrophe in front (a lone "-", an empty value's mark, stays as it is)."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS and value != "-":
        return "'" + value
    return value
