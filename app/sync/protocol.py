"""The wire format shared by the gate, the server and USB bundles (protocol version 1).

An event on the wire is its outbox row: seq, event_id, kind, body (the canonical JSON text,
exactly as hashed), created_utc, prev_hash, hash. A batch is signed over its raw bytes.
A reply is only a reply when it parses and answers every event sent; anything else (a
captive portal's page with status 200) is treated as a failed attempt.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from db.outbox import chain_hash

PROTOCOL = 1
STATUSES = ("accepted", "duplicate", "rejected")
EVENT_FIELDS = ("seq", "event_id", "kind", "body", "created_utc", "prev_hash", "hash")


def event_from_row(row: sqlite3.Row) -> dict[str, Any]:
    return {name: row[name] for name in EVENT_FIELDS}


MAX_SEQ = 2**62  # within a BIGINT with room for seq ± 1; larger is refused, not an OverflowError


def storable_text(text: str) -> bool:
    """Text a database holds and UTF-8 encodes: no NUL, no lone surrogate (JSON's "\\u0000"
    and "\\ud800" decode to both; a gate's own events never hold them raw, and a batch with
    one must be an answered rejection, not a server error the gate retries forever)."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def event_problem(event: Any) -> str | None:
    """Why an event is malformed or its hash does not match its content; None when fine."""
    if not isinstance(event, dict):
        return "not_an_object"
    for name in EVENT_FIELDS:
        if name not in event:
            return f"missing_{name}"
    seq = event["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq <= MAX_SEQ:
        return "bad_seq"
    for name in ("event_id", "kind", "body", "created_utc", "prev_hash", "hash"):
        if not isinstance(event[name], str):
            return f"bad_{name}"
        if not storable_text(event[name]):
            return f"unstorable_{name}"
    if (
        chain_hash(event["prev_hash"], event["event_id"], event["kind"], event["body"])
        != event["hash"]
    ):
        return "bad_hash"
    return None


_JSON: dict[str, Any] = {"ensure_ascii": False, "separators": (",", ":")}


def encode_batch(device_id: str, key_id: str, events: list[dict[str, Any]]) -> bytes:
    """The batch's JSON bytes, event by event: the same bytes as one `json.dumps` of the
    whole batch, but 500 events in one call hold the GIL for 9-14 ms, and the window's GUI
    thread waits that long; between two events' calls the interpreter can switch (#12)."""
    head = json.dumps(
        {"protocol": PROTOCOL, "device_id": device_id, "key_id": key_id, "events": []}, **_JSON
    )
    parts = [json.dumps(event, **_JSON) for event in events]
    return (head[:-2] + ",".join(parts) + "]}").encode("utf-8")  # head ends in `[]}`


@dataclass(frozen=True)
class EventResult:
    seq: int
    event_id: str
    status: str  # accepted | duplicate | rejected
    reason: str | None = None


@dataclass(frozen=True)
class BatchReply:
    results: list[EventResult]
    acked_seq: int
    server_utc: str | None = None  # the server's clock when it answered (#17)


class InvalidReply(Exception):
    """The body was not a protocol reply (HTML, truncated JSON, wrong answers)."""


def parse_reply(raw: bytes, sent: list[dict[str, Any]]) -> BatchReply:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidReply(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("protocol") != PROTOCOL:
        raise InvalidReply("not a protocol reply")
    results = data.get("results")
    acked = data.get("acked_seq")
    if not isinstance(results, list) or not isinstance(acked, int) or len(results) != len(sent):
        raise InvalidReply("reply does not answer every event")
    out = []
    for item, event in zip(results, sent, strict=True):
        if (
            not isinstance(item, dict)
            or item.get("seq") != event["seq"]
            or item.get("event_id") != event["event_id"]
            or item.get("status") not in STATUSES
        ):
            raise InvalidReply("reply answers a different event")
        out.append(EventResult(event["seq"], event["event_id"], item["status"], item.get("reason")))
    server_utc = data.get("server_utc")
    return BatchReply(out, acked, server_utc if isinstance(server_utc, str) else None)


def parse_head(raw: bytes) -> int:
    """The server's answer to 'which sequence have you acknowledged?'."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InvalidReply("head is not JSON") from None
    if not isinstance(data, dict) or data.get("protocol") != PROTOCOL:
        raise InvalidReply("not a protocol reply")
    acked = data.get("acked_seq")
    if not isinstance(acked, int) or acked < 0:
        raise InvalidReply("no acked_seq")
    return acked
