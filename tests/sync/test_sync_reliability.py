"""Reliability: faults on the wire, a killed server, clock jumps, 20 clients, a long backlog.

Every scenario ends with the same check: the server holds this device's events 1..head,
each exactly once, and the chain is intact.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.clock import FakeClock
from app.gate.service import GateService, PassageDraft
from app.sync.client import SyncClient
from app.sync.identity import load_identity
from app.sync.transport import HttpTransport
from server import devices
from server.run import ServerThread, free_port
from server.store import SqliteStore

from .conftest import add_events, assert_server_holds_exactly, make_client
from .faultproxy import FaultProxy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(store):
    with ServerThread(store) as srv:
        yield srv


@pytest.fixture
def proxy(server):
    p = FaultProxy(server.port)
    yield p
    p.close()


def _enrol_via(store, gate, url, timeout=5.0, **kw) -> SyncClient:
    client = make_client(gate.conn, HttpTransport(timeout=timeout), **kw)
    client.enrol(devices.new_enrolment(store, url))
    return client


SQLITE_ONLY = pytest.mark.parametrize("store", ["sqlite"], indirect=True)  # wire faults only


@SQLITE_ONLY
@pytest.mark.parametrize(
    "fault",
    [
        "reset_mid_request",
        "reset_after_headers",
        "blackhole",
        "status:502",
        "status:503",
        "status:429:7",
        "html200",
    ],
)
def test_each_fault_then_recovery(store, gate, proxy, fault):
    client = _enrol_via(store, gate, proxy.url, timeout=1.0, batch_size=100)
    add_events(gate.conn, 250)
    # head ok, then the fault on the first batch, and again on a later one
    proxy.faults.extend(["pass", fault, "pass", fault])
    report = client.run()
    assert report.ok, report
    assert len(client.sleeps) == 2
    if fault == "status:429:7":
        assert all(s >= 7 for s in client.sleeps)
    assert_server_holds_exactly(store, gate)
    if fault == "reset_after_headers":
        assert report.duplicate > 0  # stored, reply lost, resent, recognised


@SQLITE_ONLY
def test_fault_storm(store, gate, proxy):
    client = _enrol_via(store, gate, proxy.url, timeout=1.0, batch_size=50, max_attempts=50)
    add_events(gate.conn, 600)
    proxy.faults.extend(
        [
            "reset_after_headers",
            "pass",
            "html200",
            "pass",
            "status:503:1",
            "reset_mid_request",
            "pass",
            "pass",
            "reset_after_headers",
            "blackhole",
            "pass",
            "status:502",
            "pass",
            "reset_after_headers",
        ]
        * 3
    )
    assert client.run().ok
    assert_server_holds_exactly(store, gate)


# ------------------------------------------------------------- kill -9 of a server process
class ServerProcess:
    def __init__(self, data_dir: Path, port: int, database_url: str | None = None) -> None:
        self.data_dir, self.port, self.proc = data_dir, port, None
        self.database_url = database_url

    def start(self, kill: str | None = None) -> None:
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        # the real command; with a kill point, a test server built by the same app factory
        # with hooks that SIGKILL it (production code has no kill switch)
        command = (
            ["-m", "tests.sync.kill_server", str(self.data_dir), str(self.port), kill]
            if kill
            else [str(ROOT / "main.py"), "--data-dir", str(self.data_dir), "server"]
            + ["--port", str(self.port)]
        )
        self.proc = subprocess.Popen(
            [sys.executable, *command],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import socket

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server process did not start")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.proc.terminate()
            self.proc.wait(10)


@pytest.mark.slow
@pytest.mark.parametrize("point", ["before_commit:2", "after_commit:2"])
def test_kill_9_mid_batch(tmp_path, gate, point, store):
    srv_dir = tmp_path / "srv"
    srv_dir.mkdir()
    pg_url = getattr(store, "url", None)
    if pg_url is None:  # SQLite: the server process opens the file in its data dir
        store = SqliteStore(srv_dir / "gatepost-server.db")
        store.migrate()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    text = devices.new_enrolment(store, url)
    proc = ServerProcess(srv_dir, port, pg_url)
    proc.start()
    try:
        client = make_client(gate.conn, HttpTransport(timeout=10), batch_size=200)
        client.enrol(text)
        proc.stop()
        add_events(gate.conn, 700)
        proc.start(kill=point)
        restarts = []

        def sleep_and_restart(seconds: float) -> None:
            client.sleeps.append(seconds)  # type: ignore[attr-defined]
            if not proc.alive():
                assert proc.proc.wait(5) == -9  # really SIGKILLed
                restarts.append(seconds)
                proc.start()

        client.backoff.sleep = sleep_and_restart
        report = client.run()
        assert report.ok and restarts
        if point.startswith("after"):
            assert report.duplicate == 200  # committed batch 2 came back as duplicates
        else:
            assert report.duplicate == 0
        assert_server_holds_exactly(store, gate)
    finally:
        proc.stop()
        store.close()


# ------------------------------------------------------------- clock jumps
def test_device_clock_back_a_day_and_forward_a_year(store, gate, server):
    clock = FakeClock()
    svc = GateService(gate, clock)
    svc.settings.set("volunteer", "夜班")
    client = _enrol_via(store, gate, server.url)
    client.clock = clock

    def some(n):
        for i in range(n):
            svc.record(
                PassageDraft(
                    code_color="green", payload_text=f"p{i}{clock.now()}", temperature="36.5"
                )
            )
            clock.advance(61)

    some(5)
    assert client.run().ok
    clock.advance(-86400)  # the CMOS battery: back a day
    some(5)
    assert client.run().ok
    clock.advance(366 * 86400)  # forward a year
    some(5)
    report = client.run()
    assert report.ok and report.accepted == 5
    assert_server_holds_exactly(store, gate)
    with store.tx() as tx:
        dates = [r["local_date"] for r in tx.execute("SELECT local_date FROM events ORDER BY seq")]
    assert dates[0] > dates[5] and dates[-1] > dates[0]  # stored as recorded, ordered by seq


# ------------------------------------------------------------- 20 clients at once
def test_same_batch_from_20_clients_at_once(store, gate, server):
    _enrol_via(store, gate, server.url)
    add_events(gate.conn, 300)
    ident = load_identity(gate.conn)
    events = [
        dict(r)
        for r in gate.conn.execute(
            "SELECT seq, event_id, kind, body, created_utc, prev_hash, hash "
            "FROM outbox ORDER BY seq"
        )
    ]
    barrier = threading.Barrier(20)
    replies, errors = [], []

    def one():
        try:
            barrier.wait(10)
            replies.append(HttpTransport(timeout=30).send(ident, events))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and len(replies) == 20
    accepted = sum(r.status == "accepted" for reply in replies for r in reply.results)
    duplicate = sum(r.status == "duplicate" for reply in replies for r in reply.results)
    assert accepted == 300 and duplicate == 19 * 300
    assert_server_holds_exactly(store, gate)


# ------------------------------------------------------------- 30 days offline
@pytest.mark.slow
@SQLITE_ONLY  # the PostgreSQL path's 60k run is in bench/sync_bench.py
def test_thirty_days_offline_then_reconnect(store, gate, server):
    client = _enrol_via(store, gate, server.url, timeout=30)
    add_events(gate.conn, 60_000)
    report = client.run()
    assert report.ok and report.accepted == 60_000 and report.batches == 120
    assert_server_holds_exactly(store, gate)
