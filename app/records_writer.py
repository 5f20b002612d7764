"""The one helper that writes a record and its outbox event in one transaction (#12).

Every writer uses it: the gate (passages, fever checks, voids), shifts, the officer's audit,
the roster (resident changes, which include issuing a pass) and visitor passes. A full disk
or another SQLite write failure becomes the known `db_write_failed` message, here only.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from app.errors import KnownError
from db import outbox
from db.connection import transaction

T = TypeVar("T")
Event = tuple[str, dict[str, Any]]  # (event id, event body)
log = logging.getLogger(__name__)


def write_record(
    conn: sqlite3.Connection,
    kind: str,
    insert: Callable[[sqlite3.Connection, dict[str, Any]], T],
    row: dict[str, Any],
    event: Callable[[T], Event] | None = None,
) -> T:
    """Run insert(conn, row) and append its outbox event, together or not at all; returns
    what insert returned. The event is (row["id"], row) unless `event(result)` says otherwise
    (a record whose id the database assigns); it is stamped with row["ts_utc"]."""
    try:
        with transaction(conn):
            result = insert(conn, row)
            event_id, body = event(result) if event is not None else (row["id"], row)
            outbox.append(conn, event_id, kind, body, row["ts_utc"])
    except sqlite3.OperationalError as exc:  # disk full, locked, I/O error
        log.error("could not write a %s record: %s", kind, exc)  # SQLite's text: log only
        raise KnownError("db_write_failed", detail=str(exc)) from exc
    return result
