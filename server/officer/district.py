"""The officer page for a district (#15): each gate's state (正常, 失联, 吊销), the page's filter
and sort (query parameters, so it works without JavaScript), gates grouped by compound, and
the totals at the top. Pure functions over queries.gate_rows' dicts; no I/O."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from server.officer.queries import DAY_KEYS, parse_utc

SILENT_ENV = "GATEPOST_SILENT_MINUTES"
DEFAULT_SILENT = timedelta(hours=2)
STATES = ("ok", "silent", "revoked")
SORTS = ("compound", "name", "code", "state", "last_sync", *DAY_KEYS)
SYNCED = ("lt1", "lt24", "gt2", "gt24", "gt168", "never")  # the last-sync filter's choices
_STATE_ORDER = {"silent": 0, "revoked": 1, "ok": 2}  # sorted by state: 失联 first
_SYNCED = re.compile(r"(lt|gt)(\d{1,4})")


def silent_after(minutes: int | str | None = None) -> timedelta:
    """How long a gate may stay unheard before it is 失联: the argument, $GATEPOST_SILENT_MINUTES,
    else 2 hours. Not a whole number of minutes ≥ 1: ValueError naming it."""
    value = os.environ.get(SILENT_ENV) if minutes is None else minutes
    if value is None or value == "":
        return DEFAULT_SILENT
    text = str(value).strip()
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{SILENT_ENV} must be a whole number of minutes: {value!r}")
    return timedelta(minutes=int(text))


def heard(g: Mapping[str, Any]) -> datetime | None:
    """When the gate was last heard from: its last sync, else its enrolment."""
    return parse_utc(g.get("last_seen")) or parse_utc(g.get("enrolled_utc"))


def state_of(g: Mapping[str, Any], now: datetime, after: timedelta) -> str:
    """revoked; silent (失联) when unheard for longer than `after`; else ok."""
    if g.get("revoked"):
        return "revoked"
    last = heard(g)
    return "silent" if last is None or now - last > after else "ok"


def compound_of(g: Mapping[str, Any]) -> tuple[str, str]:
    """(street, community); ('', '') is 未分组."""
    return (str(g.get("street") or ""), str(g.get("community") or ""))


@dataclass(frozen=True)
class View:
    """What the officer asked to see: a text to look for (name, code, device id, street,
    community), a state, a last-sync range, a sort column and its order."""

    q: str = ""
    state: str = ""
    synced: str = ""
    sort: str = "compound"
    desc: bool = False

    @classmethod
    def of(cls, params: Mapping[str, str]) -> View:
        """From the query string; anything not offered falls back to the default."""
        state = params.get("state", "")
        synced = params.get("synced", "")
        sort = params.get("sort", "compound")
        return cls(
            q=params.get("q", "").strip()[:100],
            state=state if state in STATES else "",
            synced=synced if synced in SYNCED else "",
            sort=sort if sort in SORTS else "compound",
            desc=params.get("order") == "desc",
        )

    def query(self, **changes: Any) -> dict[str, str]:
        """The query parameters of this view with some changed (for the sort links)."""
        values = {
            "q": self.q,
            "state": self.state,
            "synced": self.synced,
            "sort": self.sort,
            "order": "desc" if self.desc else "",
        }
        values.update({k: str(v) for k, v in changes.items()})
        return {k: v for k, v in values.items() if v}


def _synced_ok(g: Mapping[str, Any], synced: str, now: datetime) -> bool:
    last = parse_utc(g.get("last_seen"))
    if synced == "never":
        return last is None
    match = _SYNCED.fullmatch(synced)
    if not match:
        return True
    if last is None:
        return match.group(1) == "gt"  # never synced is older than any time
    age = now - last
    limit = timedelta(hours=int(match.group(2)))
    return age < limit if match.group(1) == "lt" else age > limit


def _text_ok(g: Mapping[str, Any], q: str) -> bool:
    if not q:
        return True
    from app.gate_code import normalise

    needle = q.casefold()
    fields = (g.get("name"), g.get("device_id"), g.get("street"), g.get("community"))
    if any(needle in str(f or "").casefold() for f in fields):
        return True
    code = normalise(q)
    return bool(code) and code in str(g.get("gate_code") or "")


def select(gates: Iterable[dict[str, Any]], view: View, now: datetime) -> list[dict[str, Any]]:
    """The gates the view asks for (each must carry its 'state'), sorted as asked."""
    chosen = [
        g
        for g in gates
        if (not view.state or g["state"] == view.state)
        and _synced_ok(g, view.synced, now)
        and _text_ok(g, view.q)
    ]
    return sorted(chosen, key=_sort_key(view.sort), reverse=view.desc)


def _sort_key(sort: str) -> Any:
    def name(g: Mapping[str, Any]) -> tuple[str, str]:
        return (str(g.get("name") or ""), str(g.get("device_id")))

    if sort == "code":
        return lambda g: str(g.get("gate_code") or "")
    if sort == "state":
        return lambda g: (_STATE_ORDER[g["state"]], name(g))
    if sort == "last_sync":
        return lambda g: (str(g.get("last_seen") or ""), name(g))
    if sort in DAY_KEYS:
        return lambda g: (g["day"][sort], name(g))
    if sort == "name":
        return name
    # by compound (未分组 last), 失联 gates first within each, then by name
    return lambda g: (_ungrouped_last(compound_of(g)), _STATE_ORDER[g["state"]], name(g))


def _ungrouped_last(key: tuple[str, str]) -> tuple[bool, str, str]:
    return (key == ("", ""), *key)


def groups(gates: list[dict[str, Any]]) -> list[tuple[tuple[str, str], list[dict[str, Any]]]]:
    """The gates by compound, in the order the compounds first appear (so a sort carries into
    the groups) — except 未分组, always last; within a group, the gates' order as given."""
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for g in gates:
        out.setdefault(compound_of(g), []).append(g)
    return sorted(out.items(), key=lambda kv: kv[0] == ("", ""))


def totals(gates: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """The district's numbers for the day: gates, each day count summed, gates 失联."""
    out = dict.fromkeys(("gates", *DAY_KEYS, "silent", "revoked"), 0)
    for g in gates:
        out["gates"] += 1
        for k in DAY_KEYS:
            out[k] += int(g["day"][k])
        if g["state"] in ("silent", "revoked"):
            out[g["state"]] += 1
    return out
