"""Residents for the GUI and the CLI: add, edit, status, search, import, print (writes go
through app.roster.changes.write_change)."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from app.clock import Clock, SystemClock
from app.database import GateDatabase
from app.errors import KnownError
from app.i18n import t
from app.roster import history, importer, printing
from app.roster import residents as res
from app.roster.changes import write_change
from app.settings import Settings
from db import roster as q
from db.connection import connect


class RosterService:
    """Add, edit, change status, search; the GUI and the CLI both come through here."""

    def __init__(self, gdb: GateDatabase, clock: Clock | None = None) -> None:
        self.gdb = gdb
        self.conn = gdb.conn
        self.clock = clock or SystemClock()
        self.settings = Settings(self.conn)

    @property
    def who(self) -> str:
        return self._who(self.settings)

    @staticmethod
    def _who(settings: Settings) -> str:
        return str(settings.get("volunteer")) or "-"

    def today(self) -> date:
        return self.clock.now().date()

    def _checked(self, raw: dict[str, Any]) -> dict[str, Any]:
        clean, errors = res.check_fields(raw, self.today())
        if errors:
            field, err = errors[0]
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

    def search(
        self, text: str, limit: int = 200, conn: sqlite3.Connection | None = None
    ) -> list[dict[str, Any]]:
        """conn: another thread's own connection (printing everyone reads 5,000 rows)."""
        return q.search(conn or self.conn, text, limit)

    def all(self, building: str | None = None) -> list[dict[str, Any]]:
        return q.all_residents(self.conn, building)

    def history(self, resident_id: int) -> list[dict[str, Any]]:
        return q.changes_of(self.conn, resident_id)

    def history_lines(self, resident_id: int, masked: bool = True, lang: str = "zh") -> list[Any]:
        """Who changed what and when, newest first, masked by default."""
        return list(reversed(history.history_lines(self.history(resident_id), masked, lang)))

    def views(self, rows: list[dict[str, Any]], masked: bool = True) -> list[res.ResidentView]:
        return [res.view(r, self.today(), masked) for r in rows]

    # ----- long work: each call opens its own connection (the GUI runs them off its thread;
    # a connection never crosses threads)
    def own_connection(self) -> sqlite3.Connection:
        if str(self.gdb.path) == ":memory:":  # another connection would see an empty database
            raise KnownError("db_memory_no_threads")
        return connect(self.gdb.path)

    def plan_import(self, path: str, progress: Any = None) -> Any:
        conn = self.own_connection()
        try:
            return importer.plan(conn, path, self.today(), progress)
        finally:
            conn.close()

    def apply_import(self, the_plan: Any, progress: Any = None, cancelled: Any = None) -> Any:
        conn = self.own_connection()
        try:
            who = self._who(Settings(conn))  # this thread's connection only
            return importer.apply(conn, the_plan, self.clock, who, progress, cancelled)
        finally:
            conn.close()

    # ----- printing
    def pass_cards(
        self,
        resident_ids: list[int] | None = None,
        building: str | None = None,
        conn: sqlite3.Connection | None = None,
    ) -> list[Any]:
        """Cards for these residents (current serial, validity from the setting); a resident
        without a pass is issued one first, one transaction each: off the GUI thread, pass the
        thread's own connection."""
        settings = self.settings if conn is None else Settings(conn)  # never another thread's
        return printing.pass_cards(
            conn or self.conn,
            self.clock,
            str(settings.get("checkpoint_name")),
            int(settings.get("pass_valid_days")),
            building,
            resident_ids,
            self._who(settings),
        )
