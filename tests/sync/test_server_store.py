"""The server's store (#11, #13, #15): one schema for both dialects, a private database file,
and migrations that several processes can start at once."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from server.migrations import DIALECT_SQL, MIGRATIONS, migration_sql
from server.store import SqliteStore

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = {
    "devices": "device_id name public_key key_id token_hash revoked enrolled_via enrolled_utc "
    "last_sync_utc acked_seq max_seq",
    "events": "event_id device_id seq kind body created_utc prev_hash hash local_date received_utc",
    "quarantine": "id device_id seq event_id kind body created_utc prev_hash hash reason "
    "received_utc",
    "enrol_codes": "code_hash created_utc expires_utc used_utc device_id",
    "officers": "username password_hash created_utc",
    "sessions": "token_hash username expires_utc",
    "server_key": "id private_key public_key key_id created_utc",
}


def test_migration_names_are_frozen_in_run_order():
    assert [name for name, _ in MIGRATIONS][:2] == ["s001_sync_core", "s002_sync_server_key"]


def test_one_definition_the_dialects_differ_only_in_the_small_table():
    for _, ddl in MIGRATIONS:
        lite, pg = migration_sql(ddl, "sqlite"), migration_sql(ddl, "postgres")
        assert len(lite) == len(pg)
        for a, b in zip(lite, pg, strict=True):
            for word, lite_word in DIALECT_SQL["sqlite"].items():
                b = b.replace(DIALECT_SQL["postgres"][word], lite_word)
            assert a == b


def _columns(store, table: str) -> list[str]:
    with store.tx() as tx:
        if store.dialect == "sqlite":
            return [r["name"] for r in tx.execute(f"PRAGMA table_info({table})")]
        rows = tx.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "AND table_schema = current_schema() ORDER BY ordinal_position",
            (table,),
        )
        return [r["column_name"] for r in rows]


def test_both_dialects_get_the_same_tables_and_columns(store):
    for table, cols in COLUMNS.items():
        assert _columns(store, table)[: len(cols.split())] == cols.split(), table


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_is_0600_in_a_0700_folder(tmp_path):
    folder = tmp_path / "srv"
    s = SqliteStore(folder / "gatepost-server.db")
    s.migrate()
    try:
        assert _mode(folder) == 0o700
        for name in ("gatepost-server.db", "gatepost-server.db-wal"):
            assert _mode(folder / name) == 0o600, name
    finally:
        s.close()


def test_a_looser_database_is_tightened_at_start(tmp_path):
    folder = tmp_path / "srv"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    s = SqliteStore(folder / "gatepost-server.db")
    s.migrate()
    s.close()
    for name in ("gatepost-server.db", "gatepost-server.db-wal"):
        if (folder / name).exists():
            os.chmod(folder / name, 0o644)
    SqliteStore(folder / "gatepost-server.db").close()
    assert _mode(folder) == 0o700
    assert _mode(folder / "gatepost-server.db") == 0o600


MIGRATOR = """
import sys
from server.store import PostgresStore
s = PostgresStore(sys.argv[1])
s.migrate()
with s.tx() as tx:
    print(tx.one("SELECT count(*) AS n FROM schema_migrations")["n"])
s.close()
"""


@pytest.mark.slow
def test_four_processes_migrate_an_empty_postgres_database_at_once():
    from tests.sync.conftest import fresh_pg_schema

    with fresh_pg_schema() as target:
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", MIGRATOR, target],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        results = [p.communicate(timeout=60) for p in procs]
        assert [p.returncode for p in procs] == [0] * 4, [err for _, err in results]
        assert {out.strip() for out, _ in results} == {str(len(MIGRATIONS))}


def test_each_thread_uses_its_own_sqlite_connection_and_sees_the_others_writes(tmp_path):
    """#12: no connection crosses threads (the HTTP server answers on a thread per request)."""
    import threading

    store = SqliteStore(tmp_path / "server.db")
    store.migrate()
    seen: dict[str, object] = {}

    def write(name: str) -> None:
        with store.tx() as tx:
            tx.execute(
                "INSERT INTO officers (username, password_hash, created_utc) VALUES (?, ?, ?)",
                (name, "x", "2026-01-01T00:00:00Z"),
            )
        seen[name] = store._local.conn

    threads = [threading.Thread(target=write, args=(f"officer{i}",)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    with store.tx() as tx:
        names = {r["username"] for r in tx.execute("SELECT username FROM officers")}
    assert names == {f"officer{i}" for i in range(4)}
    conns = list(seen.values()) + [store._local.conn]
    assert len({id(c) for c in conns}) == 5  # four threads and this one: five connections
    store.close()


def test_a_memory_store_is_one_database_for_every_thread():
    import threading

    store = SqliteStore(":memory:")
    store.migrate()

    def write() -> None:
        with store.tx() as tx:
            tx.execute(
                "INSERT INTO officers (username, password_hash, created_utc) VALUES (?, ?, ?)",
                ("a", "x", "2026-01-01T00:00:00Z"),
            )

    other = threading.Thread(target=write)
    other.start()
    other.join()
    with store.tx() as tx:
        assert [r["username"] for r in tx.execute("SELECT username FROM officers")] == ["a"]
    store.close()


def test_a_stream_closed_early_leaves_the_store_usable(store):
    """A browser that goes away mid-export closes the stream: the query is cancelled (not read
    to the end into memory) and the connection serves the next request."""
    with store.tx() as tx:
        tx.executemany(
            "INSERT INTO events(event_id, device_id, seq, kind, body, created_utc, prev_hash, "
            "hash, local_date, received_utc) VALUES (?, 'g1', ?, 'passage', '{}', 't', 'p', "
            "'h', '2026-11-29', 't')",
            [(f"e{i}", i) for i in range(1, 5001)],
        )
    for _ in range(3):  # more times than a pool hands out the same connection
        rows = store.stream("SELECT seq FROM events ORDER BY seq", size=100, tuples=True)
        assert [next(rows) for _ in range(3)] == [(1,), (2,), (3,)]
        rows.close()
        with store.tx() as tx:
            assert tx.one("SELECT count(*) AS n FROM events")["n"] == 5000
    dicts = list(store.stream("SELECT seq, device_id FROM events WHERE seq <= 2 ORDER BY seq"))
    assert dicts == [{"seq": 1, "device_id": "g1"}, {"seq": 2, "device_id": "g1"}]
