"""Damage found and survived (#13 finding 10, item 3): 100 random mid-file overwrites of a gate
database (1,500 passages, 256 random bytes at a random place of a random page past the first),
each seen by the start-up quick_check (the baseline, as the issue measured it) and by the
background check (integrity_check + the outbox hash chain); each damaged file is salvaged and
the gate's daily CSV and a USB bundle are made from the result.

    .venv/bin/python bench/damage_bench.py [trials]
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import officer  # noqa: E402
from app.clock import FakeClock  # noqa: E402
from app.database import check_health, open_database, salvage_database  # noqa: E402
from app.errors import KnownError  # noqa: E402
from app.reports.service import ReportService  # noqa: E402
from app.sync.bundle import export_bundle  # noqa: E402
from db import salvage as salvage_db  # noqa: E402
from tests.fakes.damage import PIN, gate_with_records  # noqa: E402

officer.SCRYPT = {"n": 2**12, "r": 8, "p": 1}  # the PIN is not what is measured here


@dataclass
class Measured:
    tally: Counter[str] = field(default_factory=Counter)
    lost_rows: list[int] = field(default_factory=list)
    t_quick: list[float] = field(default_factory=list)
    t_full: list[float] = field(default_factory=list)


def _dump(path: Path) -> object:
    """Every row of every table, as bytes; or the error reading them raised."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.text_factory = bytes
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.execute(f'SELECT rowid, * FROM "{t.decode()}"').fetchall() for t in tables}
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # a garbled schema can be either
        return f"unreadable: {exc}"
    finally:
        conn.close()


def _overwrite(path: Path, rng: random.Random) -> None:
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    raw = bytearray(path.read_bytes())
    page = rng.randrange(2, pages + 1)
    at = (page - 1) * page_size + rng.randrange(0, page_size - 256)
    raw[at : at + 256] = rng.randbytes(256)
    path.write_bytes(bytes(raw))


def main(trials: int = 100) -> None:
    work = Path(tempfile.mkdtemp(prefix="damage-bench-"))
    clock = FakeClock()
    template = work / "template"
    gdb = gate_with_records(template, clock, 1500)
    day = clock.now().date().isoformat()
    gdb.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    gdb.close()
    clean = _dump(template / "gatepost.db")
    rng = random.Random(13)
    m = Measured()
    for trial in range(trials):
        data = work / f"t{trial}"
        shutil.copytree(template, data)
        path = data / "gatepost.db"
        _overwrite(path, rng)
        changed = _dump(path) != clean
        try:
            _trial(path, changed, clock, day, m)
        except Exception as exc:  # a bug: counted and shown, the bench goes on
            m.tally["bug: " + type(exc).__name__] += 1
            print(f"trial {trial}: {type(exc).__name__}: {exc}")
        shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(work)
    _print(trials, m)


def _trial(path: Path, changed: bool, clock: FakeClock, day: str, m: Measured) -> None:
    """Check one damaged copy both ways, salvage it, make the day's CSV and a bundle."""
    data = path.parent
    quick = salvage_db.check(path, full=False)
    m.t_quick.append(quick.seconds)
    full = check_health(path, full=True)
    m.t_full.append(full.seconds)
    if not (changed or full.problems):
        m.tally["harmless (free space or unused bytes)"] += 1
        return
    m.tally["damaged"] += 1
    m.tally["quick_check saw it"] += bool(quick.problems)
    m.tally["background check saw it"] += not full.ok
    m.tally["missed by both"] += full.ok
    report = salvage_database(data, now=clock.now())
    m.lost_rows.append(report.rows_lost)
    m.tally["salvage lost no row"] += report.rows_lost == 0 and report.rows_copied > 0
    m.tally["schema unreadable: nothing salvaged"] += report.rows_copied == 0
    again = open_database(data)
    try:
        kept = again.conn.execute("SELECT count(*) FROM passages").fetchone()[0]
        m.tally["salvage kept all 1,500 passages"] += kept == 1500
        try:
            ReportService(again, clock).export("csv", data / "day.csv", day, pin=PIN)
            m.tally["daily CSV made after salvage"] += 1
        except (KnownError, sqlite3.Error) as exc:
            print(f"{data.name}: export failed: {exc}")
        try:
            (data / "stick").mkdir()
            export_bundle(again.conn, data / "stick", everything=True)
            m.tally["USB bundle made after salvage"] += 1
        except (KnownError, sqlite3.Error) as exc:
            print(f"{data.name}: bundle failed: {exc}")
    finally:
        again.close()


def _print(trials: int, m: Measured) -> None:
    tally, lost_rows, t_quick, t_full = m.tally, m.lost_rows, m.t_quick, m.t_full
    print(f"{trials} random 256-byte overwrites of a 1,500-passage gate database")
    for key in (
        "harmless (free space or unused bytes)",
        "damaged",
        "quick_check saw it",
        "background check saw it",
        "missed by both",
        "salvage lost no row",
        "salvage kept all 1,500 passages",
        "schema unreadable: nothing salvaged",
        "daily CSV made after salvage",
        "USB bundle made after salvage",
        *sorted(k for k in tally if k.startswith("bug")),
    ):
        print(f"| {key} | {tally[key]} |")
    if lost_rows:
        print(f"rows lost per salvage: max {max(lost_rows)}, total {sum(lost_rows)}")
    print(
        f"quick_check median {sorted(t_quick)[len(t_quick) // 2] * 1000:.1f} ms, background "
        f"check median {sorted(t_full)[len(t_full) // 2] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    t0 = time.perf_counter()
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
    print(f"wall {time.perf_counter() - t0:.0f} s")
