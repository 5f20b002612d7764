"""Demo-camera cards that include resident passes signed with this compound's key."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from app.clock import Clock
from app.roster import passes
from app.roster.residents import under_observation
from app.scan.demo import DEFAULT_CARDS, DemoCard
from db import roster as q


def demo_cards_with_passes(
    conn: sqlite3.Connection, clock: Clock, how_many: int = 2
) -> list[DemoCard]:
    """The default health codes, then passes (black) of a few residents; observation first,
    so the demo shows the watchlist stop. Without residents it is just the default cards."""
    today = clock.now().date()
    people = q.all_residents(conn)
    people = [r for r in people if r["status"] != "moved_out"]
    people.sort(key=lambda r: not under_observation(r, today))
    cards = list(DEFAULT_CARDS)
    for resident in people[:how_many]:
        text = passes.resident_pass(
            conn, clock, resident["id"], today, today + timedelta(days=30), who="demo"
        )
        cards.append(DemoCard("black", text))
    return cards
