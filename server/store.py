"""Server storage: SQLite in the data dir by default, PostgreSQL when DATABASE_URL is set.

Both speak the same SQL through `Store.tx()` (qmark placeholders; translated for psycopg).
Migrations (server/migrations.py) are named steps with one text per dialect, recorded in
schema_migrations.
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

from server.migrations import MIGRATIONS, migration_sql
from server.tx import Tx

SERVER_DB = "gatepost-server.db"
log = logging.getLogger(__name__)

# any fixed number: pg_advisory_xact_lock(MIGRATION_LOCK) makes one process migrate at a time
MIGRATION_LOCK = 0x6761_7465_706F_7374 & 0x7FFF_FFFF_FFFF_FFFF


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
        from server.fills import FILLS  # data steps: Python, after their migration's DDL

        for name, ddl in MIGRATIONS:
            with self.tx() as tx:
                self._lock_migrations(tx)
                if tx.one("SELECT name FROM schema_migrations WHERE name = ?", (name,)):
                    continue
                for stmt in migration_sql(ddl, self.dialect):
                    tx.execute(stmt)
                fill = FILLS.get(name)
                if fill is not None:
                    fill(tx)
                tx.execute(
                    "INSERT INTO schema_migrations(name, applied_utc) VALUES (?, ?)",
                    (name, utc_now()),
                )

    def _lock_migrations(self, tx: Tx) -> None:
        if self.dialect == "postgres":
            tx.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))

    def stream(
        self, sql: str, params: tuple[Any, ...] = (), size: int = 2000, tuples: bool = False
    ) -> Iterator[Any]:
        """Rows of one long read, fetched size at a time (memory flat in the row count), as
        dicts or (tuples=True) plain tuples; the base version reads inside one transaction."""
        with self.tx() as tx:
            for row in tx.execute(sql, params):
                yield tuple(row.values()) if tuples else row

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
        self, sql: str, params: tuple[Any, ...] = (), size: int = 2000, tuples: bool = False
    ) -> Iterator[Any]:
        """A long read on its own connection (WAL: ingest goes on meanwhile), size rows at a
        time."""
        if self._memory:
            yield from super().stream(sql, params, size, tuples)
            return
        # Starlette pulls each chunk of a streamed export on whichever worker thread of its
        # pool is free, and a connection stays on the thread that opened it: one reader
        # thread owns this read's connection and hands batches over a short queue (memory
        # stays flat); closing the generator stops it.
        batches: queue.Queue[Any] = queue.Queue(maxsize=2)
        stop = threading.Event()
        reader = threading.Thread(
            target=self._read_into,
            args=(sql, params, size, batches, stop),
            name="store-stream",
            daemon=True,
        )
        reader.start()
        try:
            while (item := batches.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                names, rows = item
                if tuples:
                    yield from rows
                    continue
                for row in rows:
                    yield dict(zip(names, row, strict=True))
        finally:
            stop.set()  # a reader waiting on a full queue sees it within 0.1 s
            reader.join(timeout=10)

    def _read_into(
        self,
        sql: str,
        params: tuple[Any, ...],
        size: int,
        batches: queue.Queue[Any],
        stop: threading.Event,
    ) -> None:
        """The reader thread of stream(): its own connection, batches into the queue until the
        rows end (None), an error (the exception) or the consumer stops."""

        def put(item: Any) -> bool:
            while not stop.is_set():
                try:
                    batches.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        conn = sqlite3.connect(self.path)
        try:
            cur = conn.execute(sql, params)
            names = [d[0] for d in cur.description]
            while rows := cur.fetchmany(size):
                if not put((names, rows)):
                    return
            put(None)
        except Exception as exc:  # handed to the consumer, which raises it
            put(exc)
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
        self, sql: str, params: tuple[Any, ...] = (), size: int = 2000, tuples: bool = False
    ) -> Iterator[Any]:
        """A server-side (named) cursor: PostgreSQL sends size rows at a time."""
        with self.tx() as tx:
            yield from tx.stream(sql, params, size, tuples)

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
