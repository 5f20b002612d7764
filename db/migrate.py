"""The migrations runner: named steps applied in order, each with its record in one
transaction, and a database written by a newer Gatepost refused (db/migrations.py has the
steps). The record table and set are the ones sqlite-utils used before #11."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from db.connection import transaction

Step = tuple[str, Callable[[sqlite3.Connection], None]]

MIGRATION_SET = "gatepost"
TABLE = "_sqlite_migrations"  # the name and columns sqlite-utils gave it: old files keep working


class NewerDatabase(Exception):
    def __init__(self, found: int, known: int) -> None:
        super().__init__(f"database schema {found} is newer than this build's {known}")
        self.found = found
        self.known = known


def known_names(steps: Sequence[Step]) -> list[str]:
    return [name for name, _ in steps]


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Each statement through execute(): executescript() would COMMIT the open transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement.strip()[:60]}")


def append_only(conn: sqlite3.Connection, table: str) -> None:
    """A trigger that refuses UPDATE: the table keeps every record as written."""
    conn.execute(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: write a new record'); END"
    )


def _ensure_table(conn: sqlite3.Connection) -> None:
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} "
        "(id INTEGER PRIMARY KEY, migration_set TEXT, name TEXT, applied_at TEXT)"
    )
    conn.execute(
        f"CREATE UNIQUE INDEX IF NOT EXISTS idx_{TABLE}_migration_set_name "
        f"ON {TABLE}(migration_set, name)"
    )


def applied_names(conn: sqlite3.Connection) -> list[str]:
    """The steps this database ran, in the order it ran them."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)
    ).fetchone()
    if not exists:
        return []
    rows = conn.execute(
        f"SELECT name FROM {TABLE} WHERE migration_set = ? ORDER BY rowid", (MIGRATION_SET,)
    ).fetchall()
    return [row[0] for row in rows]


def run(conn: sqlite3.Connection, steps: Sequence[Step]) -> int:
    """Apply pending steps; raise NewerDatabase when the file knows steps we do not."""
    known = known_names(steps)
    applied = applied_names(conn)
    unknown = [name for name in applied if name not in known]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if unknown or version > len(known):
        raise NewerDatabase(max(version, len(applied)), len(known))
    done = set(applied)
    with transaction(conn):
        _ensure_table(conn)
    for name, step in steps:
        if name in done:
            continue
        with transaction(conn):
            step(conn)
            conn.execute(
                f"INSERT INTO {TABLE}(migration_set, name, applied_at) VALUES (?, ?, ?)",
                (MIGRATION_SET, name, str(datetime.now(UTC))),
            )
    conn.execute(f"PRAGMA user_version = {len(known)}")
    return len(known)
