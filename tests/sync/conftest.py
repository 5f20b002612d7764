"""Gates with outboxes, a server store, and the checks every scenario ends with."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.database import open_database
from app.ids import uuid7
from app.sync.backoff import Backoff
from app.sync.client import SyncClient
from db import outbox
from db.connection import transaction
from server import devices
from server.store import SqliteStore, Store


def add_events(conn, n: int, kind: str = "passage", start_day: str = "2026-11-29") -> None:
    """n generic outbox events. Small counts go through outbox.append as features do; large
    ones are chained here in bulk (the same chain_hash) to keep the suite fast."""
    if n <= 2000:
        with transaction(conn):
            for i in range(n):
                body = {
                    "id": uuid7(),
                    "local_date": start_day,
                    "n": i,
                    "checkpoint_id": "gate-1",
                    "decision": "pass",
                }
                outbox.append(conn, body["id"], kind, body, "2026-11-29T00:00:00Z")
        return
    with transaction(conn):
        row = conn.execute("SELECT hash FROM outbox ORDER BY seq DESC LIMIT 1").fetchone()
        prev = row[0] if row else outbox.GENESIS
        rows = []
        for i in range(n):
            eid = uuid7()
            body = outbox.canonical(
                {
                    "id": eid,
                    "local_date": start_day,
                    "n": i,
                    "checkpoint_id": "gate-1",
                    "decision": "pass",
                }
            )
            digest = outbox.chain_hash(prev, eid, kind, body)
            rows.append((eid, kind, body, "2026-11-29T00:00:00Z", prev, digest))
            prev = digest
        conn.executemany(
            "INSERT INTO outbox(event_id, kind, body, created_utc, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )


def enrol_gate(store: Store, gdb, transport, name: str = "正门") -> SyncClient:
    text = devices.new_enrolment(store, "http://127.0.0.1:1")
    client = make_client(gdb.conn, transport)
    client.enrol(text, name)
    return client


def make_client(conn, transport, **kw) -> SyncClient:
    sleeps: list[float] = []
    backoff = Backoff(rng=random.Random(6), sleep=sleeps.append)
    client = SyncClient(conn, transport, backoff=backoff, **kw)
    client.sleeps = sleeps  # type: ignore[attr-defined]
    return client


def server_events(store: Store, device_id: str) -> list[dict]:
    with store.tx() as tx:
        return tx.execute(
            "SELECT seq, event_id, prev_hash, hash FROM events WHERE device_id = ? ORDER BY seq",
            (device_id,),
        )


def assert_server_holds_exactly(store: Store, gdb) -> None:
    """The server has this device's events 1..head, each once, chain intact."""
    local = [
        dict(r)
        for r in gdb.conn.execute("SELECT seq, event_id, prev_hash, hash FROM outbox ORDER BY seq")
    ]
    remote = server_events(store, gdb.device.device_id)
    assert [r["seq"] for r in remote] == list(range(1, len(local) + 1))
    assert remote == local
    prev = outbox.GENESIS
    for r in remote:
        assert r["prev_hash"] == prev
        prev = r["hash"]
    with store.tx() as tx:
        dup = tx.one(
            "SELECT count(*) AS n FROM (SELECT event_id FROM events GROUP BY event_id "
            "HAVING count(*) > 1) d"
        )
    assert dup["n"] == 0


PG_DEFAULT = "postgresql://gatepost:gatepost@127.0.0.1:5432/gatepost_test"


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path: Path):
    """Every server test runs on SQLite and on PostgreSQL (skipped only outside CI)."""
    if request.param == "sqlite":
        s: Store = SqliteStore(tmp_path / "server.db")
        s.migrate()
        yield s
        s.close()
        return
    yield from _pg_store()


@contextlib.contextmanager
def fresh_pg_schema() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a new, empty schema, dropped afterwards. Without a
    server the test is skipped (in CI, where one must be running, it fails)."""
    import os
    import secrets

    url = os.environ.get("GATEPOST_TEST_DATABASE_URL", PG_DEFAULT)
    try:
        import psycopg

        admin = psycopg.connect(url, autocommit=True, connect_timeout=3)
    except Exception as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required in CI and not reachable: {exc}")
        pytest.skip(f"no PostgreSQL server reachable ({exc.__class__.__name__})")
    schema = "t_" + secrets.token_hex(6)
    admin.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


def _pg_store():
    from server.store import PostgresStore

    with fresh_pg_schema() as target:
        s = PostgresStore(target)
        try:
            s.migrate()
            yield s
        finally:
            s.close()


@pytest.fixture
def gate(tmp_path: Path):
    (tmp_path / "gate").mkdir()
    g = open_database(tmp_path / "gate")
    yield g
    g.close()


@pytest.fixture(autouse=True)
def _no_database_url(monkeypatch):
    """A developer's DATABASE_URL must never send test data to their server."""
    monkeypatch.delenv("DATABASE_URL", raising=False)


def enrol_offline_gate(store: Store, conn) -> None:
    """What the officer does before a never-online gate's first bundle: enrol it by its device
    id and public key (bundles from gates not enrolled beforehand are refused, #13)."""
    from app.sync.identity import load_identity

    ident = load_identity(conn)
    devices.enrol_offline(store, ident.device_id, ident.public_key_hex, officer="test")


def enrol_offline_in(data_dir: Path, conn) -> None:
    """The same for the server database in a data dir (the command-line tests)."""
    from server.run import store_for

    s = store_for(data_dir)
    try:
        enrol_offline_gate(s, conn)
    finally:
        s.close()


@contextlib.contextmanager
def another_gate(store: Store, folder: Path, events: int) -> Iterator:
    """A second gate's database in folder, holding `events` events, enrolled beforehand."""
    folder.mkdir()
    other = open_database(folder)
    try:
        add_events(other.conn, events)
        enrol_offline_gate(store, other.conn)
        yield other
    finally:
        other.close()


def desk_day(gate, passages: int):
    """A real gate's desk on 2026-11-29 (07:00 in Shanghai, a fake clock): that many green
    passages ten minutes apart by one resident, and its report service, signing with the
    gate's key, officer PIN 246810. (clock, desk, identity, reports)."""
    from datetime import datetime, timedelta, timezone

    from app.clock import FakeClock
    from app.gate.service import GateService, Identity, PassageDraft
    from app.reports.service import ReportService
    from app.sync.identity import load_identity

    clock = FakeClock(datetime(2026, 11, 29, 7, 0, tzinfo=timezone(timedelta(hours=8))))
    desk = GateService(gate, clock)
    ident = Identity(method="name_room", person_name="张三", building="1", room="101")
    for _ in range(passages):
        clock.advance(600)
        desk.record(PassageDraft(code_color="green", temperature="36.5", identity=ident))
    reports = ReportService(gate, clock, signer=load_identity)
    reports.officer.set_pin("246810")
    return clock, desk, ident, reports
