"""Open the gate database: check it, migrate it, make sure this device has an identity.

Start is fast (#12 item 5): only the file header and the schema version are checked, unless
the last run did not close cleanly (a marker file per process), when `quick_check` runs as
before. The full `integrity_check` and the outbox hash chain run in `check_health`, which the
window calls in the background. Damage found either way is **salvaged** (#13 item 3): every
readable row goes into a fresh file, the damaged one is kept aside, and what was lost is
reported (`db check` / `db salvage` on the command line call `check_health` / `salvage_database`).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from app.errors import KnownError, NewerDatabaseError
from app.ids import uuid7
from app.paths import database_path
from db import connection, migrations
from db import salvage as salvage_db

log = logging.getLogger(__name__)
HealthReport = salvage_db.Health
SalvageCancelled = salvage_db.SalvageCancelled
Progress = Callable[[int, int], None]
SIDECARS = ("-wal", "-shm")


@dataclass
class Device:
    device_id: str
    hash_key: bytes


@dataclass
class SalvageReport:
    """What a salvage kept and lost; `moved` is where the damaged file now lies."""

    moved: Path
    reason: str
    tables: dict[str, salvage_db.TableCopy] = field(default_factory=dict)
    outbox_lost_seqs: list[int] = field(default_factory=list)
    outbox_bad_seqs: list[int] = field(default_factory=list)

    @property
    def rows_lost(self) -> int:
        return sum(t.lost for t in self.tables.values())

    @property
    def rows_copied(self) -> int:
        return sum(t.copied for t in self.tables.values())

    @property
    def rows_quarantined(self) -> int:
        return sum(len(t.quarantined) for t in self.tables.values())

    def lost_tables(self) -> dict[str, int]:
        return {n: t.lost for n, t in self.tables.items() if t.lost or t.unreadable}

    def as_dict(self) -> dict[str, object]:
        return {
            "moved": str(self.moved),
            "reason": self.reason,
            "rows_copied": self.rows_copied,
            "rows_lost": self.rows_lost,
            "lost_by_table": self.lost_tables(),
            "rows_quarantined": {
                n: len(t.quarantined) for n, t in self.tables.items() if t.quarantined
            },
            "bad_text_rows": {n: t.bad_text for n, t in self.tables.items() if t.bad_text},
            "outbox_lost_seqs": seq_ranges(self.outbox_lost_seqs),
            "outbox_bad_seqs": seq_ranges(self.outbox_bad_seqs),
        }

    def message(self) -> KnownError:
        return KnownError(
            "db_salvaged",
            moved=str(self.moved),
            copied=self.rows_copied,
            lost=self.rows_lost,
            seqs=seq_ranges(self.outbox_lost_seqs + self.outbox_bad_seqs) or "-",
        )


def seq_ranges(seqs: list[int]) -> str:
    """[3, 4, 5, 9] → '3-5, 9' (what the volunteer reads to the officer)."""
    out: list[str] = []
    for s in sorted(set(seqs)):
        if out and s == int(out[-1].split("-")[-1]) + 1:
            out[-1] = f"{out[-1].split('-')[0]}-{s}"
        else:
            out.append(str(s))
    return ", ".join(out)


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


def _salvage_requested(path: Path) -> Path:
    return path.with_name(f".{path.name}.salvage-requested")


def start_problem(path: Path) -> str | None:
    """The start-up check: header always; quick_check only after an unclean shutdown or
    when a background check asked for a salvage. None when the file looks fine."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    problem = connection.header_problem(path)
    if problem is not None:
        return problem
    if _salvage_requested(path).exists():
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
    except salvage_db.READ_ERRORS as exc:  # damage the header check could not see
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
        _salvage_requested(Path(path)).touch()
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


def _aside_name(path: Path, now: datetime | None) -> Path:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    moved = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while moved.exists():
        n += 1
        moved = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    return moved


def _rename_with_sidecars(src: Path, dst: Path) -> None:
    src.rename(dst)
    for suffix in SIDECARS:
        side = src.with_name(src.name + suffix)
        if side.exists():
            side.rename(dst.with_name(dst.name + suffix))


def _copy_with_wal(src: Path, dst: Path) -> None:
    shutil.copyfile(src, dst)
    wal = src.with_name(src.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, dst.with_name(dst.name + "-wal"))


def _remove(*paths: Path) -> None:
    for path in paths:
        for suffix in ("", *SIDECARS):
            path.with_name(path.name + suffix).unlink(missing_ok=True)


def _work_files(path: Path) -> tuple[Path, Path]:
    scratch = path.with_name(f".{path.name}.salvage-src")
    fresh = path.with_name(f".{path.name}.salvage-new")
    _remove(scratch, fresh)
    return scratch, fresh


def _salvage_copy(
    moved: Path,
    scratch: Path,
    fresh: Path,
    report: SalvageReport,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
) -> None:
    """Rows of the kept damaged file (copied to scratch, header repaired) into fresh."""
    _copy_with_wal(moved, scratch)  # the kept file stays exactly as it was found
    salvage_db.repair_header(scratch)
    result = salvage_db.salvage(scratch, fresh, migrations.migrate, progress, cancelled)
    report.tables = result.tables
    report.outbox_lost_seqs = result.outbox_lost_seqs
    report.outbox_bad_seqs = result.outbox_bad_seqs


def salvage_in_place(
    path: Path,
    reason: str,
    now: datetime | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> SalvageReport:
    """Move the damaged file aside, copy every readable row into a fresh file at `path`,
    write `<moved>.report.json` and return what was lost. Cancelled (SalvageCancelled), the
    file goes back where it was and no half-built file is left."""
    moved = _aside_name(path, now)
    _rename_with_sidecars(path, moved)
    log.error("database %s damaged (%s); moved to %s, salvaging", path, reason, moved)
    scratch, fresh = _work_files(path)
    report = SalvageReport(moved, reason)
    try:
        _salvage_copy(moved, scratch, fresh, report, progress, cancelled)
        fresh.replace(path)
    except SalvageCancelled:
        _remove(fresh)
        _rename_with_sidecars(moved, path)
        raise
    except (OSError, sqlite3.Error) as exc:
        log.exception("salvage failed (%s); starting an empty database", exc)
        report.reason += f"; salvage failed: {exc}"
        _remove(fresh)
    finally:
        _remove(scratch)
    _finish_salvage(path, report)
    return report


def salvage_open(
    path: Path,
    now: datetime | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> SalvageReport:
    """Salvage the database a running gate has open (管理 → 抢救数据, in the background, on
    connections of its own): with the write lock held, the damaged file is copied aside and
    its readable rows into a fresh file, which then replaces the content of the open file
    page by page (SQLite's backup), so every open connection reads the salvaged data at once.
    Cancelled, or failing, nothing is changed and no half-built file is left."""
    path = Path(path)
    moved = _aside_name(path, now)
    scratch, fresh = _work_files(path)
    report = SalvageReport(moved, "salvage asked for by the officer")
    hold = sqlite3.connect(str(path), isolation_level=None, timeout=10)
    try:
        hold.execute("BEGIN IMMEDIATE")  # nobody writes while the copy is taken
        _copy_with_wal(path, moved)
        _salvage_copy(moved, scratch, fresh, report, progress, cancelled)
        hold.execute("ROLLBACK")
        salvaged = sqlite3.connect(str(fresh))
        try:
            salvaged.backup(hold)
        finally:
            salvaged.close()
    except BaseException as exc:
        if hold.in_transaction:
            hold.execute("ROLLBACK")
        _remove(moved)
        if isinstance(exc, sqlite3.Error | OSError):
            log.exception("salvage of the open database failed")
            raise KnownError("db_salvage_failed", detail=str(exc)) from None
        raise
    finally:
        hold.close()
        _remove(scratch, fresh)
    _finish_salvage(path, report)
    return report


def _finish_salvage(path: Path, report: SalvageReport) -> None:
    """Forget the request for a salvage; write the report (and rows set aside) by the kept file."""
    moved = report.moved
    _salvage_requested(path).unlink(missing_ok=True)
    try:
        moved.with_name(moved.name + ".report.json").write_text(
            json.dumps(report.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        if report.rows_quarantined:
            with open(
                moved.with_name(moved.name + ".quarantine.jsonl"), "w", encoding="utf-8"
            ) as fh:
                for table, copy in report.tables.items():
                    for row in copy.quarantined:
                        fh.write(
                            json.dumps({"table": table, "row": [_plain(v) for v in row]}) + "\n"
                        )
    except OSError:
        log.warning("could not write the salvage report next to %s", moved)
    log.error("salvage of %s: %s", path, report.as_dict())


def _plain(value: object) -> object:
    """A value as JSON can hold it (blobs as hex)."""
    return value.hex() if isinstance(value, bytes) else value


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
