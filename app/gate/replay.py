"""Feed a desk journal (or a hand-written script in the same format) to the core desk, with no
window: one outcome per event. This is how a field report is reproduced and how the desk's
rules are checked from outside the window.

Events, one JSON object a line (blank lines and lines starting with # are skipped):
  {"t": 5, "scan": "https://…", "color": "green|yellow|red|black|unknown"}
  {"t": 5, "scan_hash": "…", "payload_kind": "healthcode|pass", "color": "…"}   (a journal)
  {"t": 6, "type": "365"}            digits typed (appended);  {"typed": "365"} sets the field
  {"t": 7, "key": "Enter|Esc|F1|F2|F3|F4|Ctrl+R|Ctrl+Y|Ctrl+1…5|Backspace"}
  {"t": 8, "manual": {"id_number": "…"}} or {"manual": {"name": "…", "room": "…"}}  (F3 + answer)
  {"t": 9, "answer": {…}}            the open dialog's answer; null cancels
  {"t": 10, "retest": 0}             the first person resting with a fever is re-tested
"t" is in seconds; the replay clock moves forward to it (never back).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from app.clock import FakeClock, SystemClock
from app.errors import KnownError
from app.gate.desk import Desk, Step
from app.gate.desk_view import render
from app.gate.journal import REDACTED, recorded_summary
from app.gate.people import PassRefusal, Person
from app.gate.service import GateService, Identity
from app.officer import OfficerAuth

ANSWER_FIELDS: tuple[str, ...] = (
    *("id_number", "name", "building", "unit", "room", "reason", "note", "pin"),
    *("color", "temperature", "disposition", "method", "redacted"),
)


def parse_events(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, event); a line that is not a JSON object is a KnownError naming it."""
    for number, raw in enumerate(lines, 1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        try:
            event = json.loads(text)
        except ValueError:
            raise KnownError("replay_bad_line", line=number) from None
        if not isinstance(event, dict):
            raise KnownError("replay_bad_line", line=number)
        yield number, event


class Replay:
    """Drives one desk from events; the records go to the gate behind it."""

    def __init__(self, gate: GateService, start: datetime | None = None) -> None:
        self.clock = FakeClock(start or SystemClock().now())
        gate.clock = self.clock
        self.gate = gate
        officer = OfficerAuth(gate.gdb, self.clock)
        self.desk = Desk(
            gate,
            authorize=(lambda pin, action: self._authorize(officer, pin, action))
            if officer.has_pin()
            else None,
        )
        self._t: float | None = None
        self.n = 0

    @staticmethod
    def _authorize(officer: OfficerAuth, pin: str | None, action: str) -> bool:
        try:
            officer.authorize(pin, action)
        except KnownError:
            return False
        return True

    def _advance(self, t: Any) -> None:
        if not isinstance(t, int | float) or isinstance(t, bool):
            return
        if self._t is not None and t > self._t:
            self.clock.advance(float(t) - self._t)
        if self._t is None or t > self._t:
            self._t = float(t)

    def feed(self, event: dict[str, Any]) -> dict[str, Any]:
        """One event in, one outcome line out."""
        self.n += 1
        self._advance(event.get("t"))
        step = self._dispatch(event)
        view = render(self.desk, "zh", int(self.gate.settings.get("retest_rest_seconds")))
        return {
            "event": self.n,
            "state": self.desk.state,
            "outcome": step.outcome,
            "recorded": recorded_summary(step.record),
            "banner": view.title,
            "next": len(self.desk.waiting),
            "message": self.desk.message.code if self.desk.message else None,
        }

    def _dispatch(self, event: dict[str, Any]) -> Step:
        desk = self.desk
        if "scan" in event:
            return desk.scan(str(event["scan"]), str(event.get("color") or "unknown"))
        if "scan_hash" in event:
            return self._journal_scan(event)
        if "type" in event:
            desk.type_text(str(event["type"]))
            return Step("typed")
        if "typed" in event and "key" not in event:
            desk.set_typed(str(event["typed"]))
            return Step("typed")
        if "key" in event:
            if "typed" in event:  # a journal line keeps what the field held at the key
                desk.set_typed(str(event["typed"]))
            return desk.key(str(event["key"]))
        if "manual" in event:
            step = desk.key("F3")
            if step.ask is None:
                return step
            return desk.answer(step.ask.id, self._answer_value(event["manual"], "manual"))
        if "answer" in event:
            kind = desk.dialog.kind if desk.dialog else None
            return desk.answer(None, self._answer_value(event["answer"], kind))
        if "retest" in event:
            return self._retest(event["retest"])
        raise KnownError("replay_unknown_event", event=self.n)

    def _answer_value(self, value: Any, kind: str | None) -> Any:
        """Only the fields a dialog has; a journal's redacted manual entry stands in as such."""
        if not isinstance(value, dict):
            return value
        clean = {k: value[k] for k in ANSWER_FIELDS if k in value}
        if kind == "override" and value.get("authorized") is True and "pin" not in clean:
            clean["pin"] = None  # a journal says it was authorised; here the PIN decides
        if clean.get("redacted"):
            if clean.get("method") == "id_number":
                return Identity("id_number", REDACTED, REDACTED)
            return Identity("name_room", REDACTED, None, None, None, REDACTED)
        return clean

    def _journal_scan(self, event: dict[str, Any]) -> Step:
        """A journal keeps a code's hash, never the code: it stands in for the same person."""
        text = f"hc:journal:{event['scan_hash']}"
        if event.get("payload_kind") != "pass":
            return self.desk.scan(text, str(event.get("color") or "unknown"))
        if not self.desk.debouncer.accept(text):
            return Step("ignored")
        person = Person(
            next(self.desk._tokens),
            code_color="green" if event.get("pass_ok") else "none",
            payload_kind="pass",
            payload_text=text,
            identity=Identity(method="pass"),
            refusal=None if event.get("pass_ok") else PassRefusal("pass_malformed"),
        )
        return self.desk.arrive(person)

    def _retest(self, which: Any) -> Step:
        fevers = self.gate.pending_fevers()
        if isinstance(which, int) and not isinstance(which, bool) and 0 <= which < len(fevers):
            return self.desk.retest(fevers[which]["id"])
        return self.desk.retest(str(which))


def replay(gate: GateService, lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Outcome lines for a journal or script, each after its event was applied."""
    events = list(parse_events(lines))
    start = None
    for _number, event in events:
        if isinstance(event.get("at"), str):
            try:
                start = datetime.fromisoformat(event["at"])
            except ValueError:
                start = None
            break
    driver = Replay(gate, start)
    for _number, event in events:
        yield driver.feed(event)
