"""Short attempts for the window's timer: one try, batches to a deadline, a kept pairing (#12)."""

from __future__ import annotations

import pytest

from app.errors import KnownError
from app.sync.service import SyncService
from app.sync.transport import Retryable
from server import devices
from tests.fakes.sync_fakes import InProcessTransport

from .conftest import add_events


class Ticks:
    """A monotonic clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def make_service(gate, store, **kw) -> tuple[SyncService, InProcessTransport]:
    transport = InProcessTransport(store)
    return SyncService(gate.path, transport=transport, **kw), transport


def test_an_attempt_stops_at_its_deadline_and_the_next_goes_on(store, gate):
    service, transport = make_service(gate, store, batch_size=10)
    service.enrol(devices.new_enrolment(store, "http://127.0.0.1:1"))
    add_events(gate.conn, 35)
    first = service.attempt(budget_s=2.5, monotonic=Ticks())
    assert first.report.ok and first.report.more
    assert 0 < first.report.accepted < 35
    assert first.status.online and first.status.waiting == 35 - first.report.accepted
    rest = service.attempt(budget_s=1000, monotonic=Ticks())
    assert rest.report.ok and not rest.report.more
    assert first.report.accepted + rest.report.accepted == 35
    assert rest.status.waiting == 0


def test_an_attempt_while_offline_tries_once_and_never_sleeps(store, gate):
    service, transport = make_service(gate, store, max_attempts=0)  # the old forever mode
    service.enrol(devices.new_enrolment(store, "http://127.0.0.1:1"))
    add_events(gate.conn, 3)
    transport.faults.extend([Retryable("ConnectionRefusedError", retry_after=30.0)] * 5)
    out = service.attempt()
    assert not out.report.ok and out.report.attempts == 1 and out.report.delays == []
    assert out.report.error == "sync_offline" and out.report.retry_after == 30.0
    assert len(transport.faults) == 4  # exactly one connection try was used
    assert not out.status.online and out.status.waiting == 3
    assert out.status.last_error_detail == "ConnectionRefusedError"


def test_a_pairing_read_while_offline_is_kept_and_used_by_the_next_attempt(store, gate):
    service, transport = make_service(gate, store)
    add_events(gate.conn, 4)
    text = devices.new_enrolment(store, "http://127.0.0.1:1")
    transport.faults.append(Retryable("ConnectionRefusedError"))
    with pytest.raises(KnownError) as err:
        service.enrol_or_keep(text)
    assert err.value.code == "enrol_kept_for_later"
    assert "已记下配对码" in err.value.message("zh")
    assert service.pending_enrolment() == text and not service.status().enrolled
    transport.faults.append(Retryable("still down"))
    out = service.attempt()
    assert out.pending_enrolment and not out.status.enrolled  # kept again
    out = service.attempt()  # the server is back
    assert not out.pending_enrolment and out.status.enrolled
    assert out.report.ok and out.report.accepted == 4 and out.status.waiting == 0


def test_a_kept_pairing_the_server_refuses_is_dropped_in_words(store, gate):
    service, transport = make_service(gate, store)
    transport.faults.append(Retryable("ConnectionRefusedError"))
    with pytest.raises(KnownError):
        service.enrol_or_keep(devices.new_enrolment(store, "http://127.0.0.1:1"))
    with store.tx() as tx:  # the code expired meanwhile: the kept one will never work
        tx.execute("DELETE FROM enrol_codes")
    out = service.attempt()
    assert service.pending_enrolment() is None and not out.status.enrolled
    assert out.report.error == out.status.last_error == "enrol_refused"


def test_a_timers_attempt_leaves_an_unpaired_or_refused_gate_alone(store, gate):
    service, transport = make_service(gate, store)
    out = service.attempt(auto=True)
    assert out.skipped and out.status.last_error is None  # no 'not paired' written every tick
    service.enrol(devices.new_enrolment(store, "http://127.0.0.1:1"))
    devices.revoke(store, gate.device.device_id)
    assert service.attempt(auto=True).report.error == "sync_auth_refused"
    assert service.attempt(auto=True).skipped  # stopped until someone acts
    assert service.attempt().report.error == "sync_auth_refused"  # 立即同步 still tries
