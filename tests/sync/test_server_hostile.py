"""Hostile requests to the gates' API get known 4xx answers, never a 500 (#13 items 7, 14),
and the kill switch lives in the tests, not in the server (#11)."""

from __future__ import annotations

import http.client
import json
import urllib.request
from pathlib import Path

import pytest

from app.sync.identity import load_identity
from app.sync.transport import HttpTransport
from db.outbox import GENESIS, chain_hash
from server import devices
from server.run import ServerThread

from .conftest import make_client

SERVER = Path(__file__).resolve().parents[2] / "server"
NESTED = b"[" * 100_000 + b"]" * 100_000


@pytest.fixture
def server(store):
    with ServerThread(store) as srv:
        yield srv


def _post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=body, method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def _signed(gate, server_url: str, body: bytes) -> tuple[int, dict]:
    ident = load_identity(gate.conn)
    return _post(
        f"{server_url}/api/v1/events",
        body,
        {
            "Authorization": f"Bearer {ident.token}",
            "X-Gatepost-Device": ident.device_id,
            "X-Gatepost-Signature": ident.sign(body),
        },
    )


def _enrol(store, gate, server) -> None:
    make_client(gate.conn, HttpTransport(timeout=5)).enrol(
        devices.new_enrolment(store, server.url), "东门"
    )


def test_no_kill_switch_in_production_code():
    text = "".join(p.read_text() for p in SERVER.rglob("*.py"))
    assert "SIGKILL" not in text and "GATEPOST_SERVER_KILL" not in text


def test_deeply_nested_json_on_the_no_login_enrol_route_is_400(server):
    assert _post(f"{server.url}/api/v1/enrol", NESTED[:4000]) == (
        400,
        {"protocol": 1, "error": "not_json"},
    )


def test_enrol_body_is_capped_before_it_is_read(server):
    status, reply = _post(f"{server.url}/api/v1/enrol", b"{" + b" " * 200_000 + b"}")
    assert status == 413 and reply["error"] == "too_large"


def test_a_chunked_body_over_the_cap_is_413_too(server, store, gate):
    """No Content-Length to trust: the stream itself is counted as it arrives."""
    _enrol(store, gate, server)

    def chunks():
        for _ in range(80):
            yield b"x" * 65536  # 5 MB > the 4 MB cap on events

    ident = load_identity(gate.conn)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request(
        "POST",
        "/api/v1/events",
        body=chunks(),
        headers={"Authorization": f"Bearer {ident.token}", "X-Gatepost-Device": ident.device_id},
        encode_chunked=True,
    )
    reply = conn.getresponse()
    assert reply.status == 413
    conn.close()


def test_deeply_nested_batch_is_400(server, store, gate):
    _enrol(store, gate, server)
    assert _signed(gate, server.url, NESTED)[0] == 400


def _one_event(server, store, gate, seq: int, body: str) -> tuple[int, dict]:
    """The enrolled gate sends one chained passage event with this sequence and body."""
    _enrol(store, gate, server)
    ident = load_identity(gate.conn)
    event = {
        "seq": seq,
        "event_id": "e1",
        "kind": "passage",
        "body": body,
        "created_utc": "t",
        "prev_hash": GENESIS,
        "hash": chain_hash(GENESIS, "e1", "passage", body),
    }
    batch = {"protocol": 1, "device_id": ident.device_id, "events": [event]}
    return _signed(gate, server.url, json.dumps(batch).encode())


def test_a_sequence_of_ten_to_the_thirty_is_rejected_not_a_500(server, store, gate):
    body = json.dumps({"local_date": "2026-11-29"})
    status, reply = _one_event(server, store, gate, 10**30, body)
    assert status == 200
    assert reply["results"][0]["status"] == "rejected"
    assert reply["results"][0]["reason"] == "bad_seq"


@pytest.mark.parametrize("bad", ["\x00", "\ud800"])
def test_a_nul_or_lone_surrogate_in_an_event_is_an_answered_rejection(server, store, gate, bad):
    """JSON's \\u0000 and \\ud800 decode to text no database column or UTF-8 holds: each field
    holding one is rejected by name, in a 200 reply, and the batch's other events are stored
    (a 500 would make the gate resend the same batch forever)."""
    _enrol(store, gate, server)
    ident = load_identity(gate.conn)
    good_body = json.dumps({"local_date": "2026-11-29"})
    first = {
        "seq": 1,
        "event_id": "e1",
        "kind": "passage",
        "body": good_body,
        "created_utc": "t",
        "prev_hash": GENESIS,
        "hash": chain_hash(GENESIS, "e1", "passage", good_body),
    }
    fields = ("event_id", "kind", "body", "created_utc", "prev_hash", "hash")
    events = [first]
    for seq, name in enumerate(fields, 2):
        event = {**first, "seq": seq, "event_id": f"e{seq}", name: f"x{bad}y"}
        if name not in ("prev_hash", "hash") and bad == "\x00":
            event["hash"] = chain_hash(GENESIS, event["event_id"], event["kind"], event["body"])
        events.append(event)
    batch = {"protocol": 1, "device_id": ident.device_id, "events": events}
    status, reply = _signed(gate, server.url, json.dumps(batch).encode())
    assert status == 200
    assert [(r["status"], r.get("reason")) for r in reply["results"]] == [
        ("accepted", None),
        *[("rejected", f"unstorable_{name}") for name in fields],
    ]
    with store.tx() as tx:
        assert [r["event_id"] for r in tx.execute("SELECT event_id FROM events")] == ["e1"]


@pytest.mark.parametrize("bad", ["\\u0000", "\\ud800"])
def test_a_day_or_void_target_no_column_holds_is_stored_without_it(server, store, gate, bad):
    """A body's day and a void's target go into columns of their own (the roll-ups, the void
    list): text no column holds there leaves the event undated / voiding nothing, stored."""
    _enrol(store, gate, server)
    ident = load_identity(gate.conn)
    bodies = [
        ("passage", '{"local_date":"2026' + bad + '"}'),
        ("void", '{"local_date":"2026-11-29","target_id":"x' + bad + '"}'),
    ]
    events, prev = [], GENESIS
    for seq, (kind, body) in enumerate(bodies, 1):
        digest = chain_hash(prev, f"e{seq}", kind, body)
        events.append(
            {
                "seq": seq,
                "event_id": f"e{seq}",
                "kind": kind,
                "body": body,
                "created_utc": "t",
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    batch = {"protocol": 1, "device_id": ident.device_id, "events": events}
    status, reply = _signed(gate, server.url, json.dumps(batch).encode())
    assert status == 200 and [r["status"] for r in reply["results"]] == ["accepted"] * 2
    with store.tx() as tx:
        dates = [r["local_date"] for r in tx.execute("SELECT local_date FROM events ORDER BY seq")]
        voided = tx.execute("SELECT target_id FROM voided")
    assert dates == [None, "2026-11-29"] and voided == []


def test_a_nested_event_body_is_stored_without_a_date_not_a_500(server, store, gate):
    status, reply = _one_event(server, store, gate, 1, "[" * 50_000 + "]" * 50_000)
    assert status == 200 and reply["results"][0]["status"] == "accepted"
