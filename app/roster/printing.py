"""What goes on a printed pass card; the drawing itself is Qt's and lives in ui/pass_print.py."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from app.clock import Clock
from app.privacy import mask_name
from app.roster import passes
from app.roster.cards import PassCard
from app.roster.residents import household_of
from db import roster as q


def place_text(building: str, unit: str, room: str) -> str:
    parts = [f"{building}栋" if building else "", f"{unit}单元" if unit else "", room]
    return "".join(parts) or household_of(building, unit, room)


def pass_cards(
    conn: sqlite3.Connection,
    clock: Clock,
    title: str,
    days: int = 90,
    building: str | None = None,
    resident_ids: list[int] | None = None,
    who: str = "-",
) -> list[PassCard]:
    """One card per resident (moved-out residents get none), signed at their current serial."""
    first: date = clock.now().date()
    last = first + timedelta(days=max(1, days) - 1)
    rows = q.all_residents(conn, building)
    if resident_ids is not None:
        wanted = set(resident_ids)
        rows = [r for r in rows if r["id"] in wanted]
    cards = []
    for r in rows:
        if r["status"] == "moved_out":
            continue
        text = passes.resident_pass(conn, clock, r["id"], first, last, who)
        cards.append(
            PassCard(
                title,
                mask_name(r["name"]),
                place_text(r["building"], r["unit"], r["room"]),
                r["household"],
                first.isoformat(),
                last.isoformat(),
                text,
            )
        )
    return cards


def visitor_card(
    title: str, visitor_name: str, host_household: str, until: str, text: str
) -> PassCard:
    return PassCard(
        title, mask_name(visitor_name), host_household, host_household, "", until, text, "visitor"
    )
