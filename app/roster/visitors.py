"""Issuing a visitor pass at the desk: check the host household and name, sign, make the card."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from app.errors import KnownError
from app.roster import passes
from app.roster.cards import PassCard
from app.roster.printing import visitor_card
from app.roster.residents import clean_name, clean_text
from db import roster as q

MAX_HOURS = 24


@dataclass(frozen=True)
class IssuedVisitorPass:
    pass_id: int
    text: str  # the QR payload ('GP1:…')
    card: PassCard
    valid_until: str  # local 'YYYY-MM-DD HH:MM', as the gate shows it


def households(conn: Any) -> list[str]:
    """Households someone still lives in, for the host picker."""
    rows = conn.execute(
        "SELECT DISTINCT household FROM residents "
        "WHERE household <> '' AND status <> 'moved_out' ORDER BY household"
    )
    return [str(r[0]) for r in rows]


def issue(
    roster: Any, host: str, visitor_name: str, hours: float | None = None
) -> IssuedVisitorPass:
    """A pass for today (hours None or 0) or for the next N hours, linked to a host household."""
    host = clean_text(host)
    name = clean_name(visitor_name)
    if not name:
        raise KnownError("visitor_name_required")
    if not host:
        raise KnownError("visitor_host_required")
    members = [r for r in q.household_members(roster.conn, host) if r["status"] != "moved_out"]
    if not members:
        raise KnownError("visitor_host_unknown", household=host)
    if hours is not None and not 0 <= hours <= MAX_HOURS:
        raise KnownError("visitor_hours_bad", max=MAX_HOURS)
    clock = roster.clock
    until = clock.now() + timedelta(hours=hours) if hours else None
    pass_id, text = passes.visitor_pass(roster.conn, clock, host, name, until, roster.who)
    check = passes.resolve_pass(roster.conn, text, clock.now())
    shown = check.valid_until or ""
    title = str(roster.settings.get("checkpoint_name"))
    return IssuedVisitorPass(pass_id, text, visitor_card(title, name, host, shown, text), shown)
