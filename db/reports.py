"""Read-only queries behind the daily report and the statistics (#5). Voided passages are out."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

_LIVE = "FROM passages p LEFT JOIN voids v ON v.target_id = p.id WHERE v.id IS NULL"
_RANGE = "p.local_date BETWEEN ? AND ?"


def totals(conn: sqlite3.Connection, date_from: str, date_to: str) -> dict[str, int]:
    row = conn.execute(
        f"""
        SELECT count(*) AS passages,
          coalesce(sum(p.decision = 'pass' AND p.direction = 'in'), 0) AS pass_in,
          coalesce(sum(p.decision = 'pass' AND p.direction = 'out'), 0) AS pass_out,
          coalesce(sum(p.decision = 'refused' AND p.direction = 'in'), 0) AS refused_in,
          coalesce(sum(p.decision = 'refused' AND p.direction = 'out'), 0) AS refused_out,
          coalesce(sum(p.decision = 'refused'), 0) AS refused,
          coalesce(sum(p.reason = 'watchlist'), 0) AS watchlist,
          coalesce(sum(p.override_reason IS NOT NULL), 0) AS overrides,
          coalesce(sum(p.backfill_page IS NOT NULL), 0) AS backfilled
        {_LIVE} AND {_RANGE}
        """,
        (date_from, date_to),
    ).fetchone()
    out = {k: int(row[k]) for k in row.keys()}  # noqa: SIM118  (sqlite3.Row iterates values)
    out["fever_checks"] = int(
        conn.execute(
            "SELECT count(*) FROM fever_checks WHERE local_date BETWEEN ? AND ?",
            (date_from, date_to),
        ).fetchone()[0]
    )
    out["voided"] = int(
        conn.execute(
            f"SELECT count(*) FROM passages p JOIN voids v ON v.target_id = p.id WHERE {_RANGE}",
            (date_from, date_to),
        ).fetchone()[0]
    )
    return out


def by_category(conn: sqlite3.Connection, date_from: str, date_to: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        f"""
        SELECT p.category, p.direction,
          sum(p.decision = 'pass') AS passed, sum(p.decision = 'refused') AS refused
        {_LIVE} AND {_RANGE} GROUP BY p.category, p.direction ORDER BY p.category, p.direction
        """,
        (date_from, date_to),
    ).fetchall()
    return [dict(r) for r in rows]


def by_hour(conn: sqlite3.Connection, date_from: str, date_to: str) -> list[int]:
    """Passages per local hour of day (0–23), summed over the range."""
    hours = [0] * 24
    for r in conn.execute(
        f"SELECT CAST(substr(p.ts_local, 12, 2) AS INTEGER) AS h, count(*) AS n "
        f"{_LIVE} AND {_RANGE} GROUP BY h",
        (date_from, date_to),
    ):
        if 0 <= r["h"] <= 23:
            hours[r["h"]] = int(r["n"])
    return hours


def per_day(conn: sqlite3.Connection, date_from: str, date_to: str) -> dict[str, dict[str, int]]:
    """For each local date with data: passages, refusals, fevers."""
    days: dict[str, dict[str, int]] = {}
    for r in conn.execute(
        "SELECT p.local_date AS d, count(*) AS n, "
        "coalesce(sum(p.decision = 'refused'), 0) AS refused "
        f"{_LIVE} AND {_RANGE} GROUP BY p.local_date",
        (date_from, date_to),
    ):
        days[r["d"]] = {"passages": int(r["n"]), "refused": int(r["refused"]), "fever": 0}
    for r in conn.execute(
        "SELECT local_date AS d, count(*) AS n FROM fever_checks "
        "WHERE local_date BETWEEN ? AND ? GROUP BY local_date",
        (date_from, date_to),
    ):
        days.setdefault(r["d"], {"passages": 0, "refused": 0, "fever": 0})["fever"] = int(r["n"])
    return days


def count_passages(conn: sqlite3.Connection, date_from: str, date_to: str) -> int:
    return int(
        conn.execute(f"SELECT count(*) {_LIVE} AND {_RANGE}", (date_from, date_to)).fetchone()[0]
    )


# the columns of a report row, in this order (plain tuples: a big day is read fast)
REPORT_COLUMNS = (
    "ts_local",
    "checkpoint_id",
    "direction",
    "category",
    "code_color",
    "temperature",
    "retest_temperature",
    "decision",
    "reason",
    "override_reason",
    "disposition",
    "person_name",
    "id_number",
    "building",
    "unit",
    "room",
    "volunteer",
    "note",
    "clock_suspect",  # #17
    "clock_trusted_utc",
    "clock_offset_s",
    "backfill_page",  # #17: 补录
    "entered_utc",
    "entered_by",
)


def iter_passages(
    conn: sqlite3.Connection, date_from: str, date_to: str, batch: int = 500
) -> Iterator[tuple[Any, ...]]:
    """Non-voided passages in time order as REPORT_COLUMNS tuples, fetched in batches so
    memory stays flat however big the day is."""
    cols = ", ".join(f"p.{c}" for c in REPORT_COLUMNS)
    cur = conn.cursor()
    cur.row_factory = None
    cur.execute(
        f"SELECT {cols} {_LIVE} AND {_RANGE} ORDER BY p.ts_utc, p.rowid", (date_from, date_to)
    )
    while True:
        rows = cur.fetchmany(batch)
        if not rows:
            return
        yield from rows
        del rows  # do not hold two batches while fetching the next


def fevers(conn: sqlite3.Connection, date_from: str, date_to: str) -> list[dict[str, Any]]:
    """Each first fever reading with its re-test outcome (a voided outcome counts as none)."""
    rows = conn.execute(
        """
        SELECT f.*, p.id AS outcome_id, p.retest_temperature, p.decision, p.disposition,
               p.note, p.ts_local AS outcome_local
        FROM fever_checks f
        LEFT JOIN passages p ON p.fever_check_id = f.id
            AND NOT EXISTS (SELECT 1 FROM voids v WHERE v.target_id = p.id)
        WHERE f.local_date BETWEEN ? AND ? ORDER BY f.ts_utc
        """,
        (date_from, date_to),
    ).fetchall()
    return [dict(r) for r in rows]


def refusals(conn: sqlite3.Connection, date_from: str, date_to: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        f"SELECT p.* {_LIVE} AND {_RANGE} AND p.decision = 'refused' ORDER BY p.ts_utc",
        (date_from, date_to),
    ).fetchall()
    return [dict(r) for r in rows]


def refusal_reasons(conn: sqlite3.Connection, date_from: str, date_to: str) -> dict[str, int]:
    rows = conn.execute(
        f"SELECT coalesce(p.reason, 'other') AS reason, count(*) AS n {_LIVE} AND {_RANGE} "
        "AND p.decision = 'refused' GROUP BY 1 ORDER BY 2 DESC",
        (date_from, date_to),
    ).fetchall()
    return {r["reason"]: int(r["n"]) for r in rows}


def bulk_insert(
    conn: sqlite3.Connection, table: str, columns: tuple[str, ...], rows: list[tuple]
) -> None:
    """Many rows in one statement (demo data); the caller holds the transaction."""
    if rows:
        marks = ", ".join("?" for _ in columns)
        conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
