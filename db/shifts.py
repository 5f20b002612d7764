"""Inserts and reads for volunteers, shift events and the shift log (#5)."""

from __future__ import annotations

import sqlite3
from typing import Any

SHIFT_EVENT_COLUMNS = (
    "id",
    "ts_utc",
    "ts_local",
    "local_date",
    "checkpoint_id",
    "shift_id",
    "kind",
    "volunteer_id",
    "volunteer",
    "phone",
    "confirmed",
    "summary",
    "note",
)
SHIFT_LOG_COLUMNS = (
    "id",
    "ts_utc",
    "ts_local",
    "local_date",
    "checkpoint_id",
    "shift_id",
    "volunteer",
    "text",
)
VOLUNTEER_COLUMNS = ("id", "ts_utc", "name", "phone")


def _insert(
    conn: sqlite3.Connection, table: str, columns: tuple[str, ...], row: dict[str, Any]
) -> None:
    marks = ", ".join("?" for _ in columns)
    conn.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
        [row.get(c) for c in columns],
    )


def _one(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
    """The first row of a query as a dict, or None."""
    row = conn.execute(sql, params).fetchone()
    return dict(row) if row else None


def _all(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(sql, params).fetchall()]


def insert_volunteer(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    _insert(conn, "volunteers", VOLUNTEER_COLUMNS, row)


def insert_shift_event(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    _insert(conn, "shift_events", SHIFT_EVENT_COLUMNS, row)


def insert_shift_log(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    _insert(conn, "shift_log", SHIFT_LOG_COLUMNS, row)


def volunteers(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Known volunteers, the most recently on duty first; a name+phone pair is one person."""
    return _all(
        conn,
        """
        SELECT v.*, (SELECT max(s.ts_utc) FROM shift_events s WHERE s.volunteer_id = v.id) AS last
        FROM volunteers v ORDER BY last IS NULL, last DESC, v.name
        """,
    )


def get_volunteer(conn: sqlite3.Connection, volunteer_id: str) -> dict[str, Any] | None:
    return _one(conn, "SELECT * FROM volunteers WHERE id = ?", (volunteer_id,))


def find_volunteer(conn: sqlite3.Connection, name: str, phone: str | None) -> dict[str, Any] | None:
    return _one(
        conn,
        "SELECT * FROM volunteers WHERE name = ? AND coalesce(phone, '') = coalesce(?, '')",
        (name, phone),
    )


def open_shift(conn: sqlite3.Connection, checkpoint_id: str) -> dict[str, Any] | None:
    """The latest started shift at this checkpoint that has not ended."""
    return _one(
        conn,
        """
        SELECT s.* FROM shift_events s
        WHERE s.checkpoint_id = ? AND s.kind = 'start'
          AND NOT EXISTS (
            SELECT 1 FROM shift_events e WHERE e.shift_id = s.shift_id AND e.kind = 'end')
        ORDER BY s.ts_utc DESC LIMIT 1
        """,
        (checkpoint_id,),
    )


def shift_event(conn: sqlite3.Connection, shift_id: str, kind: str) -> dict[str, Any] | None:
    return _one(
        conn,
        "SELECT * FROM shift_events WHERE shift_id = ? AND kind = ? ORDER BY ts_utc LIMIT 1",
        (shift_id, kind),
    )


def last_ended_shift(conn: sqlite3.Connection, checkpoint_id: str) -> dict[str, Any] | None:
    return _one(
        conn,
        "SELECT * FROM shift_events WHERE checkpoint_id = ? AND kind = 'end' "
        "ORDER BY ts_utc DESC LIMIT 1",
        (checkpoint_id,),
    )


def shifts_between(
    conn: sqlite3.Connection, date_from: str, date_to: str, checkpoint_id: str | None = None
) -> list[dict[str, Any]]:
    """Shifts overlapping the local dates [date_from, date_to], with their end and ack."""
    return _all(
        conn,
        """
        SELECT s.shift_id, s.checkpoint_id, s.volunteer, s.phone, s.ts_utc AS start_utc,
               s.ts_local AS start_local, e.ts_utc AS end_utc, e.ts_local AS end_local,
               e.confirmed, e.summary, e.note AS handover_note,
               a.volunteer AS acknowledged_by, a.ts_local AS ack_local
        FROM shift_events s
        LEFT JOIN shift_events e ON e.shift_id = s.shift_id AND e.kind = 'end'
        LEFT JOIN shift_events a ON a.shift_id = s.shift_id AND a.kind = 'ack'
        WHERE s.kind = 'start' AND s.local_date <= ?
          AND (e.id IS NULL OR e.local_date >= ?)
          AND (? IS NULL OR s.checkpoint_id = ?)
        ORDER BY s.ts_utc
        """,
        (date_to, date_from, checkpoint_id, checkpoint_id),
    )


def on_duty_at(conn: sqlite3.Connection, checkpoint_id: str, ts_utc: str) -> dict[str, Any] | None:
    """Who had signed in at this checkpoint at a moment (the inspection team's question)."""
    return _one(
        conn,
        """
        SELECT s.* FROM shift_events s
        LEFT JOIN shift_events e ON e.shift_id = s.shift_id AND e.kind = 'end'
        WHERE s.checkpoint_id = ? AND s.kind = 'start' AND s.ts_utc <= ?
          AND (e.id IS NULL OR e.ts_utc > ?)
        ORDER BY s.ts_utc DESC LIMIT 1
        """,
        (checkpoint_id, ts_utc, ts_utc),
    )


def shift_log_for_shift(conn: sqlite3.Connection, shift_id: str) -> list[dict[str, Any]]:
    return _all(conn, "SELECT * FROM shift_log WHERE shift_id = ? ORDER BY ts_utc", (shift_id,))


def shift_log_between(
    conn: sqlite3.Connection, date_from: str, date_to: str
) -> list[dict[str, Any]]:
    return _all(
        conn,
        "SELECT * FROM shift_log WHERE local_date BETWEEN ? AND ? ORDER BY ts_utc",
        (date_from, date_to),
    )


def counts_between(
    conn: sqlite3.Connection, checkpoint_id: str, start_utc: str, end_utc: str
) -> dict[str, int]:
    """Counts for a time span (a shift may cross midnight), voided records excluded."""
    row = conn.execute(
        """
        SELECT
          coalesce(sum(p.decision = 'pass' AND p.direction = 'in'), 0) AS passed_in,
          coalesce(sum(p.decision = 'pass' AND p.direction = 'out'), 0) AS passed_out,
          coalesce(sum(p.decision = 'refused'), 0) AS refused,
          coalesce(sum(p.reason = 'watchlist'), 0) AS watchlist
        FROM passages p LEFT JOIN voids v ON v.target_id = p.id
        WHERE p.checkpoint_id = ? AND p.ts_utc >= ? AND p.ts_utc < ? AND v.id IS NULL
        """,
        (checkpoint_id, start_utc, end_utc),
    ).fetchone()
    fevers = conn.execute(
        "SELECT count(*) FROM fever_checks WHERE checkpoint_id = ? AND ts_utc >= ? AND ts_utc < ?",
        (checkpoint_id, start_utc, end_utc),
    ).fetchone()[0]
    return {
        "in": int(row["passed_in"]),
        "out": int(row["passed_out"]),
        "refused": int(row["refused"]),
        "watchlist": int(row["watchlist"]),
        "fever": int(fevers),
    }


def any_shift(conn: sqlite3.Connection, checkpoint_id: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM shift_events WHERE checkpoint_id = ? AND kind = 'start' LIMIT 1",
        (checkpoint_id,),
    ).fetchone()
    return row is not None
