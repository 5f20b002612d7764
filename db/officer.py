"""The officer's tables: the audit log (append-only, with its outbox event) and the PIN hash."""

from __future__ import annotations

import sqlite3
from typing import Any

AUDIT_COLUMNS = ("id", "ts_utc", "ts_local", "local_date", "actor", "volunteer", "action", "detail")
PIN_COLUMNS = ("id", "ts_utc", "algo", "salt", "hash")


def insert_audit(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    conn.execute(
        f"INSERT INTO audit_log ({', '.join(AUDIT_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in AUDIT_COLUMNS)})",
        [row.get(c) for c in AUDIT_COLUMNS],
    )


def audit_rows(
    conn: sqlite3.Connection, action: str | None = None, since_utc: str | None = None
) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT * FROM audit_log WHERE (? IS NULL OR action = ?) AND (? IS NULL OR ts_utc >= ?) "
        "ORDER BY ts_utc, rowid",
        (action, action, since_utc, since_utc),
    ).fetchall()
    return [dict(r) for r in rows]


def current_pin(conn: sqlite3.Connection) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT * FROM officer_pin ORDER BY ts_utc DESC, rowid DESC LIMIT 1"
    ).fetchone()
    return dict(row) if row else None


def insert_pin(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    conn.execute(
        f"INSERT INTO officer_pin ({', '.join(PIN_COLUMNS)}) VALUES (?, ?, ?, ?, ?)",
        [row.get(c) for c in PIN_COLUMNS],
    )
