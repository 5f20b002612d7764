"""Server storage: SQLite in the data dir by default, PostgreSQL when DATABASE_URL is set.

Both speak the same SQL through `Store.tx()` (qmark placeholders; translated for psycopg).
Migrations are named steps with one text per dialect, recorded in schema_migrations.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SERVER_DB = "gatepost-server.db"
log = logging.getLogger(__name__)

# The SQL that differs between the dialects, in one table; every migration below is written
# once with these names in braces and formatted for the store's dialect.
DIALECT_SQL: dict[str, dict[str, str]] = {
    "sqlite": {"bigint": "INTEGER", "serial_pk": "INTEGER PRIMARY KEY AUTOINCREMENT"},
    "postgres": {"bigint": "BIGINT", "serial_pk": "BIGSERIAL PRIMARY KEY"},
}

# (name, DDL): named steps in run order; append new steps at the end only (names are stored)
MIGRATIONS: list[tuple[str, str]] = [
    (
        "s001_sync_core",
        """
        CREATE TABLE devices (
            device_id TEXT PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            public_key TEXT NOT NULL,
            key_id TEXT NOT NULL,
            token_hash TEXT,
            revoked INTEGER NOT NULL DEFAULT 0,
            enrolled_via TEXT NOT NULL,
            enrolled_utc TEXT NOT NULL,
            last_sync_utc TEXT,
            acked_seq {bigint} NOT NULL DEFAULT 0,
            max_seq {bigint} NOT NULL DEFAULT 0
        );
        CREATE TABLE events (
            event_id TEXT PRIMARY KEY,
            device_id TEXT NOT NULL,
            seq {bigint} NOT NULL,
            kind TEXT NOT NULL,
            body TEXT NOT NULL,
            created_utc TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            local_date TEXT,
            received_utc TEXT NOT NULL,
            UNIQUE (device_id, seq)
        );
        CREATE INDEX events_by_date ON events(local_date, device_id);
        CREATE TABLE quarantine (
            id {serial_pk},
            device_id TEXT NOT NULL,
            seq {bigint} NOT NULL,
            event_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            body TEXT NOT NULL,
            created_utc TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            reason TEXT NOT NULL,
            received_utc TEXT NOT NULL,
            UNIQUE (device_id, seq, hash)
        );
        CREATE TABLE enrol_codes (
            code_hash TEXT PRIMARY KEY,
            created_utc TEXT NOT NULL,
            expires_utc TEXT NOT NULL,
            used_utc TEXT,
            device_id TEXT
        );
        CREATE TABLE officers (
            username TEXT PRIMARY KEY,
            password_hash TEXT NOT NULL,
            created_utc TEXT NOT NULL
        );
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            username TEXT NOT NULL,
            expires_utc TEXT NOT NULL
        )
        """,
    ),
    (
        "s002_sync_server_key",
        # the server's own Ed25519 key: it signs the acks carried back to never-online gates
        """
        CREATE TABLE server_key (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            private_key TEXT NOT NULL,
            public_key TEXT NOT NULL,
            key_id TEXT NOT NULL,
            created_utc TEXT NOT NULL
        )
        """,
    ),
    (
        "s003_officer_audit",
        # logins (good, wrong, locked out) and every officer action; the lockout is replayed
        # from it, so a restart does not reset it
        """
        CREATE TABLE officer_audit (
            id {serial_pk},
            at_utc TEXT NOT NULL,
            username TEXT NOT NULL,
            address TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX officer_audit_by_action ON officer_audit(action, username, at_utc);
        CREATE INDEX officer_audit_by_address ON officer_audit(action, address, at_utc)
        """,
    ),
]


def migration_sql(ddl: str, dialect: str) -> list[str]:
    """One migration's statements for a dialect."""
    text = ddl.format(**DIALECT_SQL[dialect])
    return [stmt.strip() for stmt in text.split(";") if stmt.strip()]


# any fixed number: pg_advisory_xact_lock(MIGRATION_LOCK) makes one process migrate at a time
MIGRATION_LOCK = 0x6761_7465_706F_7374 & 0x7FFF_FFFF_FFFF_FFFF


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Tx:
    """One transaction's cursor: execute(sql with ?, params) -> list of dict rows; rowcount."""

    def __init__(self, cur: Any, dialect: str) -> None:
        self._cur = cur
        self.dialect = dialect
        self.rowcount = 0

    def execute(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[dict[str, Any]]:
        if self.dialect == "postgres":
            sql = sql.replace("?", "%s")
        self._cur.execute(sql, tuple(params))
        self.rowcount = self._cur.rowcount
        if self._cur.description is None:
            return []
        names = [d[0] for d in self._cur.description]
        return [dict(zip(names, row, strict=True)) for row in self._cur.fetchall()]

    def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if self.dialect == "postgres":
            sql = sql.replace("?", "%s")
        self._cur.executemany(sql, rows)

    def one(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> dict[str, Any] | None:
        rows = self.execute(sql, params)
        return rows[0] if rows else None


class Store:
    dialect = "sqlite"

    @contextlib.contextmanager
    def tx(self) -> Iterator[Tx]:  # pragma: no cover - interface
        raise NotImplementedError
        yield

    def migrate(self) -> None:
        """Apply the steps not yet recorded, each in its own transaction. On PostgreSQL each
        transaction first takes an advisory lock, so processes started together on an empty
        database wait for one another instead of racing to create the same tables."""
        with self.tx() as tx:
            self._lock_migrations(tx)
            tx.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(name TEXT PRIMARY KEY, applied_utc TEXT NOT NULL)"
            )
        for name, ddl in MIGRATIONS:
            with self.tx() as tx:
                self._lock_migrations(tx)
                if tx.one("SELECT name FROM schema_migrations WHERE name = ?", (name,)):
                    continue
                for stmt in migration_sql(ddl, self.dialect):
                    tx.execute(stmt)
                tx.execute(
                    "INSERT INTO schema_migrations(name, applied_utc) VALUES (?, ?)",
                    (name, utc_now()),
                )

    def _lock_migrations(self, tx: Tx) -> None:
        if self.dialect == "postgres":
            tx.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))

    def stream(
        self, sql: str, params: tuple[Any, ...] = (), size: int = 2000
    ) -> Iterator[dict[str, Any]]:
        """Rows of one long read, fetched size at a time (memory flat in the row count);
        the base version reads inside one transaction."""
        with self.tx() as tx:
            yield from tx.execute(sql, params)

    def close(self) -> None:
        pass


def _tighten(path: Path, mode: int) -> None:
    """chmod to mode when group or others have any access and the file is ours."""
    try:
        st = path.stat()
        if st.st_mode & 0o077 and st.st_uid == os.getuid():
            os.chmod(path, mode)
        elif st.st_mode & 0o077:
            log.warning("%s is readable by others and not ours to tighten", path)
    except FileNotFoundError:
        pass


def private_file(path: Path) -> None:
    """The database holds officers' password hashes and the server's signing key: its folder
    is 0700 and the file (with its -wal and -shm, which SQLite creates with the file's mode)
    0600, created so and tightened at start when looser."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    _tighten(path.parent, 0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        _tighten(p, 0o600)


class SqliteStore(Store):
    """A connection per thread (the HTTP server answers each request on its own thread; a
    sqlite3 connection never crosses threads), one writer at a time (a lock), WAL and
    synchronous=FULL. `:memory:` is one shared in-memory database that every thread's
    connection sees, kept alive by the opening thread's connection."""

    dialect = "sqlite"

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._memory = self.path == ":memory:"
        if self._memory:
            self._target = f"file:gatepost-server-{id(self)}?mode=memory&cache=shared"
        else:
            private_file(Path(self.path))
            self._target = self.path
        self._local = threading.local()
        self._lock = threading.RLock()
        self._closed = False
        self._owner = self._connection()  # makes the file WAL now; holds a memory db open

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self._target, isolation_level=None, uri=self._memory)
        conn.execute("PRAGMA busy_timeout = 10000")
        if not self._memory:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        return conn

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use; it closes when the thread ends."""
        if self._closed:
            raise sqlite3.ProgrammingError("the store is closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._open()
        return conn

    @contextlib.contextmanager
    def tx(self) -> Iterator[Tx]:
        with self._lock:
            conn = self._connection()
            cur = conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(cur, "sqlite")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
            finally:
                cur.close()

    def stream(
        self, sql: str, params: tuple[Any, ...] = (), size: int = 2000
    ) -> Iterator[dict[str, Any]]:
        """A long read on its own connection (WAL: ingest goes on meanwhile), size rows at a
        time."""
        if self._memory:
            yield from super().stream(sql, params, size)
            return
        conn = sqlite3.connect(self.path)
        try:
            cur = conn.execute(sql, params)
            names = [d[0] for d in cur.description]
            while rows := cur.fetchmany(size):
                for row in rows:
                    yield dict(zip(names, row, strict=True))
        finally:
            conn.close()

    def close(self) -> None:
        """Closes this thread's connection and the opening thread's; any other thread's
        connection closes when that thread ends (sqlite3 refuses a close from elsewhere)."""
        self._closed = True
        mine = getattr(self._local, "conn", None)
        if mine is not None:
            mine.close()
            self._local.conn = None
        if self._owner is not mine:
            with contextlib.suppress(sqlite3.ProgrammingError):
                self._owner.close()


class PostgresStore(Store):
    """psycopg 3 with a small pool; each tx() is one transaction committed on exit."""

    dialect = "postgres"

    def __init__(self, url: str, size: int = 8) -> None:
        import psycopg

        self.url = url
        self._psycopg = psycopg
        self._pool: queue.LifoQueue[Any] = queue.LifoQueue()
        self._size = size
        self._made = 0
        self._lock = threading.Lock()
        self._pool.put(psycopg.connect(url))
        self._made = 1

    def _get(self) -> Any:
        try:
            return self._pool.get_nowait()
        except queue.Empty:
            with self._lock:
                if self._made < self._size:
                    self._made += 1
                    return self._psycopg.connect(self.url)
            return self._pool.get(timeout=60)

    @contextlib.contextmanager
    def _borrowed(self) -> Iterator[Any]:
        """A pooled connection; one the server broke (or closed) is dropped, not put back."""
        conn = self._get()
        broken = False
        try:
            yield conn
        except self._psycopg.OperationalError:
            broken = True
            raise
        finally:
            if broken or conn.closed:
                conn.close()
                with self._lock:
                    self._made -= 1
            else:
                self._pool.put(conn)

    @contextlib.contextmanager
    def tx(self) -> Iterator[Tx]:
        with self._borrowed() as conn, conn.transaction(), conn.cursor() as cur:
            yield Tx(cur, "postgres")

    def stream(
        self, sql: str, params: tuple[Any, ...] = (), size: int = 2000
    ) -> Iterator[dict[str, Any]]:
        """A server-side (named) cursor: PostgreSQL sends size rows at a time."""
        with (
            self._borrowed() as conn,
            conn.transaction(),
            conn.cursor(name=f"gp_stream_{id(conn)}") as cur,
        ):
            cur.itersize = size
            cur.execute(sql.replace("?", "%s"), params)
            names: list[str] | None = None
            for row in cur:
                if names is None:
                    names = [d[0] for d in cur.description]
                yield dict(zip(names, row, strict=True))

    def close(self) -> None:
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                break


def open_store(data_dir: Path | None, database_url: str | None = None) -> Store:
    """PostgreSQL when a URL is given (DATABASE_URL), else SQLite in the data dir."""
    if database_url:
        store: Store = PostgresStore(database_url)
    else:
        assert data_dir is not None
        store = SqliteStore(Path(data_dir) / SERVER_DB)
    store.migrate()
    return store
