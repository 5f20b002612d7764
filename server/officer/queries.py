"""What the officer's pages read: gates with their gaps, a day's numbers per gate, the export
rows (personal data masked), and the officer's local time."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.privacy import mask_id, mask_name, mask_phone
from server.day_check import PASSAGE_KINDS
from server.store import Store

DEFAULT_TZ = "Asia/Shanghai"
TZ_ENV = "GATEPOST_SERVER_TZ"
EXPORT_COLUMNS = (
    "gate",
    "device_id",
    "seq",
    "kind",
    "ts_local",
    "direction",
    "category",
    "code_color",
    "decision",
    "reason",
    "temperature",
    "person_name",
    "id_number",
    "phone",
    "building",
    "unit",
    "room",
    "volunteer",
    "voided",
    "backfill",  # #17: 补录 from the paper register: "backfill p.<sheet page>"
    "clock_suspect",  # #17: written while the gate's clock was in doubt
)
BODY_COLUMNS = EXPORT_COLUMNS[4 : EXPORT_COLUMNS.index("voided")]


def server_tz(name: str | None = None) -> ZoneInfo:
    """The officer's local time zone: the argument, $GATEPOST_SERVER_TZ, else Asia/Shanghai.
    An unknown name is a ValueError naming it (the server refuses to start with it)."""
    name = name or os.environ.get(TZ_ENV) or DEFAULT_TZ
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone: {name}") from None


def parse_utc(utc_text: Any) -> datetime | None:
    """A stored UTC instant (ISO, 'Z' or an offset; naive is UTC), or None if unreadable."""
    if not utc_text:
        return None
    try:
        when = datetime.fromisoformat(str(utc_text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def local_time(utc_text: str | None, tz: ZoneInfo) -> str:
    """A stored UTC instant as the officer's wall-clock time (unchanged if unreadable)."""
    if not utc_text:
        return ""
    when = parse_utc(utc_text)
    if when is None:
        return str(utc_text)
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def gaps(store: Store, device_id: str, limit: int = 5) -> list[tuple[int, int]]:
    """Missing sequence ranges below the highest one received (events or quarantine)."""
    with store.tx() as tx:
        rows = tx.execute(
            "SELECT seq, prev FROM (SELECT seq, LAG(seq, 1, 0) OVER (ORDER BY seq) AS prev "
            "FROM (SELECT seq FROM events WHERE device_id = ? UNION "
            "SELECT seq FROM quarantine WHERE device_id = ?) s) w WHERE seq - prev > 1 "
            "ORDER BY seq LIMIT ?",
            (device_id, device_id, limit),
        )
    return [(int(r["prev"]) + 1, int(r["seq"]) - 1) for r in rows]


def _body(text: Any) -> dict[str, Any]:
    try:
        body = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return {}
    return body if isinstance(body, dict) else {}


def _voided(voids: list[dict[str, Any]]) -> set[tuple[str, Any]]:
    """(device, passage id) of every voided passage: a passage's event id is its record id."""
    return {(v["device_id"], _body(v["body"]).get("target_id")) for v in voids}


DAY_KEYS = ("in", "out", "refused", "fevers", "voids", "backfill", "clock_suspect")


def zero_day() -> dict[str, int]:
    """A gate's numbers on a day with nothing recorded."""
    return dict.fromkeys(DAY_KEYS, 0)


def day_numbers(store: Store, day: str) -> dict[str, dict[str, int]]:
    """Per gate, that day's passages in / out (let through) and refused, desk and 补录 alike;
    fever checks; passages voided (left out of the other counts); backfilled passages (补录);
    records written while the gate's clock was in doubt (clock_suspect, #17)."""
    with store.tx() as tx:
        rows = tx.execute(
            "SELECT device_id, event_id, kind, body FROM events WHERE local_date = ? "
            "AND kind IN (?, ?, 'fever_check')",
            (day, *PASSAGE_KINDS),
        )
        voids = tx.execute("SELECT device_id, body FROM events WHERE kind = 'void'")
    voided = _voided(voids)
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        n = out.setdefault(r["device_id"], zero_day())
        body = _body(r["body"])
        if body.get("clock_suspect"):
            n["clock_suspect"] += 1
        if r["kind"] == "fever_check":
            n["fevers"] += 1
            continue
        if (r["device_id"], r["event_id"]) in voided:  # a passage's event id is its record id
            n["voids"] += 1
            continue
        if r["kind"] == "passage_backfill":
            n["backfill"] += 1
        if body.get("decision") == "refused":
            n["refused"] += 1
        elif body.get("decision") == "pass" and body.get("direction") in ("in", "out"):
            n[body["direction"]] += 1
    return out


def gate_rows(store: Store, day: str) -> list[dict[str, Any]]:
    """Every gate with its counts of that day, when it was last heard from (last_seen),
    quarantined events and first gaps."""
    numbers = day_numbers(store, day)
    with store.tx() as tx:
        gates = tx.execute("SELECT * FROM devices ORDER BY name, device_id")
        counts = tx.execute(
            "SELECT device_id, kind, count(*) AS n FROM events "
            "WHERE local_date = ? GROUP BY device_id, kind",
            (day,),
        )
        quarantined = tx.execute(
            "SELECT device_id, count(*) AS n FROM quarantine GROUP BY device_id"
        )
    per: dict[str, dict[str, int]] = {}
    for c in counts:
        per.setdefault(c["device_id"], {})[c["kind"]] = int(c["n"])
    q = {r["device_id"]: int(r["n"]) for r in quarantined}
    for g in gates:
        g["counts"] = per.get(g["device_id"], {})
        g["day"] = numbers.get(g["device_id"], zero_day())
        g["last_seen"] = g["last_sync_utc"]
        g["quarantined"] = q.get(g["device_id"], 0)
        g["gaps"] = gaps(store, g["device_id"])
    return gates


def quarantine_rows(store: Store, limit: int = 100) -> list[dict[str, Any]]:
    """The newest quarantined events, for the page."""
    with store.tx() as tx:
        return tx.execute(
            "SELECT device_id, seq, event_id, kind, reason, received_utc "
            "FROM quarantine ORDER BY id DESC LIMIT ?",
            (limit,),
        )


def iter_export_rows(store: Store, day: str) -> Iterator[list[Any]]:
    """One row per event of that day across all gates, personal data masked, streamed from
    the database (memory flat in the number of events); a voided passage is marked in the last
    column (the page's counts leave it out the same way)."""
    with store.tx() as tx:
        names = {
            r["device_id"]: r["name"] for r in tx.execute("SELECT device_id, name FROM devices")
        }
        voided = _voided(tx.execute("SELECT device_id, body FROM events WHERE kind = 'void'"))
    events = store.stream(
        "SELECT device_id, event_id, seq, kind, body FROM events WHERE local_date = ? "
        "ORDER BY device_id, seq",
        (day,),
    )
    for e in events:
        body = _body(e["body"])
        row = {
            "gate": names.get(e["device_id"], ""),
            "device_id": e["device_id"],
            "seq": e["seq"],
            "kind": e["kind"],
        }
        for col in BODY_COLUMNS:
            row[col] = body.get(col)
        row["person_name"] = mask_name(row["person_name"])
        row["id_number"] = mask_id(row["id_number"])
        row["phone"] = mask_phone(row["phone"])
        is_void = e["kind"] in PASSAGE_KINDS and (e["device_id"], e["event_id"]) in voided
        row["voided"] = "voided" if is_void else ""
        page = body.get("backfill_page")
        row["backfill"] = f"backfill p.{page}" if e["kind"] == "passage_backfill" else ""
        row["clock_suspect"] = "clock_suspect" if body.get("clock_suspect") else ""
        yield [row[c] if row[c] is not None else "" for c in EXPORT_COLUMNS]


def export_rows(store: Store, day: str) -> list[list[Any]]:
    """The same rows as a list (small days, tests)."""
    return list(iter_export_rows(store, day))
