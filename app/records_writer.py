"""One helper for writing a record and its outbox event in one transaction."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from app.errors import KnownError
from db import outbox
from db.connection import transaction

log = logging.getLogger(__name__)


def write_record(
    conn: sqlite3.Connection,
    kind: str,
    insert: Callable[[sqlite3.Connection, dict[str, Any]], None],
    row: dict[str, Any],
) -> None:
    """Insert the row and append its event (id = the record id); disk errors become known."""
    try:
        with transaction(conn):
            insert(conn, row)
            outbox.append(conn, row["id"], kind, row, row["ts_utc"])
    except sqlite3.OperationalError as exc:  # disk full, locked, I/O error
        log.error("could not write a %s record: %s", kind, exc)  # SQLite's text: log only
        raise KnownError("db_write_failed", detail=str(exc)) from exc
