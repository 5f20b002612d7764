"""The roster's one writer: every change updates the resident and appends a change + event."""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import date
from typing import Any

from app.clock import Clock, SystemClock, local_iso, utc_iso
from app.database import GateDatabase
from app.errors import KnownError
from app.ids import uuid7
from app.roster import residents as res
from app.settings import Settings
from db import outbox
from db import roster as q
from db.connection import transaction

log = logging.getLogger(__name__)


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
            change = {
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
        log.error("could not write a roster change: %s", exc)  # SQLite's text: log only
        raise KnownError("db_write_failed", detail=str(exc)) from exc
    return state


class RosterService:
    """Add, edit, change status, search; the GUI and the CLI both come through here."""

    def __init__(self, gdb: GateDatabase, clock: Clock | None = None) -> None:
        self.gdb = gdb
        self.conn = gdb.conn
        self.clock = clock or SystemClock()
        self.settings = Settings(self.conn)

    @property
    def who(self) -> str:
        return str(self.settings.get("volunteer")) or "-"

    def today(self) -> date:
        return self.clock.now().date()

    def _checked(self, raw: dict[str, Any]) -> dict[str, Any]:
        clean, errors = res.check_fields(raw, self.today())
        if errors:
            field, err = errors[0]
            from app.i18n import t

            raise KnownError(
                "field_bad",
                field=t(field, "zh"),
                field_en=t(field, "en"),
                reason=err.message("zh"),
                reason_en=err.message("en"),
                cause=err.code,
            )
        return clean

    def add(self, raw: dict[str, Any], who: str | None = None) -> dict[str, Any]:
        clean = self._checked({"name": "", **raw})
        if clean.get("id_number") and q.get_by_id_number(self.conn, clean["id_number"]):
            raise KnownError("id_duplicate")
        clean.setdefault("status", "normal")
        for f in ("building", "unit", "room", "tags"):
            clean.setdefault(f, "")
        if not clean.get("household"):
            clean["household"] = res.household_of(clean["building"], clean["unit"], clean["room"])
        return write_change(self.conn, self.clock, "add", who or self.who, clean)

    def edit(self, resident_id: int, raw: dict[str, Any], who: str | None = None) -> dict[str, Any]:
        current = self.get(resident_id)
        merged = {k: current[k] for k in res.EDITABLE}
        merged.update(raw)
        clean = self._checked(merged)
        changed = {k: v for k, v in clean.items() if current.get(k) != v}
        if not changed:
            return current
        action = "status" if set(changed) <= {"status", "obs_start", "obs_end"} else "edit"
        return write_change(self.conn, self.clock, action, who or self.who, changed, resident_id)

    def set_status(
        self,
        resident_id: int,
        status: str,
        start: str | None = None,
        end: str | None = None,
        who: str | None = None,
    ) -> dict[str, Any]:
        return self.edit(resident_id, {"status": status, "obs_start": start, "obs_end": end}, who)

    def get(self, resident_id: int) -> dict[str, Any]:
        row = q.get_resident(self.conn, resident_id)
        if row is None:
            raise KnownError("resident_unknown", id=resident_id)
        return row

    def find_id_number(self, id_number: str) -> dict[str, Any] | None:
        return q.get_by_id_number(self.conn, id_number)

    def search(self, text: str, limit: int = 200) -> list[dict[str, Any]]:
        return q.search(self.conn, text, limit)

    def all(self, building: str | None = None) -> list[dict[str, Any]]:
        return q.all_residents(self.conn, building)

    def history(self, resident_id: int) -> list[dict[str, Any]]:
        return q.changes_of(self.conn, resident_id)

    def history_lines(self, resident_id: int, masked: bool = True, lang: str = "zh") -> list[Any]:
        """Who changed what and when, newest first, masked by default."""
        from app.roster.history import history_lines

        return list(reversed(history_lines(self.history(resident_id), masked, lang)))

    def views(self, rows: list[dict[str, Any]], masked: bool = True) -> list[res.ResidentView]:
        return [res.view(r, self.today(), masked) for r in rows]

    # ----- import (the GUI runs apply_import off the GUI thread)
    def plan_import(self, path: str) -> Any:
        from app.roster import importer

        return importer.plan(self.conn, path, self.today())

    def apply_import(self, the_plan: Any, progress: Any = None, cancelled: Any = None) -> Any:
        """Writes on its own connection when the database is a file (safe off the GUI thread)."""
        from app.roster import importer
        from db.connection import connect

        own = str(self.gdb.path) != ":memory:"
        conn = connect(self.gdb.path) if own else self.conn
        try:
            return importer.apply(conn, the_plan, self.clock, self.who, progress, cancelled)
        finally:
            if own:
                conn.close()

    # ----- printing
    def pass_cards(
        self, resident_ids: list[int] | None = None, building: str | None = None
    ) -> list[Any]:
        """Cards for these residents (current serial, validity from the setting)."""
        from app.roster.printing import pass_cards

        return pass_cards(
            self.conn,
            self.clock,
            str(self.settings.get("checkpoint_name")),
            int(self.settings.get("pass_valid_days")),
            building,
            resident_ids,
            self.who,
        )
