"""Spreadsheet cells that stay text: what every export (the day's log, the roster, the
server's district files) writes where a person's text could start a formula."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Excel, WPS and LibreOffice run a cell that starts with one of these as a formula (or DDE)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)  # the same, for a hashed look-up a cell


def csv_safe(value: Any) -> Any:
    """A cell must never become a formula: text starting with = + - @, tab or CR gets an
    apostrophe in front (a lone "-", an empty value's mark, stays as it is)."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS and value != "-":
        return "'" + value
    return value


def csv_safe_row(row: Iterable[Any]) -> list[Any]:
    """csv_safe on every cell of a row, None written as an empty cell: the same rule in one
    pass, for the district exports' millions of cells (#15)."""
    return [
        ""
        if v is None
        else "'" + v
        if isinstance(v, str) and v[:1] in _FORMULA_FIRST and v != "-"
        else v
        for v in row
    ]
