"""The roster's one writer: every change updates the resident and appends a change + event.

Below the service, the importer and the passes, which all write through it."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from app.clock import Clock, local_iso, utc_iso
from app.errors import KnownError
from app.ids import uuid7
from db import outbox
from db import roster as q
from db.connection import transaction


def write_change(
    conn: sqlite3.Connection,
    clock: Clock,
    action: str,
    who: str,
    fields: dict[str, Any],
    resident_id: int | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """Insert or update one resident with its change row and outbox event, in one transaction."""
    now = clock.now()
    stamp = {"ts_utc": utc_iso(now), "ts_local": local_iso(now)}
    meta = {"updated_utc": stamp["ts_utc"], "updated_by": who}
    try:
        with transaction(conn):
            if resident_id is None:
                resident_id = q.insert_resident(conn, {**fields, **meta})
            else:
                q.update_resident(conn, resident_id, {**fields, **meta})
            state = q.get_resident(conn, resident_id)
            assert state is not None
            change: dict[str, Any] = {
                "id": uuid7(),
                **stamp,
                "resident_id": resident_id,
                "action": action,
                "who": who,
                "source": source,
                "state": json.dumps(state, ensure_ascii=False),
            }
            q.insert_change(conn, change)
            outbox.append(
                conn, change["id"], "roster_change", {**change, "state": state}, change["ts_utc"]
            )
    except sqlite3.IntegrityError as exc:
        if "id_number" in str(exc):
            raise KnownError("id_duplicate") from exc
        raise
    except sqlite3.OperationalError as exc:
        raise KnownError("db_write_failed", detail=str(exc)) from exc
    return state
