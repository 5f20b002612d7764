"""The gate desk: the state machine of desk_core.py plus its dialogs, each answer bound to
the person (or fever, or record) it was opened for. See desk_core.py for the rules it keeps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.errors import KnownError
from app.gate import rules
from app.gate.desk_core import (
    CATEGORY_KEYS,
    PERSON_DIALOGS,
    DeskCore,
    Dialog,
    Flash,
    Message,
    Step,
)
from app.gate.people import Person
from app.gate.rules import identified
from app.gate.service import Identity
from app.idcard import validate_id

__all__ = ["CATEGORY_KEYS", "Desk", "Dialog", "Flash", "Message", "Step", "manual_identity"]


class Desk(DeskCore):
    """One gate desk with its dialogs (manual entry, refusal, override, colour, re-test, void)."""

    def _dialog_keys(self) -> dict[str, Callable[[], Step]]:
        return {
            "F3": self._manual,
            "F4": self._void,
            "Ctrl+R": self._refuse,
            "Ctrl+Y": self._override,
        }

    def _manual(self) -> Step:
        if self.current is not None:
            self._say("desk_busy")
            return Step("message", sound="refused")
        return self._ask("manual")

    def _refuse(self) -> Step:
        return self._ask("refuse", token=self.current.token if self.current else None)

    def _override(self) -> Step:
        cur = self.current
        if cur is None or cur.code_color != "yellow" or cur.override_reason:
            self._say("override_only_yellow")
            return Step("message")
        return self._ask("override", token=cur.token)

    def retest(self, fever_id: str) -> Step:
        """The volunteer picked a resting person for the re-test."""
        fever = next((f for f in self.gate.pending_fevers() if f["id"] == fever_id), None)
        if self.dialog is not None:
            self._say("dialog_open", kind=self.dialog.kind)
            step = Step("ignored")
        elif fever is None:
            self._say("retest_gone")
            step = Step("message")
        elif self.clock.now() < datetime.fromisoformat(self.gate.retest_due_at(fever)):
            step = self._ask("retest_early", fever_id=fever_id)
        else:
            step = self._ask("retest", fever_id=fever_id)
        return self._emit("retest", {"fever_id": fever_id}, step)

    def _void(self) -> Step:
        last, problem = self.gate.undo_target()
        if last is None:
            self._say(problem or "undo_nothing")
            return Step("message")
        return self._ask("void", passage=last)

    def answer(self, dialog_id: int | None, value: Any) -> Step:
        """The answer to the open dialog (None: cancelled). A stale answer changes nothing."""
        dialog = self.dialog
        event = {"dialog": dialog_id, "kind": dialog.kind if dialog else None, "value": value}
        if dialog is None or (dialog_id is not None and dialog_id != dialog.id):
            self._say("dialog_stale")
            return self._emit("answer", event, Step("ignored"))
        self.dialog = None
        if dialog.kind in PERSON_DIALOGS and dialog.kind != "manual":
            if dialog.token != (self.current.token if self.current else None):
                self._say("dialog_stale")
                return self._emit("answer", event, Step("ignored"))
        if value is None or value is False:
            step = Step("cancelled")
        else:
            try:
                step = getattr(self, f"_answer_{dialog.kind}")(dialog, value)
            except KnownError as exc:
                self._say(exc.code, **exc.params)
                step = Step("message", sound="refused")
        if self.current is None and not self.occupied and self.waiting:
            self._next_up()  # a code read while a dialog held the desk steps up now
        return self._emit("answer", event, step)

    def _answer_manual(self, dialog: Dialog, value: Any) -> Step:
        identity = value if isinstance(value, Identity) else manual_identity(value)
        if not identified("none", None, identity, None):
            raise KnownError("no_identity")
        person = Person(next(self._tokens), identity=identity)
        if self.current is not None:  # cannot happen while the dialog holds the desk
            return self.arrive(person)
        self._take(person)  # the dialog held the desk: codes read meanwhile stay 下一位
        return Step("shown", sound=self._sound_for(person))

    def _answer_refuse(self, dialog: Dialog, value: Any) -> Step:
        reason, note = _pair(value, "reason", "note")
        if reason not in ("no_code", "other"):
            reason = "other"
        if reason == "other" and not (note or "").strip():
            raise KnownError("note_required")
        return self._record(self.current, refuse_reason=reason, note=note or None)

    def _answer_override(self, dialog: Dialog, value: Any) -> Step:
        reason, pin = _pair(value, "reason", "pin")
        if not (reason or "").strip():
            raise KnownError("note_required")
        authorized = isinstance(value, dict) and value.get("authorized") is True
        if not authorized and self.authorize is not None:
            if not self.authorize(pin, "yellow_override"):
                raise KnownError("pin_wrong_short")
        assert self.current is not None  # checked against the token in answer()
        self.current.override_reason = reason.strip()
        return Step("shown")

    def _answer_confirm_color(self, dialog: Dialog, value: Any) -> Step:
        color = value.get("color") if isinstance(value, dict) else value
        if color not in ("green", "yellow", "red"):
            raise KnownError("color_choice")
        assert self.current is not None
        self.current.code_color = color
        self.current.color_confirmed = True
        return self._enter()

    def _answer_retest_early(self, dialog: Dialog, value: Any) -> Step:
        return self._ask("retest", fever_id=dialog.fever_id)

    def _answer_retest(self, dialog: Dialog, value: Any) -> Step:
        raw = value.get("temperature") if isinstance(value, dict) else value
        temp = rules.parse_temperature(str(raw))
        outcome = self.gate.record_retest(str(dialog.fever_id), temp)
        if outcome.kind == "still_fever":
            return self._ask("disposition", fever_id=dialog.fever_id, temperature=temp)
        return self._done(outcome, None)

    def _answer_disposition(self, dialog: Dialog, value: Any) -> Step:
        disposition, note = _pair(value, "disposition", "note")
        outcome = self.gate.record_retest(
            str(dialog.fever_id), dialog.temperature, disposition, note or None
        )
        return self._done(outcome, None)

    def _answer_void(self, dialog: Dialog, value: Any) -> Step:
        reason = value.get("reason") if isinstance(value, dict) else value
        assert dialog.passage is not None
        void = self.gate.void(dialog.passage["id"], str(reason or ""))
        self._say("undo_done_named", error=False, record=void["target"])
        return Step("voided", record=void)


def manual_identity(value: Any) -> Identity:
    """A manual entry from a dialog's fields (or a replay script): checked, never guessed."""
    if not isinstance(value, dict):
        raise KnownError("no_identity")
    id_number = str(value.get("id_number") or "").strip()
    if id_number:
        return Identity("id_number", value.get("name") or None, validate_id(id_number))
    name = str(value.get("name") or "").strip()
    room = str(value.get("room") or "").strip()
    return Identity(
        "name_room",
        name or None,
        None,
        str(value.get("building") or "").strip() or None,
        str(value.get("unit") or "").strip() or None,
        room or None,
    )


def _pair(value: Any, first: str, second: str) -> tuple[str, str]:
    """Dialogs answer (a, b) in the window and {"a": …, "b": …} in a replay script."""
    if isinstance(value, dict):
        return str(value.get(first) or ""), str(value.get(second) or "")
    if isinstance(value, tuple | list) and len(value) == 2:
        return str(value[0] or ""), str(value[1] or "")
    return str(value or ""), ""
