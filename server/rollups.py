"""Counts kept at ingest (#15): per gate and day, the numbers the officer's page shows, and per
gate its sync state (the highest sequence held, the missing ranges below it).

Kept inside the ingest transaction from the events it newly accepted only, so a re-sent event
never counts twice. A void moves its passage out of the counts of the passage's day, whichever
of the two arrives first. A 补录 passage counts in the day of its paper time (its local_date).
`recompute` rebuilds everything from the events, for the check command and the migration.
"""

from __future__ import annotations

import bisect
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.sync.protocol import MAX_SEQ, storable_text

if TYPE_CHECKING:  # server.store runs `fill` as part of a migration
    from server.store import Store, Tx

Reader = Callable[..., Iterable[dict[str, Any]]]  # (sql, params) -> rows

PASSAGE_KINDS = ("passage", "passage_backfill")  # a desk passage, one typed in from paper
BACKFILL_KIND = "passage_backfill"
FEVER_KIND = "fever_check"
VOID_KIND = "void"
COUNTED_KINDS = (*PASSAGE_KINDS, FEVER_KIND)  # the kinds the day's numbers come from
# the counters of a day; besides these, "kind:<kind>" counts that day's events of each kind
NUMBERS = ("in", "out", "refused", "fevers", "voids", "backfill", "clock_suspect")
KIND_PREFIX = "kind:"
CHUNK = 500  # ids per IN (...) list

Key = tuple[str, str, str]  # (device, day, counter)


def body_of(text: Any) -> dict[str, Any]:
    """An event body as a dict ({} when it is not a JSON object)."""
    try:
        body = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return {}
    return body if isinstance(body, dict) else {}


def local_date(body: dict[str, Any]) -> str | None:
    """The gate's day of the record (the paper day for 补录); None when it has none."""
    value = body.get("local_date")
    return value if isinstance(value, str) and len(value) <= 10 and storable_text(value) else None


def void_target(body: dict[str, Any]) -> str | None:
    """The passage a void event voids (its record id is the passage's event id)."""
    value = body.get("target_id")
    return value if isinstance(value, str) and storable_text(value) else None


def contribution(kind: str, body: dict[str, Any]) -> dict[str, int]:
    """What one record adds to its day when it is not voided."""
    out: dict[str, int] = {}
    if kind == FEVER_KIND:
        out["fevers"] = 1
    elif kind in PASSAGE_KINDS:
        decision, direction = body.get("decision"), body.get("direction")
        if decision == "refused":
            out["refused"] = 1
        elif decision == "pass" and direction in ("in", "out"):
            out[str(direction)] = 1
        if kind == BACKFILL_KIND:
            out["backfill"] = 1
    else:
        return out
    if body.get("clock_suspect"):
        out["clock_suspect"] = 1
    return out


def _add(delta: Counter[Key], device: str, day: str, counts: dict[str, int], sign: int) -> None:
    for name, n in counts.items():
        delta[(device, day, name)] += sign * n


def _in(values: list[Any]) -> str:
    return "(" + ", ".join("?" for _ in values) + ")"


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def apply_events(
    tx: Tx,
    device_id: str,
    events: list[dict[str, Any]],
    now: str,
    bodies: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Add the events this transaction newly stored for one device to the roll-ups (`bodies`:
    the ones already parsed, by event id)."""
    delta: Counter[Key] = Counter()
    counted: dict[str, tuple[str, str, dict[str, Any]]] = {}  # event id -> day, kind, body
    targets: set[str] = set()  # passages voided by this batch
    parsed = bodies or {}
    for e in events:
        body = parsed.get(e["event_id"])
        if body is None:
            body = body_of(e["body"])
        day = local_date(body)
        if day is not None:
            delta[(device_id, day, KIND_PREFIX + e["kind"])] += 1
            if e["kind"] in COUNTED_KINDS:
                counted[e["event_id"]] = (day, e["kind"], body)
        target = void_target(body) if e["kind"] == VOID_KIND else None
        if target is not None:
            targets.add(target)
    asked = list({*counted, *targets})
    already: set[str] = set()
    for part in _chunks(asked):
        among, params = tx.among("target_id", part)
        already.update(
            r["target_id"]
            for r in tx.execute(
                f"SELECT target_id FROM voided WHERE device_id = ? AND {among}",
                [device_id, *params],
            )
        )
    fresh = sorted(targets - already)
    if fresh:
        tx.executemany(
            "INSERT INTO voided(device_id, target_id, received_utc) VALUES (?, ?, ?)",
            [(device_id, t, now) for t in fresh],
        )
    for eid, (day, kind, body) in counted.items():
        if kind in PASSAGE_KINDS and (eid in already or eid in targets):
            delta[(device_id, day, "voids")] += 1
        else:
            _add(delta, device_id, day, contribution(kind, body), 1)
    older = [t for t in fresh if t not in counted]  # passages stored by an earlier batch
    for part in _chunks(older):
        for r in tx.execute(
            f"SELECT kind, body, local_date FROM events WHERE device_id = ? "
            f"AND event_id IN {_in(part)} AND kind IN {_in(list(PASSAGE_KINDS))}",
            [device_id, *part, *PASSAGE_KINDS],
        ):
            if r["local_date"] is None:
                continue
            _add(delta, device_id, r["local_date"], contribution(r["kind"], body_of(r["body"])), -1)
            delta[(device_id, r["local_date"], "voids")] += 1
    rows = [(d, day, name, n) for (d, day, name), n in sorted(delta.items()) if n]
    if rows:
        tx.executemany(
            "INSERT INTO day_rollups(device_id, day, name, n) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (device_id, day, name) DO UPDATE SET n = day_rollups.n + excluded.n",
            rows,
        )


def _minus(spans: list[tuple[int, int]], points: list[int]) -> list[tuple[int, int]]:
    """The spans with the (sorted) points taken out."""
    out = []
    for lo, hi in spans:
        start = lo
        for p in points[bisect.bisect_left(points, lo) : bisect.bisect_right(points, hi)]:
            if p > start:
                out.append((start, p - 1))
            start = p + 1
        if start <= hi:
            out.append((start, hi))
    return out


def note_seqs(tx: Tx, device_id: str, seqs: Iterable[Any]) -> None:
    """Update the device's highest held sequence and missing ranges with the sequences one
    batch holds (its events stored or kept in quarantine, new or not), reading only the gaps
    those sequences fall in, never the device's history."""
    held = {s for s in seqs if type(s) is int and 0 < s <= MAX_SEQ}
    if not held:
        return
    state = tx.one("SELECT top_seq FROM gate_sync WHERE device_id = ?", (device_id,))
    top = int(state["top_seq"]) if state else 0
    points = sorted(held)
    new_top = max(top, points[-1])
    old = [
        (int(r["lo"]), int(r["hi"]))
        for r in tx.execute(
            "SELECT lo, hi FROM gate_gaps WHERE device_id = ? AND hi >= ? AND lo <= ?",
            (device_id, points[0], points[-1]),
        )
    ]
    spans = old + ([(top + 1, new_top)] if new_top > top else [])
    pieces = _minus(spans, points)
    if old:
        tx.executemany(
            "DELETE FROM gate_gaps WHERE device_id = ? AND lo = ?",
            [(device_id, lo) for lo, _ in old],
        )
    if pieces:
        tx.executemany(
            "INSERT INTO gate_gaps(device_id, lo, hi) VALUES (?, ?, ?)",
            [(device_id, lo, hi) for lo, hi in pieces],
        )
    change = len(pieces) - len(old)
    if state is None:
        tx.execute(
            "INSERT INTO gate_sync(device_id, top_seq, gap_count, floor_seq) VALUES (?, ?, ?, 0)",
            (device_id, new_top, change),
        )
    else:
        tx.execute(
            "UPDATE gate_sync SET top_seq = ?, gap_count = gap_count + ? WHERE device_id = ?",
            (new_top, change, device_id),
        )


@dataclass
class Rebuilt:
    """Roll-ups, voided passages and sync state as the events say they should be."""

    counts: dict[Key, int] = field(default_factory=dict)
    voided: set[tuple[str, str]] = field(default_factory=set)
    gaps: set[tuple[str, int, int]] = field(default_factory=set)
    tops: dict[str, int] = field(default_factory=dict)


def recompute(read: Reader) -> Rebuilt:
    """Everything rebuilt from the stored events, read through `read(sql, params)`: a
    streaming reader (the store's for the check, the transaction's for --fix and the
    migration), so memory stays flat in the number of events."""
    out = Rebuilt()
    for r in read("SELECT device_id, body FROM events WHERE kind = ?", (VOID_KIND,)):
        target = void_target(body_of(r["body"]))
        if target is not None:
            out.voided.add((r["device_id"], target))
    counts: Counter[Key] = Counter()
    for r in read("SELECT device_id, event_id, kind, body, local_date FROM events", ()):
        day = r["local_date"]
        if day is None:
            continue
        device, kind = r["device_id"], r["kind"]
        counts[(device, day, KIND_PREFIX + kind)] += 1
        if kind in PASSAGE_KINDS and (device, r["event_id"]) in out.voided:
            counts[(device, day, "voids")] += 1
        elif kind in COUNTED_KINDS:
            _add(counts, device, day, contribution(kind, body_of(r["body"])), 1)
    out.counts = {k: n for k, n in counts.items() if n}
    floors = {r["device_id"]: int(r["floor_seq"]) for r in read("SELECT * FROM gate_sync", ())}
    out.tops = {d: f for d, f in floors.items() if f}
    prev = dict(floors)  # below its floor, a gate's history was purged: no gaps there
    for r in read(
        "SELECT device_id, seq FROM events UNION SELECT device_id, seq FROM quarantine "
        "ORDER BY device_id, seq",
        (),
    ):
        device, seq = r["device_id"], int(r["seq"])
        before = prev.get(device, 0)
        if not 0 < seq <= MAX_SEQ or seq <= before:
            continue
        if seq > before + 1:
            out.gaps.add((device, before + 1, seq - 1))
        prev[device] = seq
        out.tops[device] = seq
    return out


def kept(read: Reader) -> Rebuilt:
    """What ingest kept, in the same shape as `recompute`."""
    out = Rebuilt()
    for r in read("SELECT device_id, day, name, n FROM day_rollups", ()):
        if int(r["n"]):
            out.counts[(r["device_id"], r["day"], r["name"])] = int(r["n"])
    out.voided = {(r["device_id"], r["target_id"]) for r in read("SELECT * FROM voided", ())}
    out.gaps = {
        (r["device_id"], int(r["lo"]), int(r["hi"])) for r in read("SELECT * FROM gate_gaps", ())
    }
    out.tops = {
        r["device_id"]: int(r["top_seq"])
        for r in read("SELECT * FROM gate_sync", ())
        if int(r["top_seq"])
    }
    return out


@dataclass(frozen=True)
class Difference:
    what: str  # count, voided, gap, top
    key: str
    kept: Any
    events: Any


def compare(have: Rebuilt, want: Rebuilt) -> list[Difference]:
    """Every place where the kept roll-ups (have) differ from the events (want)."""
    out = []
    for k in sorted(set(have.counts) | set(want.counts)):
        if have.counts.get(k, 0) != want.counts.get(k, 0):
            out.append(
                Difference("count", "/".join(k), have.counts.get(k, 0), want.counts.get(k, 0))
            )
    for v in sorted(have.voided ^ want.voided):
        out.append(Difference("voided", "/".join(v), v in have.voided, v in want.voided))
    for g in sorted(have.gaps ^ want.gaps):
        out.append(Difference("gap", f"{g[0]}/{g[1]}-{g[2]}", g in have.gaps, g in want.gaps))
    for d in sorted(set(have.tops) | set(want.tops)):
        if have.tops.get(d, 0) != want.tops.get(d, 0):
            out.append(Difference("top", d, have.tops.get(d, 0), want.tops.get(d, 0)))
    return out


def rewrite(tx: Tx, built: Rebuilt, now: str) -> None:
    """Replace the kept roll-ups and sync state with rebuilt ones (purge floors stay)."""
    floors = {r["device_id"]: r["floor_seq"] for r in tx.execute("SELECT * FROM gate_sync")}
    for table in ("day_rollups", "voided", "gate_gaps", "gate_sync"):
        tx.execute(f"DELETE FROM {table}")  # noqa: S608 - our own table names
    tx.executemany(
        "INSERT INTO day_rollups(device_id, day, name, n) VALUES (?, ?, ?, ?)",
        [(*k, n) for k, n in sorted(built.counts.items())],
    )
    tx.executemany(
        "INSERT INTO voided(device_id, target_id, received_utc) VALUES (?, ?, ?)",
        [(d, t, now) for d, t in sorted(built.voided)],
    )
    tx.executemany("INSERT INTO gate_gaps(device_id, lo, hi) VALUES (?, ?, ?)", sorted(built.gaps))
    per = Counter(d for d, _, _ in built.gaps)
    tx.executemany(
        "INSERT INTO gate_sync(device_id, top_seq, gap_count, floor_seq) VALUES (?, ?, ?, ?)",
        [
            (d, top, per[d], floors.get(d, 0))
            for d, top in sorted({**{d: 0 for d in floors}, **built.tops}.items())
        ],
    )


def fill(tx: Tx, now: str) -> None:
    """The migration's step: roll-ups for the events stored before roll-ups were kept."""
    rewrite(tx, recompute(tx.stream), now)


def differences(store: Store) -> list[Difference]:
    """Every place where the kept roll-ups differ from the events (empty: they agree)."""
    return compare(kept(store.stream), recompute(store.stream))


def rebuild(store: Store, now: str) -> int:
    """Rewrite the roll-ups from the events (the check's --fix); the number of differences
    fixed. On PostgreSQL ingest waits meanwhile (a SHARE lock on events), so none is lost."""
    with store.tx() as tx:
        if store.dialect == "postgres":
            tx.execute("LOCK TABLE events, quarantine IN SHARE MODE")
        have, want = kept(tx.execute), recompute(tx.stream)
        found = compare(have, want)
        if found:
            rewrite(tx, want, now)
    return len(found)
