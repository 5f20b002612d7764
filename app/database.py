"""Open the gate database: check it, migrate it, make sure this device has an identity.

Start is fast (#12 item 5): only the file header and the schema version are checked, unless
the last run did not close cleanly (a marker file per process), when `quick_check` runs as
before. The full `integrity_check` and the outbox hash chain run in `check_health`, which the
window calls in the background. Damage found either way is **salvaged** (#13 item 3, in
app/salvage.py): every readable row goes into a fresh file, the damaged one is kept aside, and
what was lost is reported (`db check` / `db salvage` call `check_database` / `salvage_database`).
"""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.errors import KnownError, NewerDatabaseError
from app.ids import uuid7
from app.paths import database_path
from app.salvage import (
    SIDECARS,
    Progress,
    SalvageReport,
    salvage_in_place,
    salvage_requested,
    seq_ranges,
)
from db import connection, migrations, repair
from db import salvage as salvage_db

log = logging.getLogger(__name__)
HealthReport = salvage_db.Health


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
    salvage: SalvageReport | None = None
    marker: Path | None = None

    def close(self) -> None:
        self.conn.close()
        if self.marker is not None:
            self.marker.unlink(missing_ok=True)  # a clean close: no quick_check next start
            self.marker = None

    def warning(self) -> KnownError | None:
        """What the volunteer must be told about opening, if anything."""
        if self.salvage is not None:
            return self.salvage.message()
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


def start_problem(path: Path) -> str | None:
    """The start-up check: header always; quick_check only after an unclean shutdown or
    when a background check asked for a salvage. None when the file looks fine."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    problem = connection.header_problem(path)
    if problem is not None:
        return problem
    if salvage_requested(path).exists():
        return "a background integrity_check found damage"
    if connection.stale_markers(path):
        log.warning("%s was not closed cleanly: running quick_check", path)
        health = salvage_db.check(path, full=False)
        if health.problems:
            return "; ".join(health.problems[:3])
    return None


def make_private(data_dir: Path, path: Path) -> None:
    """The data dir 0700 and the database (+ -wal, -shm) 0600: it holds the pass-signing key
    and the PIN hash (#13 item 4). Created so, and tightened at start when looser."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    _tighten(data_dir, 0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # SQLite copies the mode
    for suffix in ("", *SIDECARS):  # to -wal and -shm when it creates them
        side = path.with_name(path.name + suffix)
        if side.exists():
            _tighten(side, 0o600)


def _tighten(path: Path, allowed: int) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & ~allowed:
            path.chmod(mode & allowed)
            log.warning("%s was mode %o; now %o", path, mode, mode & allowed)
    except OSError as exc:
        log.warning("could not make %s private: %s", path, exc)


def open_database(data_dir: Path, now: datetime | None = None) -> GateDatabase:
    """Open (or create) the database in data_dir; refuse one from a newer Gatepost; salvage
    a damaged one into a fresh file."""
    data_dir = Path(data_dir)
    path = database_path(data_dir)
    make_private(data_dir, path)
    report: SalvageReport | None = None
    problem = start_problem(path)
    if problem is not None:
        report = salvage_in_place(path, problem, now)
    for marker in connection.stale_markers(path):
        marker.unlink(missing_ok=True)
    make_private(data_dir, path)  # a salvaged file is new
    try:
        conn = _connect_migrated(path)
    except migrations.NewerDatabase as exc:
        raise NewerDatabaseError("db_newer", found=exc.found, known=exc.known) from None
    except repair.READ_ERRORS as exc:  # damage the header check could not see
        if report is not None:
            raise
        report = salvage_in_place(path, str(exc), now)
        conn = _connect_migrated(path)
    device = _ensure_device(conn)
    marker = connection.mark_open(path)
    moved = report.moved if report is not None else None
    return GateDatabase(conn, path, device, moved, report, marker)


def _connect_migrated(path: Path) -> sqlite3.Connection:
    conn = connection.connect(path)
    try:
        migrations.migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def open_memory() -> GateDatabase:
    """An in-memory database with the full schema, for tests and dry runs."""
    conn = connection.connect(":memory:")
    migrations.migrate(conn)
    return GateDatabase(conn, Path(":memory:"), _ensure_device(conn))


# ----------------------------------------------------------------- health and salvage
def check_health(path: Path, *, full: bool = True) -> HealthReport:
    """integrity_check (full) or quick_check plus the outbox hash chain, on its own read-only
    connection: safe to call from a background thread while the gate records. When SQLite
    finds damage, the next start salvages the file (a marker asks for it)."""
    report = salvage_db.check(Path(path), full=full)
    if report.problems:
        log.error("database check of %s failed: %s", path, report.problems[:5])
        salvage_requested(Path(path)).touch()
    if report.outbox_bad_seqs:
        log.error("outbox bodies off the hash chain: %s", seq_ranges(report.outbox_bad_seqs))
    return report


def health_warning(report: HealthReport) -> KnownError | None:
    """The message for the volunteer after a background check, if any."""
    if report.problems:
        return KnownError("db_check_damaged", problems=len(report.problems))
    if report.outbox_bad_seqs:
        return KnownError("db_check_chain", seqs=seq_ranges(report.outbox_bad_seqs))
    return None


def salvage_database(
    data_dir: Path,
    now: datetime | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> SalvageReport:
    """`db salvage`: salvage the data dir's database by hand (the gate must be closed)."""
    path = database_path(data_dir)
    if not path.exists():
        raise KnownError("import_missing", path=str(path))
    if connection.live_markers(path):
        raise KnownError("db_in_use")
    return salvage_in_place(path, "salvage asked for by hand", now, progress, cancelled)


def check_database(data_dir: Path, *, full: bool = True) -> HealthReport:
    """`db check`: the check of the data dir's database (full: integrity_check)."""
    path = database_path(data_dir)
    if not path.exists():
        raise KnownError("import_missing", path=str(path))
    return check_health(path, full=full)
