"""Record passages, fever checks and voids: each with its outbox event, in one transaction."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.clock import Clock, SystemClock, stamp
from app.database import GateDatabase
from app.errors import KnownError
from app.gate import rules
from app.gate.clock_guard import ClockGuard
from app.ids import uuid7
from app.privacy import payload_hash
from app.records.identity import Identity
from app.records_writer import write_record
from app.roster.checks import refusal_reason
from app.scan.payload import PASS_PREFIX
from app.settings import Settings
from app.shifts import volunteer_on_duty
from db import outbox, records


@dataclass
class PassageDraft:
    """What the volunteer has in front of them before pressing Enter."""

    direction: str = "in"
    category: str = "resident"
    code_color: str = "none"
    payload_kind: str | None = None
    payload_text: str | None = None  # hashed on write, never stored
    identity: Identity = field(default_factory=Identity)
    temperature: str | float | None = None
    override_reason: str | None = None
    refuse_reason: str | None = None  # a refusal the volunteer chose (reason code)
    note: str | None = None

    def __post_init__(self) -> None:
        if self.payload_text and self.payload_kind is None:  # a caller that gave only the text
            self.payload_kind = (
                "pass" if self.payload_text.startswith(PASS_PREFIX) else "healthcode"
            )


@dataclass
class Outcome:
    kind: str  # "passage" | "fever" | "still_fever"
    record: dict[str, Any]


class GateService:
    """The one writer of gate records. Every write is one transaction: record + outbox event."""

    def __init__(self, gdb: GateDatabase, clock: Clock | None = None) -> None:
        self.gdb = gdb
        self.conn: sqlite3.Connection = gdb.conn
        self.clock = clock or SystemClock()
        self.settings = Settings(self.conn)
        # #17: each passage asks whether the clock can be trusted (the window shows why not)
        self.clock_guard = ClockGuard(self.conn, self.clock)

    # ----- helpers
    @property
    def volunteer(self) -> str:
        """The signed-in shift's volunteer (#5), else the old setting, else '-'."""
        checkpoint = str(self.settings.get("checkpoint_id"))
        return volunteer_on_duty(self.conn, checkpoint, str(self.settings.get("volunteer")))

    def _stamp(self) -> dict[str, str]:
        return stamp(self.clock.now())

    def hash_payload(self, text: str) -> str:
        return payload_hash(self.gdb.device.hash_key, text)

    def _base_row(self, draft: PassageDraft) -> dict[str, Any]:
        if draft.direction not in rules.DIRECTIONS:
            raise ValueError(f"direction {draft.direction!r}")
        if draft.category not in rules.CATEGORIES:
            raise ValueError(f"category {draft.category!r}")
        ident = draft.identity
        return {
            "id": uuid7(),
            **self._stamp(),
            "checkpoint_id": self.settings.get("checkpoint_id"),
            "volunteer": self.volunteer,
            "direction": draft.direction,
            "category": draft.category,
            "code_color": draft.code_color,
            "payload_kind": draft.payload_kind,
            "payload_hash": self.hash_payload(draft.payload_text) if draft.payload_text else None,
            "identity_method": ident.method,
            "person_name": ident.person_name,
            "id_number": ident.id_number,
            "building": ident.building,
            "unit": ident.unit,
            "room": ident.room,
            "resident_id": ident.resident_id,
            **self.clock_guard.marks(),
        }

    def _write(self, kind: str, insert: Any, row: dict[str, Any]) -> None:
        write_record(self.conn, kind, insert, row)

    # ----- the gate's actions
    def record(self, draft: PassageDraft) -> Outcome:
        """Decide and record one person; a fever starts a re-test instead of a passage."""
        code = rules.decide_code(draft.code_color, draft.override_reason)
        temp = None
        if draft.temperature not in (None, ""):
            temp = rules.parse_temperature(str(draft.temperature))
        row = self._base_row(draft)
        stop = self._roster_stop(draft)  # issue #4: watchlist / moved out, a hard stop
        if draft.refuse_reason or stop or code.decision == "refused":
            row.update(
                temperature=temp,
                fever=int(temp is not None and self._fever(temp)),
                decision="refused",
                reason=draft.refuse_reason or stop or code.reason,
                note=draft.note,
            )
            self._write("passage", records.insert_passage, row)
            return Outcome("passage", row)
        if not rules.identified(
            draft.code_color, draft.payload_kind, draft.identity, draft.override_reason
        ):
            raise KnownError("no_identity")  # the gate's first rule, whoever the caller is
        if temp is None:
            raise KnownError("temp_required")
        if self._fever(temp):
            row.update(temperature=temp)
            fever_row = {k: row.get(k) for k in records.FEVER_COLUMNS}
            self._write("fever_check", records.insert_fever_check, fever_row)
            return Outcome("fever", fever_row)
        row.update(
            temperature=temp,
            fever=0,
            decision="pass",
            override_reason=code.override_reason,
            note=draft.note,
        )
        self._write("passage", records.insert_passage, row)
        return Outcome("passage", row)

    def _roster_stop(self, draft: PassageDraft) -> str | None:
        return refusal_reason(self.conn, draft.identity, draft.direction, self.clock.now().date())

    def _fever(self, temp: float) -> bool:
        return rules.is_fever(temp, float(self.settings.get("fever_threshold")))

    def retest_due_at(self, fever: dict[str, Any]) -> str:
        start = datetime.fromisoformat(fever["ts_local"])
        rest = timedelta(seconds=int(self.settings.get("retest_rest_seconds")))
        return (start + rest).isoformat()

    def record_retest(
        self,
        fever_id: str,
        temperature: str | float | None,
        disposition: str | None = None,
        note: str | None = None,
    ) -> Outcome:
        """Re-test outcome: normal → pass; still fever → refused with a disposition."""
        fever = records.get_fever_check(self.conn, fever_id)
        if fever is None:
            raise ValueError(f"no fever check {fever_id}")
        temp = None if temperature in (None, "") else rules.parse_temperature(str(temperature))
        if disposition is None and temp is None:
            raise KnownError("temp_required")
        row = {k: fever[k] for k in records.FEVER_COLUMNS if k != "id"}
        row.update(
            id=uuid7(),
            **self._stamp(),
            volunteer=self.volunteer,
            fever=1,
            fever_check_id=fever_id,
            temperature=fever["temperature"],
            retest_temperature=temp,
            **self.clock_guard.marks(),
        )
        if temp is not None and not self._fever(temp) and disposition is None:
            row.update(decision="pass", note=note)
        else:
            if disposition is None:
                return Outcome("still_fever", {**fever, "retest_temperature": temp})
            if disposition not in rules.DISPOSITIONS:
                raise ValueError(f"disposition {disposition!r}")
            if disposition == "other" and not (note and note.strip()):
                raise KnownError("note_required")
            row.update(decision="refused", reason="fever", disposition=disposition, note=note)
        self._write("passage", records.insert_passage, row)
        return Outcome("passage", row)

    def void_last(self, reason: str) -> dict[str, Any] | None:
        """Void this checkpoint's last record: a new record, the old one stays."""
        if not reason or not reason.strip():
            raise KnownError("note_required")
        target, _problem = self.undo_target()
        if target is None:
            return None
        return self._write_void(target, reason)

    def void(self, passage_id: str, reason: str) -> dict[str, Any]:
        """Void any one passage (an older one is the officer's call, checked by the caller):
        a new void record with the reason; a passage is voided at most once."""
        if not reason or not reason.strip():
            raise KnownError("note_required")
        return self._write_void(self.voidable(passage_id), reason)

    def _write_void(self, target: dict[str, Any], reason: str) -> dict[str, Any]:
        """The void record for target (a new record; the passage itself stays as it was)."""
        stamp = self._stamp()
        row = {
            "id": uuid7(),
            "ts_utc": stamp["ts_utc"],
            "ts_local": stamp["ts_local"],
            "target_id": target["id"],
            "reason": reason.strip(),
            "volunteer": self.volunteer,
        }
        self._write("void", records.insert_void, row)
        return {**row, "target": target}

    def voidable(self, passage_id: str) -> dict[str, Any]:
        """The passage if it may be voided; KnownError when unknown or already voided."""
        target = records.get_passage(self.conn, passage_id)
        if target is None:
            raise KnownError("void_not_found")
        if records.void_of(self.conn, passage_id) is not None:
            raise KnownError("void_already")
        return target

    def undo_target(self) -> tuple[dict[str, Any] | None, str | None]:
        """The record F4 voids: the newest one not voided, if it came after the last void
        (a second F4 must not walk back through the day). Else (None, message code)."""
        checkpoint = str(self.settings.get("checkpoint_id"))
        last = records.last_unvoided_passage(self.conn, checkpoint)
        if last is None:
            return None, "undo_nothing"
        void = records.last_void(self.conn, checkpoint)
        if void is not None and void["ts_utc"] > last["ts_utc"]:
            return None, "void_nothing_newer"
        return last, None

    def is_last(self, passage_id: str) -> bool:
        """True for the record F4 would void (the volunteer may void it without the PIN)."""
        last = records.last_unvoided_passage(self.conn, self.settings.get("checkpoint_id"))
        return last is not None and last["id"] == passage_id

    # ----- what the window shows
    def today(self) -> dict[str, int]:
        day = self.clock.now().date()
        counts = records.day_counters(self.conn, day.isoformat())
        since = (day - timedelta(days=1)).isoformat()
        counts["visitors_inside"] = records.count_visitors_inside(self.conn, since)
        return counts

    def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        return records.recent_passages(self.conn, limit)

    def pending_fevers(self) -> list[dict[str, Any]]:
        return records.pending_fever_checks(self.conn)

    def outbox_pending(self) -> int:
        return outbox.pending_count(self.conn)
