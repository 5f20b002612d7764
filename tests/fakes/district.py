"""A generated district for the officer page (#15): gates enrolled in compounds, a day's events
written straight into the server store (desk passages in / out / refused, fever checks, 补录,
records with a suspect clock, voids), and when each gate was last heard from."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.clock import utc_iso
from server import devices, rollups
from server.store import Store

STREETS = ("鼓楼街道", "台江街道", "仓山街道")
COMMUNITIES = ("东街社区", "南街社区", "西湖社区", "温泉社区")


@dataclass
class District:
    """What was generated, to compare the page with."""

    gates: list[dict[str, object]] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    silent: list[str] = field(default_factory=list)  # device ids of the gates 失联


def _count(totals: dict[str, int], key: str, n: int = 1) -> None:
    totals[key] = totals.get(key, 0) + n


def make_district(
    store: Store,
    n: int,
    day: str,
    now: datetime,
    *,
    silent_every: int = 37,
    ungrouped_every: int = 10,
    seed: int = 15,
) -> District:
    """n gates (every ungrouped_every-th one ungrouped, every silent_every-th one last heard
    five hours before now), each with a few events of that day."""
    rng = random.Random(seed)
    out = District(totals={"gates": n})
    for i in range(n):
        device_id = f"01a22967-{i:04d}-7000-8000-{rng.getrandbits(48):012x}"
        key = f"{rng.getrandbits(256):064x}"
        street, community = (
            ("", "")
            if i % ungrouped_every == 0
            else (
                STREETS[i % len(STREETS)],
                COMMUNITIES[i % len(COMMUNITIES)],
            )
        )
        devices.enrol_offline(
            store,
            device_id,
            key,
            f"{i + 1}号门",
            officer="test",
            compound=devices.Compound(street, community),
        )
        silent = i % silent_every == 1
        heard = now - (timedelta(hours=5) if silent else timedelta(minutes=rng.randint(1, 90)))
        if silent:
            out.silent.append(device_id)
        events = _gate_day(device_id, day, rng, out.totals)
        with store.tx() as tx:
            tx.executemany(
                "INSERT INTO events(event_id, device_id, seq, kind, body, created_utc, "
                "prev_hash, hash, local_date, received_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                events,
            )
            tx.execute(
                "UPDATE devices SET last_sync_utc = ?, acked_seq = ?, max_seq = ? "
                "WHERE device_id = ?",
                (utc_iso(heard), len(events), len(events), device_id),
            )
        out.gates.append({"device_id": device_id, "street": street, "community": community})
    out.totals["silent"] = len(out.silent)
    rollups.rebuild(store, utc_iso(now))  # the events went in by SQL, not through ingest
    return out


def _gate_day(
    device_id: str, day: str, rng: random.Random, totals: dict[str, int]
) -> list[tuple[object, ...]]:
    bodies: list[tuple[str, dict[str, object]]] = []
    for _ in range(rng.randint(2, 8)):
        direction = rng.choice(("in", "out"))
        refused = rng.random() < 0.1
        suspect = rng.random() < 0.05
        body = {
            "local_date": day,
            "direction": direction,
            "decision": "refused" if refused else "pass",
            "category": "resident",
        }
        if suspect:
            body["clock_suspect"] = 1
            _count(totals, "clock_suspect")
        _count(totals, "refused" if refused else direction)
        bodies.append(("passage", body))
    if rng.random() < 0.3:
        bodies.append(
            (
                "passage_backfill",
                {"local_date": day, "direction": "in", "decision": "pass", "backfill_page": 2},
            )
        )
        _count(totals, "in")
        _count(totals, "backfill")
    if rng.random() < 0.2:
        bodies.append(("fever_check", {"local_date": day, "temperature": 37.9}))
        _count(totals, "fevers")
    rows: list[tuple[object, ...]] = []
    for seq, (kind, body) in enumerate(bodies, 1):
        event_id = f"{device_id[:24]}-{seq:06d}"
        rows.append(_row(device_id, seq, kind, {"id": event_id, **body}, day))
    if rng.random() < 0.2 and bodies[0][0] == "passage":  # the first passage voided
        first = bodies[0][1]
        key = "refused" if first["decision"] == "refused" else str(first["direction"])
        totals[key] -= 1  # a voided passage counts only as a void (server/rollups.py)
        if first.get("clock_suspect"):
            totals["clock_suspect"] -= 1
        _count(totals, "voids")
        target = f"{device_id[:24]}-{1:06d}"
        rows.append(
            _row(device_id, len(rows) + 1, "void", {"id": "v" + target, "target_id": target}, None)
        )
    return rows


def _row(
    device_id: str, seq: int, kind: str, body: dict[str, object], day: str | None
) -> tuple[object, ...]:
    stamp = "2026-11-29T00:00:00.000Z"
    return (
        body["id"], device_id, seq, kind, json.dumps(body, ensure_ascii=False),
        stamp, f"p{seq}", f"h{device_id}{seq}", day, stamp,
    )  # fmt: skip
