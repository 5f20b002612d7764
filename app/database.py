"""Open the gate database: check it, migrate it, make sure this device has an identity."""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.errors import KnownError, NewerDatabaseError
from app.ids import uuid7
from app.paths import database_path
from db import connection, migrations


@dataclass
class Device:
    device_id: str
    hash_key: bytes


@dataclass
class GateDatabase:
    conn: sqlite3.Connection
    path: Path
    device: Device
    moved_aside: Path | None = None

    def close(self) -> None:
        self.conn.close()

    def warning(self) -> KnownError | None:
        """What the volunteer must be told about opening, if anything."""
        if self.moved_aside is not None:
            return KnownError("db_damaged", moved=str(self.moved_aside))
        return None


def _ensure_device(conn: sqlite3.Connection) -> Device:
    row = conn.execute("SELECT device_id, hash_key FROM device WHERE id = 1").fetchone()
    if row is None:
        with connection.transaction(conn):
            conn.execute(
                "INSERT OR IGNORE INTO device(id, device_id, hash_key, created_utc) "
                "VALUES (1, ?, ?, ?)",
                (uuid7(), secrets.token_hex(32), datetime.now(UTC).isoformat()),
            )
        row = conn.execute("SELECT device_id, hash_key FROM device WHERE id = 1").fetchone()
    return Device(row["device_id"], bytes.fromhex(row["hash_key"]))


def open_database(data_dir: Path) -> GateDatabase:
    """Open (or create) the database in data_dir; refuse one from a newer Gatepost."""
    path = database_path(data_dir)
    result = connection.open_checked(path)
    try:
        migrations.migrate(result.conn)
    except migrations.NewerDatabase as exc:
        result.conn.close()
        raise NewerDatabaseError("db_newer", found=exc.found, known=exc.known) from None
    device = _ensure_device(result.conn)
    return GateDatabase(result.conn, path, device, result.moved_aside)


def open_memory() -> GateDatabase:
    """An in-memory database with the full schema, for tests and dry runs."""
    conn = connection.connect(":memory:")
    migrations.migrate(conn)
    return GateDatabase(conn, Path(":memory:"), _ensure_device(conn))
