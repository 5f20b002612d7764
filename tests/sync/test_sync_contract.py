"""One contract, two transports: the in-process fake and the real HTTP client must agree."""

from __future__ import annotations

import pytest

from app.sync import state
from app.sync.transport import HttpTransport
from db import outbox
from server import devices
from server.run import ServerThread
from tests.fakes.sync_fakes import InProcessTransport

from .conftest import add_events, assert_server_holds_exactly, make_client

SQLITE_ONLY = pytest.mark.parametrize("store", ["sqlite"], indirect=True)


@pytest.fixture(params=["fake", "http"])
def paired(request, store, gate):
    """A paired client over either transport."""
    if request.param == "fake":
        client = make_client(gate.conn, InProcessTransport(store))
        client.enrol(devices.new_enrolment(store, "http://127.0.0.1:1"))
        yield client
        return
    with ServerThread(store) as srv:
        client = make_client(gate.conn, HttpTransport(timeout=5))
        client.enrol(devices.new_enrolment(store, srv.url))
        yield client


@SQLITE_ONLY
def test_contract_send_resume_and_duplicates(paired, store, gate):
    add_events(gate.conn, 620)
    first = paired.run()
    assert (first.ok, first.accepted, first.batches, first.acked_seq) == (True, 620, 2, 620)
    gate.conn.execute("UPDATE outbox SET acked_utc = NULL WHERE seq > 600")
    second = paired.run()
    assert (second.accepted, second.duplicate) == (0, 20)
    assert_server_holds_exactly(store, gate)


@SQLITE_ONLY
def test_contract_conflict_is_quarantined_not_blocking(paired, store, gate):
    add_events(gate.conn, 3)
    eid = gate.conn.execute("SELECT event_id FROM outbox WHERE seq = 2").fetchone()[0]
    with store.tx() as tx:
        tx.execute(
            "INSERT INTO events(event_id, device_id, seq, kind, body, created_utc, prev_hash, "
            "hash, received_utc) VALUES (?, 'clone', 1, 'x', '{}', 't', ?, 'h', 't')",
            (eid, outbox.GENESIS),
        )
    report = paired.run()
    assert (report.ok, report.accepted, report.rejected, report.acked_seq) == (True, 2, 1, 3)
    assert state.read_status(gate.conn).waiting == 0


@SQLITE_ONLY
def test_contract_revoked_stops(paired, store, gate):
    add_events(gate.conn, 1)
    devices.revoke(store, gate.device.device_id)
    report = paired.run()
    assert (report.ok, report.error, paired.sleeps) == (False, "sync_auth_refused", [])
