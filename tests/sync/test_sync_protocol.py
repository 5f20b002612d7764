"""Accepted, duplicate, quarantine, resume, auth stop, 413 split, backoff: on the fake transport."""

from __future__ import annotations

import json
from datetime import UTC

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.errors import KnownError
from app.ids import uuid7
from app.sync import state
from app.sync.backoff import Backoff
from app.sync.identity import parse_enrolment
from app.sync.protocol import EVENT_FIELDS, PROTOCOL, InvalidReply, encode_batch, parse_reply
from app.sync.transport import Retryable
from db import outbox
from db.connection import transaction
from server import devices
from tests.fakes.sync_fakes import InProcessTransport

from .conftest import add_events, assert_server_holds_exactly, enrol_gate, make_client


def test_enrolment_text_round_trip_and_garbage():
    offer = parse_enrolment("gatepost://enrol?server=http%3A%2F%2F10.0.0.5%3A8750&code=AB-CD")
    assert offer.server_url == "http://10.0.0.5:8750" and offer.code == "AB-CD"
    for bad in (
        "",
        "hello",
        "https://example.org/?code=1",
        "gatepost://enrol?server=ftp://x&code=1",
        "gatepost://enrol?server=http%3A%2F%2Fx",
    ):
        with pytest.raises(KnownError) as err:
            parse_enrolment(bad)
        assert err.value.code == "enrol_bad_text"


def test_a_code_works_once(store, gate):
    transport = InProcessTransport(store)
    text = devices.new_enrolment(store, "http://127.0.0.1:1")
    make_client(gate.conn, transport).enrol(text)
    with pytest.raises(KnownError) as err:
        make_client(gate.conn, transport).enrol(text)
    assert err.value.code == "enrol_refused" and err.value.params["reason"] == "code_used"


def test_first_sync_sends_everything_once(store, gate):
    transport = InProcessTransport(store)
    client = enrol_gate(store, gate, transport)
    add_events(gate.conn, 1234)
    report = client.run()
    assert report.ok and report.accepted == 1234 and report.duplicate == 0
    assert transport.sent_batches == [500, 500, 234]
    assert outbox.pending_count(gate.conn) == 0
    assert_server_holds_exactly(store, gate)
    status = state.read_status(gate.conn)
    assert status.online and status.waiting == 0 and status.last_success_utc
    assert status.last_error is None and status.server_acked_seq == 1234
    # nothing new: a second run sends nothing
    again = client.run()
    assert again.ok and again.batches == 0 and transport.sent_batches == [500, 500, 234]


def test_reply_lost_after_commit_resends_as_duplicates(store, gate):
    transport = InProcessTransport(store)
    client = enrol_gate(store, gate, transport)
    add_events(gate.conn, 700)
    transport.faults.extend([None, "after_commit"])  # head ok, first batch stored, reply lost
    report = client.run()
    assert report.ok and report.accepted == 200 and report.duplicate == 500
    assert client.sleeps and 2.0 <= client.sleeps[0] <= 2.0 * 1  # first backoff
    assert_server_holds_exactly(store, gate)


def test_server_restored_from_backup_is_refilled(store, gate, tmp_path):
    transport = InProcessTransport(store)
    client = enrol_gate(store, gate, transport)
    add_events(gate.conn, 300)
    assert client.run().ok
    # the server loses everything after seq 100 (restored from an old backup)
    with store.tx() as tx:
        tx.execute("DELETE FROM events WHERE seq > 100")
        tx.execute("UPDATE devices SET acked_seq = 100")
    report = client.run()
    assert report.ok and report.accepted == 200
    assert_server_holds_exactly(store, gate)


def test_same_id_different_hash_is_quarantined_and_does_not_block(store, gate):
    transport = InProcessTransport(store)
    client = enrol_gate(store, gate, transport)
    add_events(gate.conn, 10)
    # another (cloned) device already sent an event with the id of our seq 5
    eid = gate.conn.execute("SELECT event_id FROM outbox WHERE seq = 5").fetchone()[0]
    with store.tx() as tx:
        tx.execute(
            "INSERT INTO events(event_id, device_id, seq, kind, body, created_utc, "
            "prev_hash, hash, received_utc) VALUES (?, 'other', 1, 'x', '{}', 't', "
            "?, 'zz', 't')",
            (eid, outbox.GENESIS),
        )
    report = client.run()
    assert report.ok and report.accepted == 9 and report.rejected == 1
    assert outbox.pending_count(gate.conn) == 0
    with store.tx() as tx:
        q = tx.execute("SELECT seq, reason FROM quarantine")
        head = tx.one("SELECT acked_seq FROM devices WHERE device_id = ?", (gate.device.device_id,))
    assert q == [{"seq": 5, "reason": "conflict_same_id"}]
    assert head["acked_seq"] == 10  # the quarantined sequence does not block the queue
    rej = gate.conn.execute("SELECT seq, reason FROM sync_rejections").fetchall()
    assert [tuple(r) for r in rej] == [(5, "conflict_same_id")]
    # more events after it still flow
    add_events(gate.conn, 3)
    assert client.run().accepted == 3


def test_device_restored_from_old_backup_collides_and_is_quarantined(store, gate, tmp_path):
    transport = InProcessTransport(store)
    client = enrol_gate(store, gate, transport)
    add_events(gate.conn, 5)
    assert client.run().ok
    # the gate's disk is restored to before seq 4: it writes new, different events 4 and 5
    with transaction(gate.conn):
        gate.conn.execute("DELETE FROM outbox WHERE seq >= 4")
        gate.conn.execute("UPDATE sqlite_sequence SET seq = 3 WHERE name = 'outbox'")
    add_events(gate.conn, 3)
    report = client.run()
    # 4, 5 collide with what the server holds; 6 links to the forked 5: all kept for the officer
    assert report.ok and report.rejected == 3 and report.accepted == 0
    with store.tx() as tx:
        reasons = [r["reason"] for r in tx.execute("SELECT reason FROM quarantine ORDER BY seq")]
    assert reasons == ["conflict_same_seq", "conflict_same_seq", "chain_break"]
    assert state.read_status(gate.conn).waiting == 0  # the queue is not stuck behind them


def test_bad_hash_is_rejected_not_stored(store, gate):
    transport = InProcessTransport(store)
    client = enrol_gate(store, gate, transport)
    add_events(gate.conn, 3)
    gate.conn.execute("UPDATE outbox SET body = '{\"tampered\":1}' WHERE seq = 2")
    report = client.run()
    assert report.accepted == 2 and report.rejected == 1
    with store.tx() as tx:
        assert tx.one("SELECT reason FROM quarantine")["reason"] == "bad_hash"


def test_revoked_token_stops_and_alerts(store, gate):
    transport = InProcessTransport(store)
    client = enrol_gate(store, gate, transport)
    add_events(gate.conn, 3)
    devices.revoke(store, gate.device.device_id)
    report = client.run()
    assert not report.ok and report.error == "sync_auth_refused" and client.sleeps == []
    status = state.read_status(gate.conn)
    assert status.stopped and status.last_error == "sync_auth_refused" and status.waiting == 3


def test_413_splits_the_batch(store, gate):
    transport = InProcessTransport(store, max_events=120)
    client = enrol_gate(store, gate, transport)
    add_events(gate.conn, 500)
    report = client.run()
    assert report.ok and report.accepted == 500
    assert max(transport.sent_batches) <= 120 and sum(transport.sent_batches) == 500
    assert_server_holds_exactly(store, gate)


def test_retryable_errors_back_off_then_give_up(store, gate):
    transport = InProcessTransport(store)
    client = enrol_gate(store, gate, transport)
    client.max_attempts = 4
    add_events(gate.conn, 5)
    transport.faults.extend([Retryable("503", retry_after=30.0)] + [Retryable("timeout")] * 5)
    report = client.run()
    assert not report.ok and report.error == "sync_offline"
    assert len(client.sleeps) == 3 and client.sleeps[0] >= 30.0
    status = state.read_status(gate.conn)
    assert not status.online and status.waiting == 5 and status.last_error == "sync_offline"
    # the next run, with the network back, sends everything
    assert client.run().accepted == 5


def test_not_enrolled_is_a_message_not_a_crash(gate):
    report = make_client(gate.conn, InProcessTransport.__new__(InProcessTransport)).run()
    assert report.error == "sync_not_enrolled"
    assert state.read_status(gate.conn).last_error == "sync_not_enrolled"


def test_backoff_is_full_jitter_between_2s_and_10min():
    import random

    b = Backoff(rng=random.Random(1), sleep=lambda s: None)
    delays = [b.next_delay() for _ in range(15)]
    assert all(2.0 <= d <= 600.0 for d in delays)
    assert max(delays[10:]) > 60  # it grows
    assert Backoff(sleep=lambda s: None).next_delay(retry_after=5000) == 600.0


@pytest.mark.parametrize(
    "raw",
    [
        b"<html><body>Welcome to Hotel WiFi</body></html>",
        b'{"protocol": 1, "acked_seq": 1, "results": []}',
        b'{"protocol": 1, "acked_seq": 1, "results": [{"seq": 2, "event_id": "a", "status": "accepted"}]}',  # noqa: E501
        b'{"protocol": 1, "acked_seq": 1, "results": [{"seq": 1, "event_id": "a", "status": "ok"}]}',  # noqa: E501
        b"",
    ],
)
def test_a_200_that_is_not_a_reply_is_not_success(raw):
    with pytest.raises(InvalidReply):
        parse_reply(raw, [{"seq": 1, "event_id": "a"}])


def test_any_event_kind_is_carried(store, gate):
    transport = InProcessTransport(store)
    client = enrol_gate(store, gate, transport)
    with transaction(gate.conn):
        for kind in ("roster_change", "shift_event", "watchlist_stop"):
            outbox.append(gate.conn, uuid7(), kind, {"x": "值班"}, "2026-11-29T00:00:00Z")
    assert client.run().accepted == 3
    with store.tx() as tx:
        rows = tx.execute("SELECT kind, body FROM events ORDER BY seq")
    assert [r["kind"] for r in rows] == ["roster_change", "shift_event", "watchlist_stop"]
    assert json.loads(rows[0]["body"]) == {"x": "值班"}


def test_unlimited_attempts_keep_backing_off_until_cancelled(store, gate):
    transport = InProcessTransport(store)
    client = enrol_gate(store, gate, transport)
    client.max_attempts = 0  # the window's background run: retry until it works or is cancelled
    add_events(gate.conn, 4)
    transport.faults.extend([Retryable("503")] * 12)
    report = client.run()
    assert report.ok and report.accepted == 4 and len(client.sleeps) == 12
    assert max(client.sleeps) > 60  # it grew towards the 10-minute cap
    status = state.read_status(gate.conn)
    assert status.online and status.last_error is None


def test_quarantined_events_are_shown_in_words(store, gate):
    from datetime import datetime

    transport = InProcessTransport(store)
    client = enrol_gate(store, gate, transport)
    add_events(gate.conn, 2)
    gate.conn.execute("UPDATE outbox SET body = '{}' WHERE seq = 1")
    assert client.run().rejected == 1
    words = state.describe(state.read_status(gate.conn), "zh", datetime.now(UTC))
    assert words["error"] == "有 1 条记录被服务器隔离，街道可见"


def test_retry_after_header_forms():
    from datetime import datetime, timedelta
    from email.utils import format_datetime

    from app.sync.transport import retry_after_seconds

    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    assert 80 <= retry_after_seconds(when) <= 91


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
_EVENT = st.fixed_dictionaries(
    {
        "seq": st.integers(1, 2**62),
        "event_id": _TEXT,
        "kind": _TEXT,
        "body": _TEXT,
        "created_utc": _TEXT,
        "prev_hash": st.one_of(st.none(), _TEXT),
        "hash": _TEXT,
    }
)


@settings(max_examples=200)
@given(_TEXT, _TEXT, st.lists(_EVENT, max_size=8))
def test_a_batch_encoded_event_by_event_is_the_one_dumps_bytes(device_id, key_id, events):
    """#12: the batch is encoded an event at a time (the GUI thread may take the GIL between
    two); the server verifies the signature over these bytes, so they must not change."""
    whole = json.dumps(
        {"protocol": PROTOCOL, "device_id": device_id, "key_id": key_id, "events": events},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    assert encode_batch(device_id, key_id, events) == whole


def test_no_single_json_call_encodes_more_than_one_event(monkeypatch):
    """#12: one `json.dumps` of a 500-event batch is one C call holding the GIL for 9-14 ms."""
    import app.sync.protocol as protocol

    sizes = []
    dumps = json.dumps

    def spy(obj, **kw):
        sizes.append(len(obj["events"]) if "events" in obj else 1)
        return dumps(obj, **kw)

    monkeypatch.setattr(protocol.json, "dumps", spy)
    events = [dict.fromkeys(EVENT_FIELDS, "x") for _ in range(500)]
    assert json.loads(encode_batch("d", "k", events))["events"] == events
    assert len(sizes) == 501 and max(sizes) <= 1
