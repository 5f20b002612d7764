"""The district benchmark's ingest half (#15): the requests made before its clock starts are
what the real client sends (the server takes them), a lost reply is sent again and counted,
and a pushed run from client processes converges and says whose CPU it cost."""

from __future__ import annotations

import inspect

from app.sync.client import SyncClient
from bench.district_bench import ingest_http, ingest_row
from bench.ingest_push import prepare_gate, push_gate
from server.run import ServerThread
from server.store import SqliteStore
from server.web import IngestHooks

from .conftest import fresh_pg_schema, server_events


def test_prepared_requests_are_what_the_server_accepts(store, tmp_path):
    with ServerThread(store) as srv:
        gate = prepare_gate(tmp_path / "g", 1100, store, srv.url)
        device_id = gate.head.headers["X-Gatepost-Device"]
        assert server_events(store, device_id) == []  # preparing sent nothing but the pairing
        size = inspect.signature(SyncClient).parameters["batch_size"].default
        assert [len(b.sent) for b in gate.batches] == [size, size, 1100 - 2 * size]
        assert all("X-Gatepost-Signature" in b.wire.headers for b in gate.batches)
        out = push_gate(gate)
    assert out.converged() and (out.accepted, out.duplicate, out.retries) == (1100, 0, 0)
    held = server_events(store, device_id)
    assert [e["seq"] for e in held] == list(range(1, 1101))
    assert all(a["hash"] == b["prev_hash"] for a, b in zip(held, held[1:], strict=False))


def test_a_batch_whose_reply_is_lost_is_sent_again_and_its_events_count_once(tmp_path):
    store = SqliteStore(tmp_path / "server.db")
    store.migrate()
    lost: list[int] = []

    def lose_the_first_reply() -> None:
        if not lost:
            lost.append(1)
            raise RuntimeError("the reply is lost after the commit")

    with ServerThread(store, hooks=IngestHooks(after_commit=lose_the_first_reply)) as srv:
        gate = prepare_gate(tmp_path / "g", 700, store, srv.url)
        out = push_gate(gate)
    assert out.converged() and out.retries >= 1  # the server may also close that connection
    assert (out.accepted, out.duplicate, out.failed) == (200, 500, 0)
    with store.tx() as tx:
        assert tx.one("SELECT count(DISTINCT event_id) AS d, count(*) AS n FROM events") == {
            "d": 700,
            "n": 700,
        }
    store.close()


def test_a_pushed_run_converges_and_measures_the_cpu_of_each_side(tmp_path):
    """PostgreSQL only, as the benchmark: 4 gates from 2 client processes."""
    with fresh_pg_schema() as url:
        r = ingest_http(url, tmp_path, gates=4, per_gate=500, rollups_on=True, clients=2)
    assert (r["converged"], r["lost"], r["duplicated"]) == (4, 0, 0)
    assert r["server_cpu"] > 0 and r["per_server_cpu_s"] > 0
    assert r["pg_us"] > 0 and r["pg_all_us"] > 0
    assert r["client_cpu"] > 0 and 0 < r["client_share"] < 1
    assert 0 < r["machine_busy"] <= 1 and r["load"] >= 0
    assert "4/4 converged, 0 retries, 0 lost, 0 duplicated" in ingest_row(r)
