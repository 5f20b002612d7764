#!/usr/bin/env python3
"""Benchmarks for #5: today's counters on a big database; a big day to XLSX and CSV.

  python bench/report_bench.py --big-db DIR     # a data dir filled by demo-data --days 365 …
  python bench/report_bench.py                  # exports only (builds its own days)

Times are wall-clock medians; peak memory is tracemalloc's peak in a separate run (tracemalloc
slows Python down, so it never shares a run with a timing). The baseline is the naive way:
fetchall() plus a normal (not write_only) openpyxl workbook / a list of rows for CSV.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.database import open_database  # noqa: E402
from app.gate.service import GateService  # noqa: E402
from app.reports import export  # noqa: E402
from app.reports.data import gather  # noqa: E402
from app.reports.demo import generate  # noqa: E402
from db import records  # noqa: E402
from db import reports as q  # noqa: E402


def timed(fn, repeat: int = 5) -> tuple[float, float]:
    """(median, max) seconds over `repeat` calls."""
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), max(runs)


def peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def counters(big: Path) -> None:
    gdb = open_database(big)
    conn = gdb.conn
    n = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    last = conn.execute("SELECT max(local_date) FROM passages").fetchone()[0]
    day_n = conn.execute("SELECT count(*) FROM passages WHERE local_date = ?", (last,)).fetchone()[
        0
    ]
    today = date.today().isoformat()
    print(f"\n## counters on {n:,} passages ({big})")
    for label, day in (
        (f"today ({today}, being filled)", today),
        (f"a full day {last} ({day_n:,})", last),
    ):
        med, worst = timed(lambda d=day: records.day_counters(conn, d), 21)
        print(f"day_counters {label}: median {med * 1000:.2f} ms, max {worst * 1000:.2f} ms")
    svc = GateService(gdb)
    med, worst = timed(svc.today, 5)
    print(
        f"GateService.today() incl. visitors_inside: median {med * 1000:.1f} ms, "
        f"max {worst * 1000:.1f} ms"
    )
    med, worst = timed(lambda: gather(conn, last, last), 3)
    print(f"report gather for {last}: median {med * 1000:.0f} ms")
    gdb.close()


def naive_xlsx(conn, day: str, out: Path) -> None:
    from openpyxl import Workbook

    rows = list(q.iter_passages(conn, day, day))  # all at once
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(export.passage_values(r, "zh", True))
    wb.save(out)


def naive_csv(conn, day: str, out: Path) -> None:
    rows = list(q.iter_passages(conn, day, day))  # all at once
    table = [export.passage_values(r, "zh", True) for r in rows]
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(table)


def one_size(d: Path, size: int) -> str:
    """A fresh data dir with one demo day of about `size` passages, exported four ways."""
    d.mkdir()
    gdb = open_database(d)
    day = date.today() - timedelta(days=1)
    residents = max(1, round(size / 3.8))
    generate(
        gdb.conn,
        days=1,
        residents=residents,
        key=b"k",
        today=date.today(),
        utc_offset_s=8 * 3600,
        seed=size,
    )
    conn, iso = gdb.conn, day.isoformat()
    report = gather(conn, iso, iso)
    rows = q.count_passages(conn, iso, iso)

    def csv_run() -> None:
        export.write_csv(conn, report, d / "r.csv")

    def xlsx_run() -> None:
        export.write_xlsx(conn, report, d / "r.xlsx")

    def naive_csv_run() -> None:
        naive_csv(conn, iso, d / "n.csv")

    def naive_xlsx_run() -> None:
        naive_xlsx(conn, iso, d / "n.xlsx")

    cells = []
    for fn, repeat in ((csv_run, 3), (xlsx_run, 3), (naive_csv_run, 1), (naive_xlsx_run, 1)):
        seconds, _ = timed(fn, repeat)
        cells.append(f"{seconds:.2f} s / {peak_mb(fn):.1f} MB")
    gdb.close()
    return f"| {rows:,} | " + " | ".join(cells) + " |"


def exports(work: Path, sizes: list[int]) -> None:
    print("\n## one day exported (masked): median seconds / tracemalloc peak MB")
    print("| passages | CSV (streamed) | XLSX (write_only) | naive CSV | naive XLSX |")
    print("|---:|---:|---:|---:|---:|")
    for size in sizes:
        print(one_size(work / f"d{size}", size), flush=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--big-db", type=Path, help="data dir with a year of demo data")
    p.add_argument("--sizes", default="2000,20000", help="passages per exported day")
    args = p.parse_args()
    if args.big_db:
        counters(args.big_db)
    with tempfile.TemporaryDirectory() as tmp:
        exports(Path(tmp), [int(s) for s in args.sizes.split(",")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
