"""The one ingest path for HTTP batches and USB bundles: idempotent, per-event verdicts.

Per event: a bad hash is rejected; the same id and hash again is a duplicate; the same id
with a different hash, a second event at a used sequence, or a broken link to a stored
neighbour is quarantined (rejected, kept for the officer). A rejected sequence still counts
as resolved, so one bad event never blocks the device's queue. One transaction per batch.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.sync.protocol import event_problem
from db.outbox import GENESIS
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


def _local_date(body: str) -> str | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    value = data.get("local_date") if isinstance(data, dict) else None
    return value if isinstance(value, str) and len(value) <= 10 else None


def _quarantine(tx: Tx, device_id: str, e: dict[str, Any], reason: str, now: str) -> None:
    tx.execute(
        "INSERT INTO quarantine(device_id, seq, event_id, kind, body, created_utc, prev_hash, "
        "hash, reason, received_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (device_id, e["seq"], e["event_id"], e["kind"], e["body"], e["created_utc"],
         e["prev_hash"], e["hash"], reason, now),
    )


def _one(tx: Tx, device_id: str, e: Any, now: str) -> Verdict:
    problem = event_problem(e)
    if problem is not None:
        seq = e.get("seq") if isinstance(e, dict) else None
        eid = e.get("event_id") if isinstance(e, dict) else None
        if problem == "bad_hash":
            _quarantine(tx, device_id, e, problem, now)
        return Verdict(seq, eid, "rejected", problem)
    seq = e["seq"]
    same_id = tx.one("SELECT device_id, seq, hash FROM events WHERE event_id = ?", (e["event_id"],))
    if same_id is not None:
        if same_id["hash"] == e["hash"] and same_id["device_id"] == device_id \
                and same_id["seq"] == seq:
            return Verdict(seq, e["event_id"], "duplicate")
        _quarantine(tx, device_id, e, "conflict_same_id", now)
        return Verdict(seq, e["event_id"], "rejected", "conflict_same_id")
    already = tx.one("SELECT reason FROM quarantine WHERE device_id = ? AND seq = ? AND hash = ?",
                     (device_id, seq, e["hash"]))
    if already is not None:
        return Verdict(seq, e["event_id"], "rejected", already["reason"])
    neighbours = {
        r["seq"]: r for r in tx.execute(
            "SELECT seq, hash, prev_hash FROM events WHERE device_id = ? AND seq IN (?, ?, ?)",
            (device_id, seq - 1, seq, seq + 1))
    }
    if seq in neighbours:
        _quarantine(tx, device_id, e, "conflict_same_seq", now)
        return Verdict(seq, e["event_id"], "rejected", "conflict_same_seq")
    before, after = neighbours.get(seq - 1), neighbours.get(seq + 1)
    if (seq == 1 and e["prev_hash"] != GENESIS) or (before and before["hash"] != e["prev_hash"]) \
            or (after and after["prev_hash"] != e["hash"]):
        _quarantine(tx, device_id, e, "chain_break", now)
        return Verdict(seq, e["event_id"], "rejected", "chain_break")
    tx.execute(
        "INSERT INTO events(event_id, device_id, seq, kind, body, created_utc, prev_hash, hash, "
        "local_date, received_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (e["event_id"], device_id, seq, e["kind"], e["body"], e["created_utc"], e["prev_hash"],
         e["hash"], _local_date(e["body"]), now),
    )
    if tx.rowcount == 1:
        return Verdict(seq, e["event_id"], "accepted")
    # a concurrent batch inserted it between our look and our insert: look again
    again = tx.one("SELECT hash FROM events WHERE event_id = ?", (e["event_id"],))
    if again is not None and again["hash"] == e["hash"]:
        return Verdict(seq, e["event_id"], "duplicate")
    _quarantine(tx, device_id, e, "conflict_same_seq", now)
    return Verdict(seq, e["event_id"], "rejected", "conflict_same_seq")


def advance_head(tx: Tx, device_id: str) -> int:
    """Move the device's acked_seq over every contiguous resolved sequence."""
    row = tx.one("SELECT acked_seq FROM devices WHERE device_id = ?", (device_id,))
    acked = int(row["acked_seq"]) if row else 0
    while True:
        seqs = [r["seq"] for r in tx.execute(
            "SELECT seq FROM events WHERE device_id = ? AND seq > ? "
            "UNION SELECT seq FROM quarantine WHERE device_id = ? AND seq > ? "
            "ORDER BY seq LIMIT 2000", (device_id, acked, device_id, acked))]
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
        verdicts = [_one(tx, device_id, e, now) for e in events]
        acked = advance_head(tx, device_id)
        seqs = [v.seq for v in verdicts if isinstance(v.seq, int)]
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
