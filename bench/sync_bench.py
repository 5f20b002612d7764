#!/usr/bin/env python3
"""Sync benchmarks (issue #6): a 60,000-event backlog over loopback, raw ingest rate on SQLite
and PostgreSQL, and N gates reconnecting at once. Results go to docs/BENCHMARKS.md.

    python bench/sync_bench.py [--events 60000] [--gates 300] [--per-gate 200]
                               [--postgres URL]   (default: $GATEPOST_TEST_DATABASE_URL)
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.database import open_database  # noqa: E402
from app.ids import uuid7  # noqa: E402
from app.sync.backoff import Backoff  # noqa: E402
from app.sync.client import SyncClient  # noqa: E402
from app.sync.identity import load_identity  # noqa: E402
from app.sync.protocol import event_from_row  # noqa: E402
from app.sync.transport import HttpTransport  # noqa: E402
from db import outbox  # noqa: E402
from db.connection import transaction  # noqa: E402
from server import devices  # noqa: E402
from server.ingest import ingest  # noqa: E402
from server.run import ServerThread  # noqa: E402
from server.store import PostgresStore, SqliteStore, Store  # noqa: E402


def make_gate(path: Path, n: int):
    path.mkdir(mode=0o700, parents=True, exist_ok=True)  # the gate checks its folder is private
    gdb = open_database(path)
    with transaction(gdb.conn):
        for i in range(n):
            body = {
                "id": uuid7(),
                "local_date": "2026-11-29",
                "n": i,
                "decision": "pass",
                "direction": "in",
                "category": "resident",
                "temperature": 36.5,
            }
            outbox.append(gdb.conn, body["id"], "passage", body, "2026-11-29T00:00:00Z")
    return gdb


def pg_store(url: str) -> tuple[Store, str]:
    import psycopg

    schema = "bench_" + secrets.token_hex(4)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in url else "?"
    store = PostgresStore(f"{url}{sep}options=-csearch_path%3D{schema}", size=16)
    store.migrate()
    return store, schema


def drop_pg(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")


def client_for(gdb, store: Store, url: str) -> SyncClient:
    client = SyncClient(
        gdb.conn, HttpTransport(timeout=60), backoff=Backoff(base=0.05, cap=1.0), max_attempts=20
    )
    client.enrol(devices.new_enrolment(store, url))
    return client


def backlog(store: Store, tmp: Path, n: int) -> float:
    gdb = make_gate(tmp / f"backlog-{store.dialect}", n)
    with ServerThread(store) as srv:
        client = client_for(gdb, store, srv.url)
        start = time.perf_counter()
        report = client.run()
        took = time.perf_counter() - start
    assert report.ok and report.accepted == n, report
    gdb.close()
    return took


def ingest_rate(store: Store, tmp: Path, n: int, batch: int = 500) -> float:
    gdb = make_gate(tmp / f"ingest-{store.dialect}", n)
    ident = load_identity(gdb.conn)
    with store.tx() as tx:
        tx.execute(
            "INSERT INTO devices(device_id, public_key, key_id, enrolled_via, enrolled_utc) "
            "VALUES (?, ?, ?, 'bench', 'now')",
            (ident.device_id, ident.public_key_hex, ident.key_id),
        )
    events = [event_from_row(r) for r in gdb.conn.execute("SELECT * FROM outbox ORDER BY seq")]
    start = time.perf_counter()
    for i in range(0, n, batch):
        ingest(store, ident.device_id, events[i : i + batch])
    took = time.perf_counter() - start
    gdb.close()
    return n / took


def reconnect(store: Store, tmp: Path, gates: int, per_gate: int) -> tuple[float, int]:
    dbs = [make_gate(tmp / f"gate-{store.dialect}-{i}", per_gate) for i in range(gates)]
    with ServerThread(store) as srv:
        clients = [client_for(g, store, srv.url) for g in dbs]
        reports: list = [None] * gates
        barrier = threading.Barrier(gates)

        def run(i: int) -> None:
            barrier.wait()
            reports[i] = clients[i].run()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(gates)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.perf_counter() - start
    converged = sum(1 for r in reports if r and r.ok and r.accepted == per_gate)
    ids = {g.device.device_id for g in dbs}
    with store.tx() as tx:
        heads = [
            h
            for h in tx.execute("SELECT device_id, acked_seq FROM devices")
            if h["device_id"] in ids
        ]
    assert len(heads) == gates and all(int(h["acked_seq"]) == per_gate for h in heads)
    for g in dbs:
        g.close()
    return took, converged


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=60_000)
    ap.add_argument("--gates", type=int, default=300)
    ap.add_argument("--per-gate", type=int, default=200)
    ap.add_argument("--postgres", default=os.environ.get("GATEPOST_TEST_DATABASE_URL"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        backends: list[tuple[str, Store, str | None]] = []
        sq = SqliteStore(tmp / "server.db")
        sq.migrate()
        backends.append(("SQLite", sq, None))
        if args.postgres:
            pg, schema = pg_store(args.postgres)
            backends.append(("PostgreSQL", pg, schema))
        print("| what | backend | result |")
        print("| --- | --- | --- |")
        for name, store, _ in backends:
            took = backlog(store, tmp, args.events)
            print(
                f"| {args.events} events backlog over loopback HTTP | {name} | {took:.1f} s |",
                flush=True,
            )
        for name, _store, _ in backends:
            extra = None
            if name == "SQLite":
                fresh: Store = SqliteStore(tmp / "rate.db")
                fresh.migrate()
            else:
                fresh, extra = pg_store(args.postgres)
            rate = ingest_rate(fresh, tmp, 20_000)
            fresh.close()
            if extra:
                drop_pg(args.postgres, extra)
            print(
                f"| ingest, batches of 500, no HTTP | {name} | {rate:,.0f} events/s |", flush=True
            )
        for name, store, _ in backends:
            took, ok = reconnect(store, tmp, args.gates, args.per_gate)
            print(
                f"| {args.gates} gates × {args.per_gate} events reconnecting at once "
                f"| {name} | {ok}/{args.gates} converged in {took:.1f} s |",
                flush=True,
            )
        for _name, store, schema in backends:
            store.close()
            if schema:
                drop_pg(args.postgres, schema)
    return 0


if __name__ == "__main__":
    sys.exit(main())
