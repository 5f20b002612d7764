"""Key/value rows for the domain settings (the schema itself lives in app.settings)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from .connection import transaction


def get(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def put(conn: sqlite3.Connection, key: str, value: str) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with transaction(conn):
        conn.execute(
            "INSERT INTO settings(key, value, updated_utc) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
            "updated_utc = excluded.updated_utc",
            (key, value, now),
        )
