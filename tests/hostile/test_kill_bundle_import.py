"""kill -9 during USB bundle import (#13 item 5): a process importing bundles into the server
store is SIGKILLed at random moments; after every kill the store is consistent (each event
once and as the gate wrote it, the head the contiguous prefix, the gaps the missing ranges),
and finishing the import afterwards leaves every event exactly once, none lost, with a
re-import changing nothing.

GATEPOST_KILLS kills (`make test`: 100 on SQLite, 25 on PostgreSQL when one is reachable;
`make fuzz`: 1,000 on each), in rounds of ROUND on a store emptied between rounds, each
kill at a random moment of one full pass of imports.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import time
from pathlib import Path

import pytest

from app.database import open_database
from app.sync.ack import pin_box_key
from app.sync.bundle import export_bundle
from server import rollups
from server.acks import server_box_key
from server.bundles import import_bundle
from server.officer.queries import gaps
from server.store import Store, open_store
from tests.hostile.kill_import import import_forever
from tests.sync.conftest import (
    add_events,
    assert_server_holds_exactly,
    enrol_offline_gate,
    fresh_pg_schema,
)

KILLS = os.environ.get("GATEPOST_KILLS")
# make test: 100 kills on SQLite, 25 on PostgreSQL (its store is slower to open and check)
DEFAULT_KILLS = {"sqlite": 100, "postgres": 25}
ROUND = 5  # kills on one store before it is finished, checked whole and emptied
EVENTS = 3000

pytestmark = [pytest.mark.slow, pytest.mark.fuzz]


def _forkserver() -> multiprocessing.context.ForkServerContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.hostile.kill_import"])
    return ctx


def _bundles(store: Store, gate, folder: Path) -> list[Path]:
    """A plain weekly bundle from before the key was pinned, a sealed one after it, and a
    sealed `--all` one overlapping both: what a stick carries over a few weeks."""
    folder.mkdir()
    enrol_offline_gate(store, gate.conn)
    add_events(gate.conn, 1200)
    plain = export_bundle(gate.conn, folder)
    pin_box_key(gate.conn, server_box_key(store).public_key_hex, "2026-11-29T00:00:00Z")
    add_events(gate.conn, EVENTS - 1200)
    week2 = export_bundle(gate.conn, folder)
    everything = export_bundle(gate.conn, folder, everything=True)
    return [plain, week2, everything]


def _empty(store: Store) -> None:
    with store.tx() as tx:
        tx.execute("DELETE FROM events")
        tx.execute("DELETE FROM quarantine")
        tx.execute("UPDATE devices SET acked_seq = 0, max_seq = 0")
        for table in ("day_rollups", "voided", "gate_sync", "gate_gaps"):  # kept at ingest (#15)
            tx.execute(f"DELETE FROM {table}")


def _check_consistent(store: Store, device_id: str, written: dict[int, tuple]) -> int:
    """The store after a kill: every event held once and exactly as written; the head is
    the contiguous prefix; max_seq and the gaps the page shows agree. Returns events held."""
    with store.tx() as tx:
        held = tx.execute(
            "SELECT seq, event_id, prev_hash, hash FROM events WHERE device_id = ? ORDER BY seq",
            (device_id,),
        )
        quarantined = tx.one("SELECT count(*) AS n FROM quarantine")["n"]
        device = tx.one("SELECT acked_seq, max_seq FROM devices WHERE device_id = ?", (device_id,))
    seqs = [r["seq"] for r in held]
    assert quarantined == 0
    assert len(set(seqs)) == len(seqs) and len({r["event_id"] for r in held}) == len(held)
    for r in held:
        assert (r["seq"], r["event_id"], r["prev_hash"], r["hash"]) == written[r["seq"]]
    present = set(seqs)
    prefix = 0
    while prefix + 1 in present:
        prefix += 1
    assert device["acked_seq"] == prefix
    assert device["max_seq"] == max(seqs, default=0)
    missing, start = [], None
    for s in range(1, max(seqs, default=0) + 1):
        if s not in present and start is None:
            start = s
        if s in present and start is not None:
            missing.append((start, s - 1))
            start = None
    assert gaps(store, device_id, limit=EVENTS) == missing
    assert rollups.differences(store) == []  # the counts kept at ingest agree with the events
    return len(held)


def _one_pass_seconds(store: Store, paths: list[Path]) -> float:
    started = time.perf_counter()
    for p in paths:
        import_bundle(store, p)
    return time.perf_counter() - started


@pytest.fixture(params=["sqlite", "postgres"])
def target(request, tmp_path: Path):
    """(data dir, database URL or None, kills): SQLite in the data dir, or a fresh PostgreSQL
    schema (skipped when no server is reachable, as the other server tests are)."""
    kills = int(KILLS) if KILLS else DEFAULT_KILLS[request.param]
    if request.param == "sqlite":
        yield tmp_path / "srv", None, kills
        return
    with fresh_pg_schema() as url:
        yield tmp_path / "srv", url, kills


def test_kill_9_during_bundle_import(target, tmp_path):
    data_dir, url, wanted = target
    data_dir.mkdir()
    store = open_store(data_dir, url)
    gdb = open_database(tmp_path / "gate")
    try:
        paths = _bundles(store, gdb, tmp_path / "usb")
        device_id = gdb.device.device_id
        written = {
            r[0]: tuple(r)
            for r in gdb.conn.execute("SELECT seq, event_id, prev_hash, hash FROM outbox")
        }
        window = _one_pass_seconds(store, paths)  # the kills land anywhere in one pass
        _empty(store)
        store.close()
        ctx = _forkserver()
        rng = random.Random(13)
        kills = partial = 0
        started = time.perf_counter()
        while kills < wanted:
            for _ in range(min(ROUND, wanted - kills)):
                proc = ctx.Process(
                    target=import_forever,
                    args=(str(data_dir), url, [str(p) for p in paths], rng.randrange(1 << 30)),
                )
                proc.start()
                time.sleep(rng.uniform(0, window))
                assert proc.is_alive(), proc.exitcode  # it imports until it is killed
                proc.kill()
                proc.join(10)
                assert proc.exitcode == -9
                kills += 1
                store = open_store(data_dir, url)
                try:
                    held = _check_consistent(store, device_id, written)
                finally:
                    store.close()
                partial += 0 < held < EVENTS
            store = open_store(data_dir, url)
            try:  # finish the round: nothing lost, nothing twice, and again changes nothing
                for p in paths:
                    import_bundle(store, p)
                assert_server_holds_exactly(store, gdb)
                for p in paths:
                    assert import_bundle(store, p).counts()["accepted"] == 0
                assert _check_consistent(store, device_id, written) == EVENTS
                assert gaps(store, device_id) == []
                _empty(store)
            finally:
                store.close()
        elapsed = time.perf_counter() - started
        print(f"\n{kills} kills, {partial} mid-import, {elapsed:.1f} s, pass {window:.2f} s")
        assert partial >= kills // 10  # the kills really land inside imports
    finally:
        gdb.close()
