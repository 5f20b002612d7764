"""The outbox: every record becomes an event with a never-reused sequence and a hash chain.

Callers append inside the same transaction as the record itself, so a record never exists
without its event (and never an event without its record).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any

GENESIS = "0" * 64


def canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(prev_hash: str, event_id: str, kind: str, body_json: str) -> str:
    h = hashlib.sha256()
    for part in (prev_hash, event_id, kind, body_json):
        h.update(part.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


def append(
    conn: sqlite3.Connection, event_id: str, kind: str, body: dict[str, Any], created_utc: str
) -> int:
    """Append one event; must run inside the record's transaction. Returns its sequence."""
    if not conn.in_transaction:
        raise RuntimeError("outbox.append must run inside the record's transaction")
    row = conn.execute("SELECT hash FROM outbox ORDER BY seq DESC LIMIT 1").fetchone()
    prev = row[0] if row else GENESIS
    body_json = canonical(body)
    digest = chain_hash(prev, event_id, kind, body_json)
    cur = conn.execute(
        "INSERT INTO outbox(event_id, kind, body, created_utc, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (event_id, kind, body_json, created_utc, prev, digest),
    )
    return int(cur.lastrowid or 0)


def pending_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM outbox WHERE acked_utc IS NULL").fetchone()[0])


def verify_chain(conn: sqlite3.Connection) -> bool:
    """Recompute the chain over the events still held locally."""
    prev = None
    rows = conn.execute("SELECT event_id, kind, body, prev_hash, hash FROM outbox ORDER BY seq")
    for row in rows:
        if prev is not None and row["prev_hash"] != prev:
            return False
        if chain_hash(row["prev_hash"], row["event_id"], row["kind"], row["body"]) != row["hash"]:
            return False
        prev = row["hash"]
    return True
