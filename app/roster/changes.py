"""The roster's one writer: every change updates the resident and appends a change + event.

Below the service, the importer and the passes, which all write through it."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from app.clock import Clock, local_iso, utc_iso
from app.errors import KnownError
from app.ids import uuid7
from app.records_writer import write_record
from db import roster as q


def write_change(
    conn: sqlite3.Connection,
    clock: Clock,
    action: str,
    who: str,
    fields: dict[str, Any],
    resident_id: int | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """Insert or update one resident with its change row and outbox event, in one transaction
    (app.records_writer.write_record: a full disk is the known db_write_failed)."""
    now = clock.now()
    stamp = {"ts_utc": utc_iso(now), "ts_local": local_iso(now)}
    meta = {"updated_utc": stamp["ts_utc"], "updated_by": who}

    def insert(conn: sqlite3.Connection, row: dict[str, Any]) -> dict[str, Any]:
        rid = resident_id
        if rid is None:
            rid = q.insert_resident(conn, {**fields, **meta})
        else:
            q.update_resident(conn, rid, {**fields, **meta})
        state = q.get_resident(conn, rid)
        assert state is not None
        change = {
            "id": uuid7(),
            **row,
            "resident_id": rid,
            "action": action,
            "who": who,
            "source": source,
            "state": json.dumps(state, ensure_ascii=False),
        }
        q.insert_change(conn, change)
        return {**change, "state": state}

    try:
        event = write_record(
            conn, "roster_change", insert, stamp, event=lambda body: (body["id"], body)
        )
    except sqlite3.IntegrityError as exc:
        if "id_number" in str(exc):
            raise KnownError("id_duplicate") from exc
        raise
    state: dict[str, Any] = event["state"]
    return state
