"""The one ingest path for HTTP batches and USB bundles: idempotent, per-event verdicts.

Per event: a bad hash is rejected; the same id and hash again is a duplicate; the same id
with a different hash, a second event at a used sequence, or a broken link to a stored
neighbour is quarantined (rejected, kept for the officer). A rejected sequence still counts
as resolved, so one bad event never blocks the device's queue. One transaction per batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.sync.protocol import MAX_SEQ, event_problem
from db.outbox import GENESIS
from server import rollups
from server.export_rows import CsvLine, stored_cells
from server.store import Store, Tx, utc_now


@dataclass
class Verdict:
    seq: Any
    event_id: Any
    status: str
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {"seq": self.seq, "event_id": self.event_id, "status": self.status}
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass
class IngestResult:
    verdicts: list[Verdict]
    acked_seq: int

    def counts(self) -> dict[str, int]:
        out = {"accepted": 0, "duplicate": 0, "rejected": 0}
        for v in self.verdicts:
            out[v.status] += 1
        return out


QUARANTINED = ("bad_hash", "conflict_same_id", "conflict_same_seq", "chain_break")  # kept


def _quarantine(tx: Tx, device_id: str, e: dict[str, Any], reason: str, now: str) -> None:
    tx.execute(
        "INSERT INTO quarantine(device_id, seq, event_id, kind, body, created_utc, prev_hash, "
        "hash, reason, received_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (
            device_id,
            e["seq"],
            e["event_id"],
            e["kind"],
            e["body"],
            e["created_utc"],
            e["prev_hash"],
            e["hash"],
            reason,
            now,
        ),
    )


def _judge(
    tx: Tx, device_id: str, events: list[Any], now: str, bodies: dict[str, dict[str, Any]]
) -> tuple[list[Verdict], list[dict[str, Any]]]:
    """Decide every event with a handful of set queries (not one round trip per event); the
    verdicts, and the events this transaction stored (their bodies, parsed once, put in
    `bodies` by event id for the roll-ups)."""
    verdicts: list[Verdict | None] = [None] * len(events)
    good: list[tuple[int, dict[str, Any]]] = []
    stored: list[dict[str, Any]] = []
    for i, e in enumerate(events):
        problem = event_problem(e)
        if problem is None:
            good.append((i, e))
            continue
        seq = e.get("seq") if isinstance(e, dict) else None
        # an id that is itself the problem is not echoed (a lone surrogate has no UTF-8)
        eid = e.get("event_id") if isinstance(e, dict) and "event_id" not in problem else None
        if problem == "bad_hash":
            _quarantine(tx, device_id, e, problem, now)
        verdicts[i] = Verdict(seq, eid, "rejected", problem)
    if good:
        ids = [e["event_id"] for _, e in good]
        by_id: dict[str, dict[str, Any]] = {}
        for r in _stored(tx, ids):
            by_id[r["event_id"]] = r
        lo = min(e["seq"] for _, e in good) - 1
        hi = max(e["seq"] for _, e in good) + 1
        by_seq = {
            r["seq"]: r
            for r in tx.execute(
                "SELECT seq, event_id, hash, prev_hash FROM events WHERE device_id = ? "
                "AND seq BETWEEN ? AND ?",
                (device_id, lo, hi),
            )
        }
        quarantined = {
            (r["seq"], r["hash"]): r["reason"]
            for r in tx.execute(
                "SELECT seq, hash, reason FROM quarantine WHERE device_id = ? "
                "AND seq BETWEEN ? AND ?",
                (device_id, lo, hi),
            )
        }
        to_insert: list[dict[str, Any]] = []
        for i, e in good:
            seq, eid = e["seq"], e["event_id"]
            same = by_id.get(eid)
            if same is not None:
                if (
                    same["hash"] == e["hash"]
                    and same["device_id"] == device_id
                    and same["seq"] == seq
                ):
                    verdicts[i] = Verdict(seq, eid, "duplicate")
                else:
                    _quarantine(tx, device_id, e, "conflict_same_id", now)
                    verdicts[i] = Verdict(seq, eid, "rejected", "conflict_same_id")
                continue
            if (seq, e["hash"]) in quarantined:
                verdicts[i] = Verdict(seq, eid, "rejected", quarantined[(seq, e["hash"])])
                continue
            if seq in by_seq:
                reason = "conflict_same_seq"
            else:
                before, after = by_seq.get(seq - 1), by_seq.get(seq + 1)
                broken = (
                    (seq == 1 and e["prev_hash"] != GENESIS)
                    or (before is not None and before["hash"] != e["prev_hash"])
                    or (after is not None and after["prev_hash"] != e["hash"])
                )
                reason = "chain_break" if broken else ""
            if reason:
                _quarantine(tx, device_id, e, reason, now)
                quarantined[(seq, e["hash"])] = reason
                verdicts[i] = Verdict(seq, eid, "rejected", reason)
                continue
            row = {
                "event_id": eid,
                "device_id": device_id,
                "seq": seq,
                "hash": e["hash"],
                "prev_hash": e["prev_hash"],
            }
            by_id[eid] = row
            by_seq[seq] = row
            to_insert.append(e)
            verdicts[i] = Verdict(seq, eid, "accepted")
        if to_insert:
            stored = _insert(tx, device_id, to_insert, verdicts, events, now, bodies)
    return [v for v in verdicts if v is not None], stored


EVENT_COLUMNS = (
    "event_id",
    "device_id",
    "seq",
    "kind",
    "body",
    "created_utc",
    "prev_hash",
    "hash",
    "local_date",
    "received_utc",
    "export_head",
    "export_tail",
)
_INSERT = (
    f"INSERT INTO events({', '.join(EVENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in EVENT_COLUMNS)}) ON CONFLICT DO NOTHING"
)


def _stored(tx: Tx, ids: list[str]) -> list[dict[str, Any]]:
    """The stored events with these ids (500 a query)."""
    out: list[dict[str, Any]] = []
    for chunk in range(0, len(ids), 500):
        among, params = tx.among("event_id", ids[chunk : chunk + 500])
        out += tx.execute(
            f"SELECT event_id, device_id, seq, hash FROM events WHERE {among}", params
        )
    return out


def _insert(
    tx: Tx,
    device_id: str,
    to_insert: list[dict[str, Any]],
    verdicts: list[Verdict | None],
    events: list[Any],
    now: str,
    bodies: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    """Store the events judged new, with their export cells; the ones stored. All at once when
    none was taken meanwhile (the usual case), else one by one, a race lost to another
    device's batch being quarantined as conflict_same_id."""
    line = CsvLine()
    rows = []
    for e in to_insert:
        body = bodies[e["event_id"]] = rollups.body_of(e["body"])
        rows.append(
            (
                e["event_id"],
                device_id,
                e["seq"],
                e["kind"],
                e["body"],
                e["created_utc"],
                e["prev_hash"],
                e["hash"],
                rollups.local_date(body),
                now,
                *stored_cells(line, e["kind"], body),
            )
        )
    if tx.insert_new("events", EVENT_COLUMNS, rows):
        return to_insert
    tx.executemany(_INSERT, rows)
    # an insert skipped by ON CONFLICT (a race with another device's batch) is not accepted
    stored = {r["event_id"]: r for r in _stored(tx, [e["event_id"] for e in to_insert])}
    index = {id(e): i for i, e in enumerate(events)}
    kept = []
    for e in to_insert:
        r = stored.get(e["event_id"])
        if r and r["device_id"] == device_id and r["seq"] == e["seq"] and r["hash"] == e["hash"]:
            kept.append(e)
            continue
        _quarantine(tx, device_id, e, "conflict_same_id", now)
        verdicts[index[id(e)]] = Verdict(e["seq"], e["event_id"], "rejected", "conflict_same_id")
    return kept


def advance_head(tx: Tx, device_id: str) -> int:
    """Move the device's acked_seq over every contiguous resolved sequence."""
    row = tx.one("SELECT acked_seq FROM devices WHERE device_id = ?", (device_id,))
    acked = int(row["acked_seq"]) if row else 0
    while True:
        seqs = [
            r["seq"]
            for r in tx.execute(
                "SELECT seq FROM events WHERE device_id = ? AND seq > ? "
                "UNION SELECT seq FROM quarantine WHERE device_id = ? AND seq > ? "
                "ORDER BY seq LIMIT 2000",
                (device_id, acked, device_id, acked),
            )
        ]
        start = acked
        for s in seqs:
            if s == acked + 1:
                acked = s
            elif s > acked + 1:
                break
        if acked == start or len(seqs) < 2000 or acked != seqs[-1]:
            break
    return acked


def ingest(
    store: Store,
    device_id: str,
    events: list[Any],
    *,
    before_commit: Callable[[], None] | None = None,
) -> IngestResult:
    """Store one batch in one transaction, committed before the caller replies."""
    now = utc_now()
    with store.tx() as tx:
        # same device: take its row lock first so concurrent batches of one device serialise
        tx.execute("UPDATE devices SET last_sync_utc = ? WHERE device_id = ?", (now, device_id))
        bodies: dict[str, dict[str, Any]] = {}
        verdicts, stored = _judge(tx, device_id, events, now, bodies)
        rollups.apply_events(tx, device_id, stored, now, bodies)  # only what it newly stored
        acked = advance_head(tx, device_id)
        seqs = [v.seq for v in verdicts if isinstance(v.seq, int) and 0 < v.seq <= MAX_SEQ]
        held = [v.seq for v in verdicts if v.status != "rejected" or v.reason in QUARANTINED]
        rollups.note_seqs(tx, device_id, held)
        tx.execute(
            "UPDATE devices SET acked_seq = ?, max_seq = CASE WHEN max_seq > ? THEN max_seq "
            "ELSE ? END WHERE device_id = ?",
            (acked, max(seqs, default=0), max(seqs, default=0), device_id),
        )
        if before_commit is not None:
            before_commit()
    return IngestResult(verdicts, acked)


def device_head(store: Store, device_id: str) -> int:
    with store.tx() as tx:
        row = tx.one("SELECT acked_seq FROM devices WHERE device_id = ?", (device_id,))
    return int(row["acked_seq"]) if row else 0
