"""Open the gate's SQLite file durably: WAL, synchronous=FULL, foreign keys, checked at start."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)


def _configure(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA foreign_keys = ON")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal" and conn.execute("PRAGMA database_list").fetchone()[2]:
        log.warning("journal_mode is %s, not WAL", mode)
    conn.execute("PRAGMA synchronous = FULL")


def connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode; write through `transaction()` only."""
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 5000")
        return conn
    conn = sqlite3.connect(str(path), isolation_level=None)
    _configure(conn)
    return conn


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT; any exception rolls everything back."""
    if conn.in_transaction:
        # nested use joins the outer transaction through a savepoint
        conn.execute("SAVEPOINT nested")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK TO SAVEPOINT nested")
            conn.execute("RELEASE SAVEPOINT nested")
            raise
        conn.execute("RELEASE SAVEPOINT nested")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


@dataclass
class OpenResult:
    conn: sqlite3.Connection
    path: Path
    moved_aside: Path | None  # where a damaged file went, if it was damaged


def _is_healthy(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("PRAGMA quick_check").fetchone()
            return row is not None and row[0] == "ok"
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False


def open_checked(path: Path, now: datetime | None = None) -> OpenResult:
    """Open the database; a damaged file is moved aside with a timestamp and a new one started."""
    moved: Path | None = None
    if path.exists() and path.stat().st_size > 0 and not _is_healthy(path):
        stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
        moved = path.with_name(f"{path.name}.damaged-{stamp}")
        path.rename(moved)
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                side.rename(moved.with_name(moved.name + suffix))
        log.error("database %s failed quick_check; moved to %s", path, moved)
    return OpenResult(connect(path), path, moved)
