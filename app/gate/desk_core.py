"""The gate desk as a state machine: who is at the desk, who waits, what is typed, which
dialog is open (the dialogs themselves are in app/gate/desk.py). The window forwards scans,
keys and answers and renders what it says.

Rules it keeps (tests/unit/test_desk_rules.py checks them over random event sequences):
- no pass without an identity (green code, approved yellow override, valid pass, manual);
- the person on screen stays until recorded, refused or cleared; a new code waits as 下一位;
- a dialog's answer applies to the person (or fever, or record) it was opened for, or to none;
- no pass at or above the fever threshold; Esc lets the cleared code be scanned again at once.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.errors import KnownError
from app.gate import rules
from app.gate.debounce import Debouncer
from app.gate.people import PassRefusal, Person
from app.gate.rules import identified
from app.gate.service import GateService, Identity, Outcome, PassageDraft
from app.roster import passes
from app.roster.checks import gate_checks
from app.scan.payload import classify_payload

CODE_COLORS = ("green", "yellow", "red", "black", "unknown")
WAITING_MAX = 3  # a queue longer than this is not a queue the camera can see
REFUSED_PASS = "pass_invalid"  # the passage's reason; the specific one goes in its note
# dialogs that hold the desk for the person they are about: a code read meanwhile waits
PERSON_DIALOGS = ("manual", "refuse", "override", "confirm_color")
CATEGORY_KEYS = {f"Ctrl+{i + 1}": c for i, c in enumerate(rules.CATEGORIES)}


@dataclass
class Dialog:
    """A question the desk asked; its answer is bound to what it was opened for."""

    id: int
    kind: str  # manual | refuse | override | confirm_color | retest_early | retest | disposition
    #            | void
    token: int | None = None  # the person it is about (None: the desk was empty)
    fever_id: str | None = None
    passage: dict[str, Any] | None = None  # the record a void names
    temperature: float | None = None  # the re-test reading a disposition is for


@dataclass
class Step:
    """What one event did: the window plays the sound, asks the dialog, then renders."""

    outcome: str  # shown | queued | ignored | recorded | fever | asking | cancelled | message
    record: dict[str, Any] | None = None
    sound: str | None = None  # ok | refused | alarm
    ask: Dialog | None = None


@dataclass
class Flash:
    """The last outcome, shown on the banner for a few seconds when nobody is at the desk."""

    state: str  # done | refused | fever | unknown (a code that is not a health code or pass)
    record: dict[str, Any]
    until: float  # monotonic seconds
    reason: str = ""  # for unknown: why (a message code)


@dataclass
class Message:
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    error: bool = False


class DeskCore:
    """The desk without its dialogs (app/gate/desk.py adds them). Not thread-safe: the GUI
    thread (or a replay) drives it."""

    def __init__(
        self,
        gate: GateService,
        authorize: Callable[[str | None, str], bool] | None = None,
        lang: str = "zh",
    ) -> None:
        self.gate = gate
        self.clock = gate.clock
        self.settings = gate.settings
        # authorize(pin, action) for a yellow override; None: no PIN is set up at this gate
        self.authorize = authorize
        self.lang = lang
        self.debouncer = Debouncer(self.clock, float(self.settings.get("debounce_seconds")))
        self.direction = "in"
        self.category = "resident"
        self.current: Person | None = None
        self.waiting: deque[Person] = deque()
        self.typed = ""
        self.dialog: Dialog | None = None
        self.message: Message | None = None
        self.flash: Flash | None = None
        self._tokens = itertools.count(1)
        self._dialogs = itertools.count(1)
        self.listeners: list[Callable[[str, dict[str, Any], Step], None]] = []
        # codes meant for another part of the app (pairing QR, another gate's key): asked
        # first, after the debounce; a hook returning True took the code
        self.payload_hooks: list[Callable[[str], bool]] = []

    # ------------------------------------------------------------------ state
    @property
    def state(self) -> str:
        if self.dialog is not None:
            return f"asking:{self.dialog.kind}"
        return "at_desk" if self.current is not None else "idle"

    @property
    def occupied(self) -> bool:
        """Someone is being handled: a new code must wait its turn."""
        held = self.dialog is not None and self.dialog.kind in PERSON_DIALOGS
        return self.current is not None or held

    def _say(self, code: str, error: bool = True, **params: Any) -> None:
        self.message = Message(code, params, error)

    def _emit(self, kind: str, event: dict[str, Any], step: Step) -> Step:
        for listener in self.listeners:
            listener(kind, event, step)
        return step

    # ------------------------------------------------------------------ scans
    def scan(
        self, text: str, color: str = "unknown", source: str = "camera", debounce: bool = True
    ) -> Step:
        """A code was read (camera or keyboard-wedge scanner)."""
        event = {"text": text, "color": color, "source": source}
        if debounce and not self.debouncer.accept(text):
            return Step("ignored")  # the same phone, frame after frame: not an event
        if any(hook(text) for hook in self.payload_hooks):
            return Step("ignored")
        return self._emit("scan", event, self._scan(text, color))

    def _scan(self, text: str, color: str) -> Step:
        everyone = ([self.current] if self.current else []) + list(self.waiting)
        if any(p.same_code(text) for p in everyone):
            return Step("ignored")  # the same phone again: nothing changes
        payload = classify_payload(text)
        if payload.kind in ("refused", "text"):
            reason = payload.reason or "code_unrecognised_hint"
            if self.occupied:  # the person at the desk stays; say it under the banner
                self._say(reason)
            else:
                self.flash = Flash("unknown", {}, self.clock.monotonic() + 3.5, reason)
            return Step("message", sound="refused")
        person = Person(
            next(self._tokens),
            code_color=color if color in CODE_COLORS else "unknown",
            payload_kind=payload.kind,
            payload_text=payload.text,
            identity=Identity(method="scan"),
        )
        if payload.kind == "pass":
            self._resolve_pass(person)
        return self.arrive(person)

    def _resolve_pass(self, person: Person) -> None:
        check = passes.resolve_pass(self.gate.conn, person.payload_text or "", self.clock.now())
        person.code_color = "none"
        if check.kind == "resident" and check.resident_id is not None:
            person.identity = check.identity()
            person.category = "resident"
        elif check.kind == "visitor" and check.person_name:
            person.identity = Identity(method="pass", person_name=check.person_name)
            person.category = "visitor"
        else:  # forged, other compound's key, unreadable: nobody we can name
            person.identity = Identity(method="pass")
        if not check.ok:
            code = check.reason_code or "pass_malformed"
            person.refusal = PassRefusal(code, dict(check.params))

    def arrive(self, person: Person) -> Step:
        """A person steps up: to the desk when it is free, else into the 下一位 queue."""
        if self.occupied:
            if len(self.waiting) >= WAITING_MAX:
                self.waiting.pop()  # the newest of a crowd: they will show the code again
            self.waiting.append(person)
            warn = person.code_color in ("red", "yellow") or person.stop
            return Step("queued", sound="refused" if warn else None)
        self._take(person)
        return Step("shown", sound=self._sound_for(person))

    @staticmethod
    def _sound_for(person: Person) -> str | None:
        if person.refusal is not None:
            return "refused"
        if any(a.level == "stop" for a in person.alerts):
            return "alarm"  # the watchlist: the cadre must come
        if person.code_color in ("red", "yellow"):
            return "refused"
        return None

    def _take(self, person: Person) -> None:
        self.current = person
        if person.category:  # a pass says resident or visitor: the buttons follow
            self.category = person.category
        self.flash = None
        self.message = None
        self._check_alerts()

    def _check_alerts(self) -> None:
        cur = self.current
        if cur is None:
            return
        payload_hash = None
        if cur.payload_kind == "healthcode" and cur.payload_text:
            payload_hash = self.gate.hash_payload(cur.payload_text)
        quota = int(self.settings.get("household_exit_quota"))
        today = self.clock.now().date()
        cur.alerts = gate_checks(
            self.gate.conn, cur.identity, self.direction, today, payload_hash, quota
        )
        warns = [a for a in cur.alerts if a.level != "stop"]
        if warns:
            self._say("desk_warnings", text=" · ".join(a.message(self.lang) for a in warns))

    def _next_up(self) -> None:
        self.current = None
        if self.waiting:
            self._take(self.waiting.popleft())

    # ------------------------------------------------------------------ typing and keys
    def set_typed(self, text: str) -> None:
        self.typed = text

    def type_text(self, text: str) -> None:
        self.typed += text

    def refuse_keys(self) -> Step:
        """The temperature field refused a key (a letter, a second point): say what it takes."""
        self._say("temp_keys_only")
        return Step("message")

    def key(self, name: str) -> Step:
        typed_before = self.typed
        typed = self.typed.strip()
        if name == "Enter" and rules.typed_code(typed):
            self.typed = ""  # a keyboard-wedge scanner typed a code into the field
            return self.scan(typed, "unknown", source="wedge")
        if self.dialog is not None and name != "Esc":
            # as in the window, where the dialog is modal: answer it (or Esc) first
            self._say("dialog_open", kind=self.dialog.kind)
            return self._emit("key", {"key": name, "typed": typed_before}, Step("ignored"))
        handler = {
            "Enter": self._enter,
            "Esc": self._escape,
            "F1": lambda: self._direction("in"),
            "F2": lambda: self._direction("out"),
            "Backspace": self._backspace,
            **self._dialog_keys(),
        }.get(name)
        if handler is None and name in CATEGORY_KEYS:
            handler = lambda: self._set_category(CATEGORY_KEYS[name])  # noqa: E731
        step = handler() if handler is not None else Step("ignored")
        return self._emit("key", {"key": name, "typed": typed_before}, step)

    def _backspace(self) -> Step:
        self.typed = self.typed[:-1]
        return Step("shown")

    def _direction(self, direction: str) -> Step:
        self.direction = direction
        self._check_alerts()  # the stops depend on the direction
        return Step("shown", sound="alarm" if self.current and self.current.stop else None)

    def _set_category(self, category: str) -> Step:
        self.category = category
        return Step("shown")

    def _escape(self) -> Step:
        cur = self.current
        self.typed = ""
        self.message = None
        self.dialog = None
        self.flash = None
        if cur is not None and cur.payload_text:
            self.debouncer.reset(cur.payload_text)  # they may show the code again at once
        self._next_up()  # whoever waits (also behind a dialog that held the desk) steps up
        return Step("cleared" if cur is not None else "ignored")

    def _enter(self) -> Step:
        typed = self.typed.strip()
        cur = self.current
        if cur is None:
            self.typed = ""  # a reading for nobody is not kept for whoever comes next
            self._say("no_identity")
            return Step("message", sound="refused")
        if cur.refusal is not None:
            return self._record(cur, refuse_reason=REFUSED_PASS, note=cur.refusal.note)
        if cur.code_color in ("red", "yellow") and not cur.override_reason:
            return self._record(cur)
        if cur.stop:
            return self._record(cur)  # the roster's hard stop refuses it (GateService)
        if cur.payload_kind == "healthcode" and cur.code_color in ("black", "unknown"):
            return self._ask("confirm_color", token=cur.token)
        if not identified(cur.code_color, cur.payload_kind, cur.identity, cur.override_reason):
            self._say("no_identity")
            return Step("message", sound="refused")
        if typed and not rules.looks_like_temperature(typed):
            self.typed = ""  # letters are no temperature: the field is emptied, the words say so
            self._say("temp_invalid")
            return Step("message", sound="refused")
        if not typed:
            self._say("temp_required")
            return Step("message", sound="refused")
        return self._record(cur)

    def _record(
        self, cur: Person | None, refuse_reason: str | None = None, note: str | None = None
    ) -> Step:
        """Write one passage (or fever check) for cur; a KnownError keeps them at the desk."""
        person = cur or Person(0)
        typed = self.typed.strip()
        if typed and not rules.looks_like_temperature(typed):
            typed = ""
        draft = PassageDraft(
            direction=self.direction,
            category=self.category,
            code_color=person.code_color,
            payload_kind=person.payload_kind,
            payload_text=person.payload_text,
            identity=person.identity,
            temperature=typed or None,
            override_reason=person.override_reason,
            refuse_reason=refuse_reason,
            note=note,
        )
        try:
            outcome = self.gate.record(draft)
        except KnownError as exc:
            self._say(exc.code, **exc.params)
            return Step("message", sound="refused")
        return self._done(outcome, person)

    def _done(self, outcome: Outcome, person: Person | None) -> Step:
        row = outcome.record
        hold = 3.5
        if outcome.kind == "fever":
            state, sound, hold = "fever", "alarm", 8.0
        elif row.get("decision") == "pass":
            state, sound = "done", "ok"
        else:
            state, sound = "refused", "refused"
        self.flash = Flash(state, row, self.clock.monotonic() + hold)
        if person is not None and (self.current is None or person.token == self.current.token):
            self.typed = ""  # the person recorded (or the anonymous refusal) is done
            self.category = "resident"
            self._next_up()
        fever = outcome.kind == "fever"
        self.message = Message("desk_recorded", {"record": row, "fever": fever}, False)
        kind = "fever" if outcome.kind == "fever" else "recorded"
        return Step(kind, record=row, sound=sound)

    # ------------------------------------------------------------------ dialogs
    def _ask(self, kind: str, **bound: Any) -> Step:
        self.dialog = Dialog(next(self._dialogs), kind, **bound)
        return Step("asking", ask=self.dialog)

    def _dialog_keys(self) -> dict[str, Callable[[], Step]]:
        """Keys that open a dialog: the full desk (app/gate/desk.py) adds them."""
        return {}
