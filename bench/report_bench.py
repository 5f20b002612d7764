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
    day_n = conn.execute("SELECT count(*) FROM passages WHERE local_date = ?", (last,)).fetchone()[0]
    today = date.today().isoformat()
    print(f"\n## counters on {n:,} passages ({big})")
    for label, day in ((f"today ({today}, being filled)", today), (f"a full day {last} ({day_n:,})", last)):
        med, worst = timed(lambda d=day: records.day_counters(conn, d), 21)
        print(f"day_counters {label}: median {med * 1000:.2f} ms, max {worst * 1000:.2f} ms")
    svc = GateService(gdb)
    med, worst = timed(svc.today, 5)
    print(f"GateService.today() incl. visitors_inside: median {med * 1000:.1f} ms, max {worst * 1000:.1f} ms")
    med, worst = timed(lambda: gather(conn, last, last), 3)
    print(f"report gather for {last}: median {med * 1000:.0f} ms")
    gdb.close()


def naive_xlsx(conn, day: str, out: Path) -> None:
    from openpyxl import Workbook

    rows = conn.execute("SELECT * FROM passages WHERE local_date = ?", (day,)).fetchall()
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(export.passage_values(r, "zh", True))
    wb.save(out)


def naive_csv(conn, day: str, out: Path) -> None:
    rows = conn.execute("SELECT * FROM passages WHERE local_date = ?", (day,)).fetchall()
    table = [export.passage_values(r, "zh", True) for r in rows]
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(table)


def exports(work: Path, sizes: list[int]) -> None:
    print("\n## one day exported (masked), seconds and tracemalloc peak MB")
    print("| passages | CSV s | CSV peak MB | XLSX s | XLSX peak MB | naive CSV s / MB | naive XLSX s / MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        d = work / f"d{size}"
        d.mkdir()
        gdb = open_database(d)
        day = date.today() - timedelta(days=1)
        generate(gdb.conn, days=1, residents=max(1, round(size / 3.8)), key=b"k", today=date.today(),
                 utc_offset_s=8 * 3600, seed=size)
        conn, iso = gdb.conn, day.isoformat()
        report = gather(conn, iso, iso)
        rows = q.count_passages(conn, iso, iso)
        c_t, _ = timed(lambda: export.write_csv(conn, report, d / "r.csv"), 3)
        c_m = peak_mb(lambda: export.write_csv(conn, report, d / "r.csv"))
        x_t, _ = timed(lambda: export.write_xlsx(conn, report, d / "r.xlsx"), 3)
        x_m = peak_mb(lambda: export.write_xlsx(conn, report, d / "r.xlsx"))
        nc_t, _ = timed(lambda: naive_csv(conn, iso, d / "n.csv"), 1)
        nc_m = peak_mb(lambda: naive_csv(conn, iso, d / "n.csv"))
        nx_t, _ = timed(lambda: naive_xlsx(conn, iso, d / "n.xlsx"), 1)
        nx_m = peak_mb(lambda: naive_xlsx(conn, iso, d / "n.xlsx"))
        print(f"| {rows:,} | {c_t:.2f} | {c_m:.1f} | {x_t:.2f} | {x_m:.1f} | "
              f"{nc_t:.2f} / {nc_m:.1f} | {nx_t:.2f} / {nx_m:.1f} |")
        gdb.close()


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
