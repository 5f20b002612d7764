"""补录 (#17): passages typed in afterwards from the paper register kept while the PC was down.

Each keeps the paper time as its time (so it counts in the day of its paper time), and says
it was backfilled: the sheet's page, when and by whom it was typed in. It is written through
the one writer with its own event kind, so the server can tell it from a desk passage.
Guard rails ask to confirm, never refuse: a paper time in the future, one while the gate was
recording (outside its down period), the same person in the same minute twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from app.clock import stamp, utc_iso
from app.errors import KnownError
from app.gate import rules
from app.gate.service import GateService, Identity, PassageDraft
from app.i18n import t
from app.officer import OfficerAuth
from app.records_writer import write_record
from db import records

EVENT_KIND = "passage_backfill"
BACKFILL = "backfill"  # the audited officer action that opens a backfill session
RUNNING_GAP = timedelta(minutes=30)  # records closer than this on both sides: the gate was up


class BackfillDoubt(KnownError):
    """The line is written only once the officer confirms: the doubts, each in words."""

    def __init__(self, doubts: list[str]) -> None:
        super().__init__("backfill_confirm")
        self.doubts = doubts

    def message(self, lang: str = "zh") -> str:
        sep = "；" if lang != "en" else "; "
        return t("backfill_confirm", lang, doubts=sep.join(t(d, lang) for d in self.doubts))


@dataclass
class PaperEntry:
    """One line of the paper register, as written."""

    paper_time: datetime  # aware local time
    page: int
    direction: str = "in"
    category: str = "resident"
    identity: Identity = field(default_factory=Identity)
    temperature: float | None = None
    code_color: str = "none"
    decision: str = "pass"
    reason: str | None = None  # for a refusal
    note: str | None = None


class BackfillSession:
    """Opened with the officer PIN (audited); entries are written one by one."""

    def __init__(self, gate: GateService, entered_by: str) -> None:
        self.gate, self.entered_by = gate, entered_by
        self.conn = gate.conn

    def doubts(self, entry: PaperEntry) -> list[str]:
        """What to confirm before writing (i18n codes); empty: write at once."""
        out = []
        now = self.gate.clock.now()
        if entry.paper_time > now:
            out.append("backfill_future")
        if self._gate_was_running(entry.paper_time):
            out.append("backfill_gate_was_up")
        if self._same_person_same_minute(entry):
            out.append("backfill_twice")
        return out

    def _gate_was_running(self, when: datetime) -> bool:
        t = utc_iso(when)
        before = self.conn.execute(
            "SELECT max(ts_utc) FROM passages WHERE ts_utc <= ? AND backfill_page IS NULL", (t,)
        ).fetchone()[0]
        after = self.conn.execute(
            "SELECT min(ts_utc) FROM passages WHERE ts_utc >= ? AND backfill_page IS NULL", (t,)
        ).fetchone()[0]
        if not before or not after:
            return False
        gap = _utc(after) - _utc(before)
        return gap < RUNNING_GAP

    def _same_person_same_minute(self, entry: PaperEntry) -> bool:
        ident = entry.identity
        minute = utc_iso(entry.paper_time.replace(second=0, microsecond=0))[:16]
        rows = self.conn.execute(
            "SELECT person_name, room, id_number FROM passages WHERE substr(ts_utc, 1, 16) = ?",
            (minute,),
        ).fetchall()
        for r in rows:
            if ident.id_number and r["id_number"] == ident.id_number:
                return True
            if ident.person_name and (r["person_name"], r["room"]) == (
                ident.person_name,
                ident.room,
            ):
                return True
        return False

    def add(self, entry: PaperEntry, confirmed: bool = False) -> dict[str, Any]:
        """Write one paper line; BackfillDoubt lists the doubts unless confirmed."""
        if entry.direction not in rules.DIRECTIONS or entry.category not in rules.CATEGORIES:
            raise KnownError("backfill_bad_line", page=entry.page)
        if entry.decision not in ("pass", "refused") or entry.page < 1:
            raise KnownError("backfill_bad_line", page=entry.page)
        doubts = self.doubts(entry)
        if doubts and not confirmed:
            raise BackfillDoubt(doubts)
        draft = PassageDraft(
            direction=entry.direction,
            category=entry.category,
            code_color=entry.code_color,
            identity=entry.identity,
        )
        row = self.gate._base_row(draft)
        entered = row.pop("ts_utc")
        row.pop("ts_local"), row.pop("local_date")
        row.update(
            stamp(entry.paper_time),  # counted in the day of its paper time
            temperature=entry.temperature,
            fever=int(entry.temperature is not None and self.gate._fever(entry.temperature)),
            decision=entry.decision,
            reason=(entry.reason or "backfill") if entry.decision == "refused" else None,
            note=entry.note,
            backfill_page=entry.page,
            entered_utc=entered,
            entered_by=self.entered_by,
        )
        write_record(self.conn, EVENT_KIND, records.insert_passage, row)
        return row


def parse_line(
    day: date,
    tz: tzinfo | None,
    *,
    time_text: str,
    page_text: str,
    name: str = "",
    room: str = "",
    id_number: str = "",
    temperature: str = "",
    **choices: str,
) -> PaperEntry:
    """One typed line as a PaperEntry: time HH:MM (on the sheet's day) or YYYY-MM-DD HH:MM,
    room as building-room (2-202), temperature 36.5 or 365; choices are the combo boxes'
    codes (direction, category, code_color, decision)."""
    page = page_text.strip()
    if not page.isdigit() or int(page) < 1:
        raise KnownError("backfill_bad_page", value=page_text)
    text = time_text.strip().replace("：", ":")
    try:
        if len(text) <= 5:
            hh, mm = (int(x) for x in text.split(":"))
            when = datetime.combine(day, time(hh, mm), tzinfo=tz)
        else:
            when = datetime.fromisoformat(text).replace(tzinfo=tz)
    except ValueError:
        raise KnownError("backfill_bad_time", value=time_text) from None
    temp = rules.parse_temperature(temperature) if temperature.strip() else None
    building, _, room_no = room.strip().partition("-")
    if not room_no:
        building, room_no = "", building
    if id_number.strip():
        ident = Identity(
            method="id_number",
            person_name=name.strip() or None,
            id_number=id_number.strip(),
            building=building or None,
            room=room_no or None,
        )
    else:
        ident = Identity(
            method="name_room" if name.strip() or room_no else "none",
            person_name=name.strip() or None,
            building=building or None,
            room=room_no or None,
        )
    return PaperEntry(when, int(page), identity=ident, temperature=temp, **choices)


def open_session(gate: GateService, pin: str | None) -> BackfillSession:
    """The officer PIN opens 补录 (audited); the volunteer on duty is who typed it in."""
    OfficerAuth(gate.gdb, gate.clock).authorize(pin, BACKFILL, {})
    return BackfillSession(gate, gate.volunteer)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
