"""Watchlist and quota checks: what the roster tells the gate about one person (stop, household
quota, replay, visitors overdue)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.i18n import t
from app.privacy import mask_name
from app.roster.residents import under_observation
from db import records
from db import roster as q


@dataclass(frozen=True)
class Alert:
    level: str  # "stop" (hard stop, red alarm, sound) | "warn" (tell the volunteer)
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        return t(self.code, lang, **self.params)


def find_resident(conn: sqlite3.Connection, identity: Any) -> dict[str, Any] | None:
    """The roster entry behind an identity: by resident id, else by ID number."""
    rid = getattr(identity, "resident_id", None)
    if rid is not None:
        return q.get_resident(conn, int(rid))
    idn = getattr(identity, "id_number", None)
    return q.get_by_id_number(conn, idn) if idn else None


def refusal_reason(
    conn: sqlite3.Connection, identity: Any, direction: str, today: date
) -> str | None:
    """The gate must refuse: 'watchlist' (observation, going out) or 'moved_out'."""
    resident = find_resident(conn, identity)
    if resident is None:
        return None
    if resident["status"] == "moved_out":
        return "moved_out"
    if direction == "out" and under_observation(resident, today):
        return "watchlist"
    return None


def _same_person(a: dict[str, Any], identity: Any) -> bool | None:
    """True/False when both sides say who they are, None when we cannot tell."""
    for key in ("resident_id", "id_number", "person_name"):
        mine = getattr(identity, key, None)
        theirs = a.get(key)
        if mine not in (None, "") and theirs not in (None, ""):
            return str(mine) == str(theirs)
    return None


def gate_checks(
    conn: sqlite3.Connection,
    identity: Any,
    direction: str,
    today: date,
    payload_hash: str | None = None,
    quota: int = 0,
) -> list[Alert]:
    """Everything the volunteer must see before pressing Enter, stops first."""
    alerts: list[Alert] = []
    resident = find_resident(conn, identity)
    if resident is not None:
        name = mask_name(resident["name"])
        if resident["status"] == "moved_out":
            alerts.append(Alert("stop", "alert_moved_out", {"name": name}))
        elif direction == "out" and under_observation(resident, today):
            alerts.append(
                Alert("stop", "alert_watchlist", {"name": name, "end": resident["obs_end"] or "?"})
            )
        if quota > 0 and direction == "out" and resident["household"]:
            out = [
                r
                for r in q.household_out_today(conn, resident["household"], today.isoformat())
                if r["id"] != resident["id"]
            ]
            if len(out) >= quota:
                alerts.append(
                    Alert(
                        "warn",
                        "alert_quota",
                        {
                            "count": len(out),
                            "quota": quota,
                            "who": "、".join(mask_name(r["name"]) for r in out),
                        },
                    )
                )
    if payload_hash:
        replay = _replayed(
            q.passages_with_hash(conn, payload_hash, today.isoformat()), identity, direction
        )
        if replay is not None:
            alerts.append(
                Alert(
                    "warn",
                    "alert_replay",
                    {
                        "who": mask_name(replay.get("person_name")) or "?",
                        "time": str(replay["ts_local"])[11:16],
                    },
                )
            )
    return alerts


def _replayed(seen: list[dict[str, Any]], identity: Any, direction: str) -> dict[str, Any] | None:
    """A passage today with this payload that was someone else: named differently, or (when
    nobody is named) a second pass the same way with no pass the other way in between."""
    for row in seen:
        if _same_person(row, identity) is False:
            return row
    passed = [r for r in seen if r["decision"] == "pass"]
    if (
        passed
        and _same_person(passed[-1], identity) is None
        and passed[-1]["direction"] == direction
    ):
        return passed[-1]
    return None


def overdue_inside(
    conn: sqlite3.Connection, now: datetime, minutes: int = 120
) -> list[dict[str, Any]]:
    """Visitors and couriers still inside longer than `minutes`, longest first, with how long."""
    since = now.date().toordinal() - 1
    rows = records.visitors_inside(conn, date.fromordinal(since).isoformat())
    out = []
    for row in rows:
        came = datetime.fromisoformat(row["ts_local"])
        inside = int((now - came).total_seconds() // 60)
        if inside >= minutes:
            out.append(
                {**row, "minutes_inside": inside, "masked_name": mask_name(row.get("person_name"))}
            )
    return sorted(out, key=lambda r: -r["minutes_inside"])
