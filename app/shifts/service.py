"""Shifts: sign in, handover (outgoing confirms, incoming acknowledges), the shift log.

A shift is the span from its 'start' event to its 'end' event. Counts for a shift are taken
over that span in UTC, so a night shift that crosses midnight is counted once and whole.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.clock import Clock, SystemClock, stamp, utc_iso
from app.database import GateDatabase
from app.errors import KnownError
from app.ids import uuid7
from app.privacy import mask_name
from app.records_writer import write_record
from app.settings import Settings
from db import records
from db import shifts as shift_db

MAX_NOTE = 2000


@dataclass
class Shift:
    shift_id: str
    volunteer: str
    volunteer_id: str | None
    phone: str | None
    start_local: str
    start_utc: str


@dataclass
class HandoverSummary:
    """What the outgoing volunteer confirms and the incoming one acknowledges."""

    shift_id: str
    volunteer: str
    start_local: str
    end_local: str
    counts: dict[str, int]
    visitors_inside: list[str] = field(default_factory=list)  # masked names / rooms
    log: list[dict[str, str]] = field(default_factory=list)  # ts_local, volunteer, text
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "shift_id": self.shift_id,
            "volunteer": self.volunteer,
            "start_local": self.start_local,
            "end_local": self.end_local,
            "counts": self.counts,
            "visitors_inside": self.visitors_inside,
            "log": self.log,
            "note": self.note,
        }


def _clean(text: str | None, code: str = "note_required") -> str:
    value = (text or "").strip()
    if not value:
        raise KnownError(code)
    if len(value) > MAX_NOTE:
        raise KnownError("text_too_long", limit=MAX_NOTE)
    return value


class ShiftService:
    """Writes shift events and log entries (record + outbox event in one transaction)."""

    def __init__(self, gdb: GateDatabase, clock: Clock | None = None) -> None:
        self.gdb = gdb
        self.conn: sqlite3.Connection = gdb.conn
        self.clock = clock or SystemClock()
        self.settings = Settings(self.conn)

    @property
    def checkpoint_id(self) -> str:
        return str(self.settings.get("checkpoint_id"))

    def _stamp(self) -> dict[str, str]:
        return stamp(self.clock.now())

    # ----- volunteers
    def volunteers(self) -> list[dict[str, Any]]:
        return shift_db.volunteers(self.conn)

    def add_volunteer(self, name: str, phone: str | None = None) -> dict[str, Any]:
        """A new volunteer (or the existing one with the same name and phone)."""
        name = _clean(name, "volunteer_name_required")
        phone = (phone or "").strip() or None
        if phone is not None and not (phone.isdigit() and 5 <= len(phone) <= 15):
            raise KnownError("phone_invalid")
        existing = shift_db.find_volunteer(self.conn, name, phone)
        if existing is not None:
            return existing
        row = {"id": uuid7(), "ts_utc": self._stamp()["ts_utc"], "name": name, "phone": phone}
        write_record(self.conn, "volunteer", shift_db.insert_volunteer, row)
        return row

    # ----- the shift on duty
    def current(self) -> Shift | None:
        row = shift_db.open_shift(self.conn, self.checkpoint_id)
        if row is None:
            return None
        return Shift(
            row["shift_id"],
            row["volunteer"],
            row["volunteer_id"],
            row["phone"],
            row["ts_local"],
            row["ts_utc"],
        )

    def status(self) -> tuple[str, dict[str, str]]:
        """A message code for the window: who is on duty, or plainly that nobody is."""
        shift = self.current()
        if shift is None:
            return "gate_unstaffed", {}
        return "on_duty_since", {"name": shift.volunteer, "since": shift.start_local[11:16]}

    def start(self, volunteer_id: str, *, take_over: bool = False) -> Shift:
        """Sign a volunteer in. An open shift must be handed over first, unless taking over."""
        vol = shift_db.get_volunteer(self.conn, volunteer_id)
        if vol is None:
            raise KnownError("volunteer_unknown")
        open_shift = self.current()
        if open_shift is not None:
            if not take_over:
                raise KnownError("shift_still_open", name=open_shift.volunteer)
            self._end(open_shift, note=None, confirmed=False)
        row = {
            "id": uuid7(),
            **self._stamp(),
            "checkpoint_id": self.checkpoint_id,
            "kind": "start",
            "volunteer_id": vol["id"],
            "volunteer": vol["name"],
            "phone": vol["phone"],
            "confirmed": 1,
        }
        row["shift_id"] = row["id"]
        write_record(self.conn, "shift_event", shift_db.insert_shift_event, row)
        return Shift(
            row["shift_id"], vol["name"], vol["id"], vol["phone"], row["ts_local"], row["ts_utc"]
        )

    def summary(self, shift: Shift | None = None) -> HandoverSummary:
        """The handover summary of a shift up to now (or up to its end)."""
        shift = shift or self.current()
        if shift is None:
            raise KnownError("gate_unstaffed")
        ended = shift_db.shift_event(self.conn, shift.shift_id, "end")
        if ended is not None and ended.get("summary"):
            return HandoverSummary(**json.loads(ended["summary"]))
        stamp = self._stamp()
        end_utc = "9999" if ended is None else ended["ts_utc"]
        counts = shift_db.counts_between(self.conn, self.checkpoint_id, shift.start_utc, end_utc)
        since = (datetime.fromisoformat(shift.start_local).date() - timedelta(days=1)).isoformat()
        inside = [
            mask_name(v.get("person_name"))
            or "/".join(x for x in (v.get("building"), v.get("room")) if x)
            or "?"
            for v in records.visitors_inside(self.conn, since)
        ]
        counts["visitors_inside"] = len(inside)
        log = [
            {"ts_local": e["ts_local"], "volunteer": e["volunteer"], "text": e["text"]}
            for e in shift_db.shift_log_for_shift(self.conn, shift.shift_id)
        ]
        return HandoverSummary(
            shift.shift_id,
            shift.volunteer,
            shift.start_local,
            stamp["ts_local"] if ended is None else ended["ts_local"],
            counts,
            inside,
            log,
        )

    def end(self, note: str | None = None) -> HandoverSummary:
        """The outgoing volunteer confirms the handover summary; the gate is then unstaffed."""
        shift = self.current()
        if shift is None:
            raise KnownError("gate_unstaffed")
        return self._end(shift, note=note, confirmed=True)

    def _end(self, shift: Shift, note: str | None, confirmed: bool) -> HandoverSummary:
        summary = self.summary(shift)
        summary.note = (note or "").strip()[:MAX_NOTE]
        if not confirmed:
            summary.note = summary.note or "(未交班 / not handed over)"
        row: dict[str, Any] = {
            "id": uuid7(),
            **self._stamp(),
            "checkpoint_id": self.checkpoint_id,
            "shift_id": shift.shift_id,
            "kind": "end",
            "volunteer_id": shift.volunteer_id,
            "volunteer": shift.volunteer,
            "phone": shift.phone,
            "confirmed": int(confirmed),
            "note": summary.note,
        }
        summary.end_local = row["ts_local"]
        row["summary"] = json.dumps(summary.as_dict(), ensure_ascii=False)
        write_record(self.conn, "shift_event", shift_db.insert_shift_event, row)
        return summary

    def pending_handover(self) -> HandoverSummary | None:
        """The last ended shift's summary if nobody has acknowledged it yet."""
        last = shift_db.last_ended_shift(self.conn, self.checkpoint_id)
        if last is None or shift_db.shift_event(self.conn, last["shift_id"], "ack") is not None:
            return None
        return HandoverSummary(**json.loads(last["summary"]))

    def acknowledge(self, shift_id: str) -> dict[str, Any]:
        """The incoming volunteer (signed in now) acknowledges the outgoing one's summary."""
        incoming = self.current()
        if incoming is None:
            raise KnownError("gate_unstaffed")
        if shift_db.shift_event(self.conn, shift_id, "end") is None:
            raise KnownError("shift_not_ended")
        if shift_db.shift_event(self.conn, shift_id, "ack") is not None:
            raise KnownError("handover_already_acknowledged")
        row = {
            "id": uuid7(),
            **self._stamp(),
            "checkpoint_id": self.checkpoint_id,
            "shift_id": shift_id,
            "kind": "ack",
            "volunteer_id": incoming.volunteer_id,
            "volunteer": incoming.volunteer,
            "phone": incoming.phone,
            "confirmed": 1,
            "note": f"by shift {incoming.shift_id}",
        }
        write_record(self.conn, "shift_event", shift_db.insert_shift_event, row)
        return row

    # ----- the shift log
    def log(self, text: str) -> dict[str, Any]:
        """A free-text entry with time: an incident, supplies, an inspection visit."""
        text = _clean(text)
        shift = self.current()
        row = {
            "id": uuid7(),
            **self._stamp(),
            "checkpoint_id": self.checkpoint_id,
            "shift_id": shift.shift_id if shift else None,
            "volunteer": shift.volunteer if shift else "-",
            "text": text,
        }
        write_record(self.conn, "shift_log", shift_db.insert_shift_log, row)
        return row

    def on_duty_at(self, when: datetime) -> str | None:
        """Who was signed in at a moment (an inspection team asks about 6 a.m.)."""
        row = shift_db.on_duty_at(self.conn, self.checkpoint_id, utc_iso(when))
        return None if row is None else str(row["volunteer"])
