"""Inserts and reads for the gate's records. No rules here: app.gate decides, this stores."""

from __future__ import annotations

import sqlite3
from typing import Any

# a fever check is the start of a passage: who, when, where, the first reading
FEVER_COLUMNS = (
    "id",
    "ts_utc",
    "ts_local",
    "local_date",
    "checkpoint_id",
    "volunteer",
    "direction",
    "category",
    "code_color",
    "payload_kind",
    "payload_hash",
    "identity_method",
    "person_name",
    "id_number",
    "building",
    "unit",
    "room",
    "resident_id",
    "temperature",
)
PASSAGE_COLUMNS = FEVER_COLUMNS + (
    "fever",
    "fever_check_id",
    "retest_temperature",
    "decision",
    "reason",
    "override_reason",
    "disposition",
    "note",
    "clock_suspect",  # #17: written while the clock was in doubt (NULL/0: trusted)
    "clock_trusted_utc",
    "clock_offset_s",
    "backfill_page",  # #17: typed in from the paper register (NULL: recorded at the desk)
    "entered_utc",
    "entered_by",
)


def _insert(
    conn: sqlite3.Connection, table: str, columns: tuple[str, ...], row: dict[str, Any]
) -> None:
    values = [row.get(c) for c in columns]
    marks = ", ".join("?" for _ in columns)
    conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values)


def insert_passage(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    _insert(conn, "passages", PASSAGE_COLUMNS, row)


def insert_fever_check(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    _insert(conn, "fever_checks", FEVER_COLUMNS, row)


def insert_void(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    _insert(conn, "voids", ("id", "ts_utc", "ts_local", "target_id", "reason", "volunteer"), row)


def get_passage(conn: sqlite3.Connection, passage_id: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM passages WHERE id = ?", (passage_id,)).fetchone()
    return dict(row) if row else None


def void_of(conn: sqlite3.Connection, passage_id: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM voids WHERE target_id = ?", (passage_id,)).fetchone()
    return dict(row) if row else None


def last_unvoided_passage(conn: sqlite3.Connection, checkpoint_id: str) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT p.* FROM passages p LEFT JOIN voids v ON v.target_id = p.id "
        "WHERE v.id IS NULL AND p.checkpoint_id = ? ORDER BY p.ts_utc DESC, p.rowid DESC LIMIT 1",
        (checkpoint_id,),
    ).fetchone()
    return dict(row) if row else None


def last_void(conn: sqlite3.Connection, checkpoint_id: str) -> dict[str, Any] | None:
    """The newest void of a passage recorded at this checkpoint."""
    row = conn.execute(
        "SELECT v.* FROM voids v JOIN passages p ON p.id = v.target_id "
        "WHERE p.checkpoint_id = ? ORDER BY v.ts_utc DESC, v.rowid DESC LIMIT 1",
        (checkpoint_id,),
    ).fetchone()
    return dict(row) if row else None


def recent_passages(conn: sqlite3.Connection, limit: int = 50) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT p.*, v.id IS NOT NULL AS voided FROM passages p "
        "LEFT JOIN voids v ON v.target_id = p.id ORDER BY p.ts_utc DESC, p.rowid DESC LIMIT ?",
        (limit,),
    ).fetchall()
    return [dict(r) for r in rows]


def day_counters(conn: sqlite3.Connection, local_date: str) -> dict[str, int]:
    """Counts for one local day, voided records excluded."""
    row = conn.execute(
        """
        SELECT
          coalesce(sum(p.decision = 'pass' AND p.direction = 'in'), 0) AS passed_in,
          coalesce(sum(p.decision = 'pass' AND p.direction = 'out'), 0) AS passed_out,
          coalesce(sum(p.decision = 'refused'), 0) AS refused
        FROM passages p LEFT JOIN voids v ON v.target_id = p.id
        WHERE p.local_date = ? AND v.id IS NULL
        """,
        (local_date,),
    ).fetchone()
    fevers = conn.execute(
        "SELECT count(*) FROM fever_checks WHERE local_date = ?", (local_date,)
    ).fetchone()[0]
    return {
        "in": int(row["passed_in"]),
        "out": int(row["passed_out"]),
        "refused": int(row["refused"]),
        "fever": int(fevers),
    }


# Visitors and couriers who came in and have no later matching out (by identity), from a day
# on. `+p.ts_utc`: sorted after the search, so SQLite reads only the days asked for through
# passages_by_date instead of walking every passage in time order (#12: a full scan of a year
# on the GUI thread at every refresh and at start).
_VISITORS_INSIDE = """
    FROM passages p LEFT JOIN voids v ON v.target_id = p.id
    WHERE v.id IS NULL AND p.decision = 'pass' AND p.direction = 'in'
      AND p.category IN ('visitor', 'courier') AND p.local_date >= ?
      AND NOT EXISTS (
        SELECT 1 FROM passages q LEFT JOIN voids w ON w.target_id = q.id
        WHERE w.id IS NULL AND q.decision = 'pass' AND q.direction = 'out'
          AND q.ts_utc > p.ts_utc AND q.category = p.category
          AND coalesce(q.payload_hash, q.id_number, q.person_name, '') =
              coalesce(p.payload_hash, p.id_number, p.person_name, '')
          AND coalesce(q.payload_hash, q.id_number, q.person_name) IS NOT NULL
      )
"""


def visitors_inside(conn: sqlite3.Connection, since_local_date: str) -> list[dict[str, Any]]:
    """Visitors and couriers who came in and have no later matching out (by identity)."""
    rows = conn.execute(
        f"SELECT p.* {_VISITORS_INSIDE} ORDER BY +p.ts_utc", (since_local_date,)
    ).fetchall()
    return [dict(r) for r in rows]


def count_visitors_inside(conn: sqlite3.Connection, since_local_date: str) -> int:
    """How many visitors_inside() would return, without making a row of each (the counters
    after every passage only show the number)."""
    return int(
        conn.execute(f"SELECT count(*) {_VISITORS_INSIDE}", (since_local_date,)).fetchone()[0]
    )


def pending_fever_checks(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT f.* FROM fever_checks f WHERE NOT EXISTS "
        "(SELECT 1 FROM passages p WHERE p.fever_check_id = f.id) ORDER BY f.ts_utc"
    ).fetchall()
    return [dict(r) for r in rows]


def get_fever_check(conn: sqlite3.Connection, fever_id: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM fever_checks WHERE id = ?", (fever_id,)).fetchone()
    return dict(row) if row else None
