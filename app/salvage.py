"""Salvage a damaged gate database (#13 item 3): the damaged file is kept aside exactly as it
was found, every readable row goes into a fresh file with the current schema (db/salvage.py),
and what was lost is reported. `salvage_in_place` for a closed file (the start, `db salvage`),
`salvage_open` for the file a running gate has open (管理 → 抢救, in the background).
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.errors import KnownError
from db import migrations, repair
from db import salvage as salvage_db

log = logging.getLogger(__name__)
SalvageCancelled = salvage_db.SalvageCancelled
Progress = Callable[[int, int], None]
SIDECARS = ("-wal", "-shm")


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


def salvage_requested(path: Path) -> Path:
    """The marker a background check leaves so that the next start salvages."""
    return path.with_name(f".{path.name}.salvage-requested")


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
    repair.repair_header(scratch)
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
    salvage_requested(path).unlink(missing_ok=True)
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
