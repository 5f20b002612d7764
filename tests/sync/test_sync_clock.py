"""#17: the server's time rides on every batch reply; the gate keeps it beside its own clock,
and its clock guard raises 系统时间异常 when the two are more than 2 minutes apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.clock import FakeClock
from app.gate.clock_guard import ClockGuard
from app.sync.transport import HttpTransport
from server import devices
from server.run import ServerThread

from .conftest import add_events, make_client


def test_a_real_sync_reply_carries_the_server_time_and_the_gate_keeps_it(store, gate):
    with ServerThread(store) as srv:
        client = make_client(gate.conn, HttpTransport(timeout=5))
        client.enrol(devices.new_enrolment(store, srv.url), "东门")
        guard_clock = FakeClock(datetime.now(UTC))  # this gate's clock: right
        guard = ClockGuard(gate.conn, guard_clock)
        add_events(gate.conn, 3)
        assert client.run().ok
    their, ours = gate.conn.execute(
        "SELECT their_utc, our_utc FROM clock_marks WHERE source = 'server'"
    ).fetchone()
    server_time = datetime.fromisoformat(their.replace("Z", "+00:00"))
    assert abs((server_time - datetime.now(UTC)).total_seconds()) < 60
    assert ours.endswith("Z")
    assert not guard.check().suspect and guard.referenced  # heard, and in step


def test_a_server_time_three_minutes_away_makes_the_clock_suspect(gate):
    clock = FakeClock(datetime(2026, 11, 29, 8, 0, tzinfo=UTC))
    guard = ClockGuard(gate.conn, clock)
    assert not guard.check().suspect
    gate.conn.execute(
        "INSERT INTO clock_marks(source, their_utc, our_utc) VALUES ('server', ?, ?)",
        ("2026-11-29T07:57:00.000Z", "2026-11-29T08:00:00.000Z"),
    )
    clock.advance(20)  # the guard looks at the next minute's check
    status = guard.check()
    assert status.suspect and status.reason == "off_reference"
    assert round(status.drift_s) == 180


def test_a_usb_ack_made_after_the_gate_s_now_means_the_clock_is_behind(gate):
    clock = FakeClock(datetime(2026, 11, 29, 8, 0, tzinfo=UTC))
    gate.conn.execute(
        "INSERT INTO sync_ack_imports(imported_utc, acked_seq, newly_acked, server_key_id, "
        "created_utc) VALUES (?, 0, 0, 'k', ?)",
        ("2026-11-29T08:00:00.000Z", (clock.now() + timedelta(hours=5)).isoformat()),
    )
    status = ClockGuard(gate.conn, clock).check()
    assert status.suspect and status.reason == "behind_records"
