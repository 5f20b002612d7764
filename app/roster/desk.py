"""What the gate window asks the roster when a code is scanned: one object, no Qt.

The window (or the pass-check widget) calls desk.scan(text, direction) and shows the
result: who it is (masked), the stops and warnings; then desk.record(...) writes the passage
through GateService, which itself refuses a watchlisted resident going out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.gate.service import GateService, Identity, Outcome, PassageDraft
from app.roster import passes
from app.roster.gate import Alert, gate_checks, overdue_inside
from app.roster.service import RosterService
from app.scan.payload import classify_payload

REFUSED_PASS = "pass_invalid"  # the passage's reason; the specific one goes in its note


@dataclass(frozen=True)
class PassRefusal:
    """A refused pass as the window shows it (message) and as the record keeps it (note)."""

    code: str  # pass_expired | pass_revoked | pass_forged | pass_other_key | pass_moved_out …
    message: str  # in the window's language
    note: str  # 'pass_expired: 通行证已过期（2026-11-28）' — code first, for filtering

    def __str__(self) -> str:
        return self.message


def refusal_of(check: passes.PassCheck, lang: str = "zh") -> PassRefusal:
    from app.i18n import t

    code = check.reason_code or "pass_malformed"
    return PassRefusal(
        code, t(code, lang, **check.params), f"{code}: {t(code, 'zh', **check.params)}"
    )


@dataclass
class ScanView:
    """One scan as the volunteer should see it."""

    kind: str  # "pass" | "healthcode" | "text" | "refused"
    payload_text: str | None
    check: passes.PassCheck | None = None
    alerts: list[Alert] = field(default_factory=list)
    identity: Identity = field(default_factory=Identity)

    @property
    def stop(self) -> bool:
        return any(a.level == "stop" for a in self.alerts) or (
            self.check is not None and not self.check.ok
        )

    def headline(self, lang: str = "zh") -> str:
        from app.i18n import t

        if self.check is not None and not self.check.ok:
            return t(self.check.reason_code or "pass_malformed", lang, **self.check.params)
        for alert in self.alerts:
            return alert.message(lang)
        if self.check is not None:
            return f"{self.check.masked_name} · {self.check.household or ''}"
        return ""


class RosterDesk:
    def __init__(self, gate: GateService, roster: RosterService) -> None:
        self.gate = gate
        self.roster = roster

    def scan(self, text: str, direction: str, identity: Identity | None = None) -> ScanView:
        payload = classify_payload(text)
        view = ScanView(payload.kind, payload.text, identity=identity or Identity())
        now = self.gate.clock.now()
        if payload.kind == "pass" and payload.text is not None:
            view.check = passes.resolve_pass(self.gate.conn, payload.text, now)
            if view.check.kind == "resident" and view.check.resident_id is not None:
                view.identity = view.check.identity()
            elif view.check.kind == "visitor" and view.check.person_name:
                view.identity = Identity(method="pass", person_name=view.check.person_name)
            else:  # forged, other compound's key, unreadable: nobody we can name
                view.identity = Identity(method="pass")
        view.alerts = self.alerts(view.identity, direction, payload.kind, payload.text)
        return view

    def alerts(
        self,
        identity: Identity,
        direction: str,
        payload_kind: str | None,
        payload_text: str | None,
    ) -> list[Alert]:
        """Stops and warnings for whoever is at the desk (replay only for health codes)."""
        payload_hash = None
        if payload_kind == "healthcode" and payload_text:
            payload_hash = self.gate.hash_payload(payload_text)
        quota = int(self.gate.settings.get("household_exit_quota"))
        return gate_checks(
            self.gate.conn, identity, direction, self.gate.clock.now().date(), payload_hash, quota
        )

    def record(
        self,
        view: ScanView,
        direction: str,
        temperature: str | None = None,
        note: str | None = None,
        code_color: str = "none",
    ) -> Outcome:
        draft = PassageDraft(
            direction=direction,
            category="visitor"
            if view.check is not None and view.check.kind == "visitor"
            else "resident",
            code_color=code_color,
            payload_kind=view.kind,
            payload_text=view.payload_text,
            identity=view.identity,
            temperature=temperature,
            note=note,
        )
        if view.check is not None and not view.check.ok:
            draft.refuse_reason = REFUSED_PASS
            specific = refusal_of(view.check).note
            draft.note = f"{specific}; {note}" if note else specific
        return self.gate.record(draft)

    def overdue(self) -> list[dict[str, Any]]:
        minutes = int(self.gate.settings.get("overdue_minutes"))
        return overdue_inside(self.gate.conn, self.gate.clock.now(), minutes)
