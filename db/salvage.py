"""Find damage in the gate's SQLite file and copy every readable row out of a damaged one.

`check(path)` runs `integrity_check` (or `quick_check`) on its own read-only connection and
recomputes the outbox hash chain, so a body changed on disk is found too. `salvage(src,
dst)` builds a fresh file with the current schema and copies table by table, rowid by
rowid around unreadable pages; text that is no longer UTF-8 is kept with U+FFFD and counted.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from db import outbox
from db.repair import READ_ERRORS, repair_schema

log = logging.getLogger(__name__)
SKIP_TABLES = ("_sqlite_migrations",)  # the fresh file records its own migrations
MAX_PROBLEMS = 50
_PROBE_LIMIT = 200_000  # rowids probed one by one past a damaged page before giving up
_MAX_SPAN = 5_000_000  # rowids looked at between the first and the last known
_STUCK_LIMIT = 10_000  # rows in a row that do not move forward: the cursor is in a loop


@dataclass
class Health:
    ok: bool
    problems: list[str] = field(default_factory=list)  # SQLite's own words, for the log
    outbox_bad_seqs: list[int] = field(default_factory=list)  # body or link not on the chain
    full: bool = True  # integrity_check (True) or quick_check (False)
    seconds: float = 0.0


class SalvageCancelled(Exception):
    """The salvage was stopped by its caller; the caller removes the half-built file."""


class _Steps:
    """Progress in rows over the whole copy, and the cancel flag, asked every few rows."""

    EVERY = 500

    def __init__(
        self,
        progress: Callable[[int, int], None] | None,
        cancelled: Callable[[], bool] | None,
        total: int,
    ) -> None:
        self.progress, self.cancelled = progress, cancelled
        self.done, self.total = 0, max(total, 1)

    def step(self, n: int = 1) -> None:
        self.done += n
        if self.done % self.EVERY < n or n >= self.EVERY:
            self.tick()

    def tick(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise SalvageCancelled()
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)


@dataclass
class TableCopy:
    copied: int = 0
    lost: int = 0  # rowids known to exist (from an index or the rowid range) but unreadable
    bad_text: int = 0  # rows kept with undecodable text replaced
    unreadable: bool = False  # the table could not be read at all
    # rows read but refused by the schema (garbage from a damaged page): kept aside, not lost
    quarantined: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class Salvage:
    tables: dict[str, TableCopy] = field(default_factory=dict)
    outbox_lost_seqs: list[int] = field(default_factory=list)
    outbox_bad_seqs: list[int] = field(default_factory=list)

    @property
    def rows_lost(self) -> int:
        return sum(t.lost for t in self.tables.values())


class _TextCounter:
    """A text_factory that never fails: bad UTF-8 is replaced and counted."""

    def __init__(self) -> None:
        self.bad = 0

    def __call__(self, data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            self.bad += 1
            return data.decode("utf-8", "replace")


def check(path: Path, *, full: bool = True) -> Health:
    """integrity_check (or quick_check) plus the outbox chain, on a read-only connection."""
    t0 = time.perf_counter()
    health = Health(ok=True, full=full)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return Health(False, [f"open: {exc}"], full=full, seconds=time.perf_counter() - t0)
    conn.text_factory = _TextCounter()
    try:
        pragma = "integrity_check" if full else "quick_check"
        rows = conn.execute(f"PRAGMA {pragma}({MAX_PROBLEMS})").fetchall()
        health.problems = [str(r[0]) for r in rows if r[0] != "ok"]
        health.outbox_bad_seqs = _bad_chain_seqs(conn)
    except READ_ERRORS as exc:
        health.problems.append(str(exc))
    finally:
        conn.close()
    health.ok = not health.problems and not health.outbox_bad_seqs
    health.seconds = time.perf_counter() - t0
    return health


def _bad_chain_seqs(conn: sqlite3.Connection) -> list[int]:
    """Sequences whose body does not hash to the stored hash or whose link is broken."""
    bad: list[int] = []
    prev: tuple[int, str] | None = None
    try:
        cur = conn.execute(
            "SELECT seq, event_id, kind, body, prev_hash, hash FROM outbox ORDER BY seq"
        )
        for seq, event_id, kind, body, prev_hash, digest in cur:
            # a link is checked only against the event just before (a lost one is a gap,
            # reported as lost, not as this event's fault)
            broken_link = prev is not None and prev[0] == seq - 1 and prev_hash != prev[1]
            if broken_link or outbox.chain_hash(prev_hash, event_id, kind, body) != digest:
                bad.append(int(seq))
            prev = (int(seq), digest)
    except READ_ERRORS as exc:
        log.error("outbox unreadable while checking the chain: %s", exc)
        bad.append(-1)
    return bad


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")')]


def _rowid_bounds(src: sqlite3.Connection, table: str) -> tuple[int, int] | None:
    for sql in (f'SELECT min(rowid), max(rowid) FROM "{table}"',):
        try:
            lo, hi = src.execute(sql).fetchone()
            if lo is not None:
                return int(lo), int(hi)
            return None
        except READ_ERRORS:
            pass
    return None


def _span(src: sqlite3.Connection, table: str) -> int:
    """About how many rows a table holds, from its rowid range (0 when unreadable)."""
    try:
        bounds = _rowid_bounds(src, table)
    except READ_ERRORS:
        return 0
    return 0 if bounds is None else min(bounds[1] - bounds[0] + 1, _MAX_SPAN)


def _put(
    dst: sqlite3.Connection,
    insert: str,
    row: tuple[Any, ...],
    result: TableCopy,
    steps: _Steps | None = None,
) -> None:
    if steps is not None:
        steps.step()
    if dst.execute(insert, row).rowcount == 1:
        result.copied += 1
    else:
        result.quarantined.append(row)


def _copy_table(
    src: sqlite3.Connection,
    dst: sqlite3.Connection,
    table: str,
    cols: list[str],
    text: _TextCounter,
    steps: _Steps | None = None,
) -> tuple[TableCopy, list[int]]:
    """Copy rows in rowid order; past an unreadable page, probe rowids one by one."""
    result = TableCopy()
    names = ", ".join(f'"{c}"' for c in cols)
    insert = f'INSERT OR IGNORE INTO "{table}"(rowid, {names}) VALUES (?{", ?" * len(cols)})'
    select = f'SELECT rowid, {names} FROM "{table}" WHERE rowid > ? ORDER BY rowid'
    bounds = _rowid_bounds(src, table)
    copied: list[int] = []
    last = -(2**63) + 1
    probing_from: int | None = None
    while True:
        before = text.bad
        try:
            stuck = 0
            for row in src.execute(select, (last,)):
                rid = int(row[0])
                if rid <= last:
                    stuck += 1  # a damaged page out of order, or a cycle of pages
                    if stuck > _STUCK_LIMIT:
                        raise sqlite3.DatabaseError("rowids go backwards: a loop of pages")
                    continue
                stuck = 0
                _put(dst, insert, tuple(row), result, steps)
                last = rid
                copied.append(rid)
                if text.bad != before:
                    result.bad_text += 1
                    before = text.bad
            break  # reached the end
        except READ_ERRORS as exc:
            if steps is not None:
                steps.tick()
            if probing_from is None:
                log.error("salvage %s: unreadable after rowid %s: %s", table, last, exc)
                probing_from = last
            found = _next_readable(src, table, names, last, bounds)
            if found is None:
                break
            # copy the row found on its own, then scan on after it: every round moves on
            before = text.bad
            _put(dst, insert, found, result, steps)
            last = int(found[0])
            copied.append(last)
            if text.bad != before:
                result.bad_text += 1
    # a damaged page can hide rows from a scan that a search by rowid still finds
    holes = _missing(copied, bounds, _autoinc(src, table))
    found_late = False
    for rid in holes[:_PROBE_LIMIT]:
        try:
            row = src.execute(
                f'SELECT rowid, {names} FROM "{table}" WHERE rowid = ?', (rid,)
            ).fetchone()
        except READ_ERRORS:
            continue
        if row is not None:
            _put(dst, insert, tuple(row), result, steps)
            copied.append(rid)
            found_late = True
    if found_late:
        copied.sort()
    if table in DENSE_TABLES:
        result.lost = len(_missing(copied, bounds, _autoinc(src, table)))
    return result, copied


# tables whose rowids are handed out one after another and only ever lose their oldest rows
# (the retention purge): a hole between the first and last rowid is damage
DENSE_TABLES = (
    "outbox",
    "passages",
    "voids",
    "fever_checks",
    "roster_changes",
    "shift_events",
    "audit_log",
    "sync_rejections",
    "visitor_passes",
    "sync_ack_imports",
)


def _autoinc(src: sqlite3.Connection, table: str) -> int | None:
    try:
        row = src.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    except READ_ERRORS:
        return None
    return None if row is None else int(row[0])


def _missing(copied: list[int], bounds: tuple[int, int] | None, top: int | None) -> list[int]:
    """Rowids between the first known and the last known that were not copied."""
    known = list(copied)
    if bounds is not None:
        known += list(bounds)
    if top is not None and known:
        known.append(top)
    if not known:
        return []
    have = set(copied)
    lo = min(known)
    hi = min(max(known), lo + _MAX_SPAN)  # a garbage rowid from a damaged page can be huge
    return [r for r in range(lo, hi + 1) if r not in have]


def _next_readable(
    src: sqlite3.Connection, table: str, names: str, after: int, bounds: tuple[int, int] | None
) -> tuple[Any, ...] | None:
    """The first row past rowid `after` that can be read on its own (b-tree search per rowid),
    as (rowid, *columns)."""
    hi = bounds[1] if bounds else after + _PROBE_LIMIT
    probe = after + 1
    tried = 0
    while probe <= hi and tried < _PROBE_LIMIT:
        try:
            row = src.execute(f'SELECT rowid FROM "{table}" WHERE rowid >= ? LIMIT 1', (probe,))
            found = row.fetchone()
            if found is None:
                return None
            rid = int(found[0])
            if rid <= after:
                raise sqlite3.DatabaseError("rowid out of order")
            row = src.execute(
                f'SELECT rowid, {names} FROM "{table}" WHERE rowid = ?', (rid,)
            ).fetchone()
            if row is None:
                raise sqlite3.DatabaseError("row vanished")
            return tuple(row)
        except READ_ERRORS:
            probe += 1
            tried += 1
    return None


def salvage(
    src_path: Path,
    dst_path: Path,
    create_schema: Callable[[sqlite3.Connection], Any],
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Salvage:
    """Copy every readable row of src into a new file at dst made by create_schema;
    progress(rows, about_total) every few hundred rows, SalvageCancelled when cancelled()."""
    report = Salvage()
    dst = sqlite3.connect(str(dst_path), isolation_level=None)
    dst.execute("PRAGMA journal_mode = WAL")
    create_schema(dst)
    dst.execute("PRAGMA foreign_keys = OFF")  # a resident lost must not drop their changes
    known = {
        (str(kind), str(name)): str(sql)
        for kind, name, sql in dst.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
        )
    }
    repair_schema(src_path, known)
    src = sqlite3.connect(str(src_path), isolation_level=None)
    text = _TextCounter()
    src.text_factory = text
    try:
        tables = [
            str(r[0])
            for r in dst.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
            if str(r[0]) not in SKIP_TABLES
        ]
        steps = _Steps(progress, cancelled, sum(_span(src, t) for t in tables))
        dst.execute("BEGIN")
        for table in tables:
            steps.tick()
            try:
                src_cols = set(_columns(src, table))
            except READ_ERRORS:
                src_cols = set()
            cols = [c for c in _columns(dst, table) if c in src_cols]
            if not cols:
                report.tables[table] = TableCopy(unreadable=True)
                continue
            copy, rowids = _copy_table(src, dst, table, cols, text, steps)
            report.tables[table] = copy
            top = _autoinc(src, table)
            if top is not None:  # never hand out a sequence number the old file used
                dst.execute(
                    "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", (top, table)
                )
                dst.execute(
                    "INSERT INTO sqlite_sequence(name, seq) SELECT ?, ? WHERE NOT EXISTS "
                    "(SELECT 1 FROM sqlite_sequence WHERE name = ?)",
                    (table, top, table),
                )
            if table == "outbox":
                report.outbox_lost_seqs = _missing(rowids, _rowid_bounds(src, table), top)
        steps.tick()
        dst.execute("COMMIT")
        steps.done = steps.total
        steps.tick()
        report.outbox_bad_seqs = [s for s in _bad_chain_seqs(dst) if s > 0]
    finally:
        src.close()
        dst.close()
    return report
