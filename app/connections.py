"""A connection per thread (#12): work handed to another thread gets the database path and
opens its own connection there; no connection is shared between threads."""

from __future__ import annotations

from app.database import GateDatabase
from app.errors import KnownError
from db.connection import connect


def thread_database(gdb: GateDatabase) -> GateDatabase:
    """The same database on a new connection, for the calling thread (close it there)."""
    if str(gdb.path) == ":memory:":  # a second connection would see an empty database
        raise KnownError("db_memory_no_threads")
    return GateDatabase(connect(gdb.path), gdb.path, gdb.device, gdb.moved_aside)
