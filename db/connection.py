"""Open the gate's SQLite file durably: WAL, synchronous=FULL, foreign keys, checked at start."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)


def configure(conn: sqlite3.Connection) -> None:
    """The gate's pragmas (WAL, synchronous=FULL); the power-loss test runs them on apsw."""
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA foreign_keys = ON")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal" and conn.execute("PRAGMA database_list").fetchone()[2]:
        log.warning("journal_mode is %s, not WAL", mode)
    conn.execute("PRAGMA synchronous = FULL")


def lenient_text(data: bytes) -> str:
    """text_factory for every connection: a byte damaged on disk is shown as U+FFFD and logged,
    so one bad row never stops an export or a bundle (#13 item 10)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        log.warning("undecodable text in the database: %r… replaced", data[:40])
        return data.decode("utf-8", "replace")


def connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode; write through `transaction()` only."""
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.text_factory = lenient_text
        conn.execute("PRAGMA busy_timeout = 5000")
        return conn
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.text_factory = lenient_text
    configure(conn)
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


SQLITE_MAGIC = b"SQLite format 3\x00"


def header_problem(path: Path) -> str | None:
    """What is wrong with the file's 100-byte header, if anything: the fast check at start
    (the full checks run in the background, or at start after an unclean shutdown)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
        size = path.stat().st_size
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        return "not an SQLite file"
    page = int.from_bytes(head[16:18], "big")
    page = 65536 if page == 1 else page
    if page < 512 or page > 65536 or page & (page - 1):
        return f"bad page size {page}"
    if head[21:24] != bytes((64, 32, 32)):
        return "bad payload fractions"
    if size % page:
        return f"size {size} is not a whole number of {page}-byte pages"
    return None


def _marker_prefix(path: Path) -> str:
    return f".{path.name}.open-"


def mark_open(path: Path) -> Path:
    """A marker that this process has the database open; removed by a clean close."""
    marker = path.with_name(f"{_marker_prefix(path)}{os.getpid()}")
    marker.touch()
    return marker


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def stale_markers(path: Path) -> list[Path]:
    """Markers left by processes that are gone: the last run did not close cleanly."""
    found = []
    for marker in path.parent.glob(f"{_marker_prefix(path)}*"):
        pid = marker.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or not _alive(int(pid)):
            found.append(marker)
    return found


def live_markers(path: Path) -> list[Path]:
    """Markers of other processes that have the database open now."""
    mine = os.getpid()
    return [
        m
        for m in path.parent.glob(f"{_marker_prefix(path)}*")
        if m not in stale_markers(path) and not m.name.endswith(f"-{mine}")
    ]
