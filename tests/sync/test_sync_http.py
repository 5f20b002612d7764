"""The real HTTP client against the real server on loopback: the same contract as the fake."""

from __future__ import annotations

import json
import urllib.request

import pytest

from app.sync import state
from app.sync.transport import HttpTransport
from server import devices
from server.run import ServerThread

from .conftest import add_events, assert_server_holds_exactly, make_client


@pytest.fixture
def server(store):
    with ServerThread(store) as srv:
        yield srv


def enrol_http(store, gate, server):
    client = make_client(gate.conn, HttpTransport(timeout=5))
    client.enrol(devices.new_enrolment(store, server.url), "东门")
    return client


def test_http_round_trip_resume_and_duplicates(store, gate, server):
    client = enrol_http(store, gate, server)
    add_events(gate.conn, 1100)
    report = client.run()
    assert report.ok and report.accepted == 1100
    assert_server_holds_exactly(store, gate)
    # the gate forgets it was acknowledged (e.g. power cut before it saved the ack)
    gate.conn.execute("UPDATE outbox SET acked_utc = NULL WHERE seq > 1000")
    add_events(gate.conn, 50)
    report = client.run()
    assert report.ok and report.duplicate == 100 and report.accepted == 50
    assert_server_holds_exactly(store, gate)


def test_http_revoked_is_403_and_stops(store, gate, server):
    client = enrol_http(store, gate, server)
    add_events(gate.conn, 2)
    devices.revoke(store, gate.device.device_id)
    report = client.run()
    assert report.error == "sync_auth_refused" and client.sleeps == []
    assert state.read_status(gate.conn).stopped


def test_http_wrong_token_is_401(store, gate, server):
    client = enrol_http(store, gate, server)
    gate.conn.execute("UPDATE sync_identity SET token = 'forged'")
    assert client.run().error == "sync_auth_refused"


def test_unsigned_or_forged_batch_is_refused(store, gate, server):
    enrol_http(store, gate, server)
    add_events(gate.conn, 1)
    from app.sync.identity import load_identity

    ident = load_identity(gate.conn)
    body = json.dumps(
        {"protocol": 1, "device_id": ident.device_id, "key_id": ident.key_id, "events": []}
    ).encode()
    req = urllib.request.Request(
        f"{server.url}/api/v1/events",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {ident.token}",
            "X-Gatepost-Device": ident.device_id,
            "X-Gatepost-Signature": ident.sign(b"something else"),
        },
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    assert err.value.code == 403
    with store.tx() as tx:
        assert tx.one("SELECT count(*) AS n FROM events")["n"] == 0


def test_enrol_with_unknown_code_is_refused_with_reason(store, gate, server):
    from app.errors import KnownError

    client = make_client(gate.conn, HttpTransport(timeout=5))
    with pytest.raises(KnownError) as err:
        client.enrol(f"gatepost://enrol?server={server.url}&code=NOPE")
    assert err.value.params["reason"] == "unknown_code"


def test_unreachable_server_is_offline_not_a_crash(gate, store):
    from server.run import free_port

    client = make_client(gate.conn, HttpTransport(timeout=2), max_attempts=2)
    from app.sync.identity import load_identity, save_enrolment

    load_identity(gate.conn)
    save_enrolment(gate.conn, f"http://127.0.0.1:{free_port()}", "tok", "now")
    report = client.run()
    assert report.error == "sync_offline" and len(client.sleeps) == 1


def test_http_413_splits_batches(store, gate, server, monkeypatch):
    import server.web as web

    monkeypatch.setattr(web, "MAX_BODY", 40_000)  # about 100 events a request
    client = enrol_http(store, gate, server)
    add_events(gate.conn, 700)
    report = client.run()
    assert report.ok and report.accepted == 700 and report.batches > 7
    assert_server_holds_exactly(store, gate)
