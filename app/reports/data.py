"""Gather one report (a day or a date range) from the database: plain data, no formatting."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from typing import Any

from app.errors import KnownError
from app.reports.model import Report
from db import reports as q
from db import shifts as shift_db


def parse_range(date_from: str, date_to: str | None = None) -> tuple[str, str]:
    """Validate YYYY-MM-DD dates; the end defaults to the start and may not precede it."""
    parsed = []
    for value in (date_from, date_to or date_from):
        try:
            parsed.append(date.fromisoformat(str(value).strip()))
        except ValueError:
            raise KnownError("export_bad_date", value=value) from None
    if parsed[1] < parsed[0]:
        raise KnownError("export_bad_range")
    return parsed[0].isoformat(), parsed[1].isoformat()


def gather(
    conn: sqlite3.Connection,
    date_from: str,
    date_to: str,
    checkpoint_id: str = "",
    checkpoint_name: str = "",
) -> Report:
    shifts = []
    for s in shift_db.shifts_between(conn, date_from, date_to):
        summary = json.loads(s["summary"]) if s.get("summary") else {}
        s = dict(s)
        s["counts"] = summary.get("counts") or shift_db.counts_between(
            conn, s["checkpoint_id"], s["start_utc"], s["end_utc"] or "9999"
        )
        shifts.append(s)
    return Report(
        date_from,
        date_to,
        checkpoint_id,
        checkpoint_name,
        totals=q.totals(conn, date_from, date_to),
        by_category=q.by_category(conn, date_from, date_to),
        by_hour=q.by_hour(conn, date_from, date_to),
        refusal_reasons=q.refusal_reasons(conn, date_from, date_to),
        fevers=q.fevers(conn, date_from, date_to),
        refusals=q.refusals(conn, date_from, date_to),
        shifts=shifts,
        log=shift_db.shift_log_between(conn, date_from, date_to),
    )


def daily_series(conn: sqlite3.Connection, last_day: date, days: int = 14) -> list[dict[str, Any]]:
    """Fevers, refusals and passages for each of the last `days` days (zeros included)."""
    first = last_day - timedelta(days=days - 1)
    found = q.per_day(conn, first.isoformat(), last_day.isoformat())
    out = []
    for i in range(days):
        d = (first + timedelta(days=i)).isoformat()
        out.append({"date": d, **found.get(d, {"passages": 0, "refused": 0, "fever": 0})})
    return out


def hourly(conn: sqlite3.Connection, day: date) -> list[int]:
    return q.by_hour(conn, day.isoformat(), day.isoformat())
