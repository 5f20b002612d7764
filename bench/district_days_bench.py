#!/usr/bin/env python3
"""The district day's CSV and XLSX when the table holds several days, as under retention (#15):
--older days of --per-day events beside the measured day of --day-events, generated as
bench/district_bench.py generates them (gates' batches interleaved, the CSV cells stored as
ingest stores them). The exports each run in a fresh interpreter for their peak memory, the
XLSX as the officer's page makes it (into a temporary file).

    python bench/district_days_bench.py [--per-day 2500000] [--older 3] [--day-events 10000000]
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.district_bench import CSV, DAY, PG_DEFAULT, XLSX, fill, schema_url  # noqa: E402
from bench.sync_bench import drop_pg  # noqa: E402
from server.store import PostgresStore  # noqa: E402
from tests.fakes.peakmem import measure  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--per-day", type=int, default=2_500_000)
    ap.add_argument("--older", type=int, default=3)
    ap.add_argument("--day-events", type=int, default=10_000_000)
    ap.add_argument("--gates", type=int, default=500)
    ap.add_argument("--csv-runs", type=int, default=2)
    ap.add_argument("--postgres", default=os.environ.get("GATEPOST_TEST_DATABASE_URL", PG_DEFAULT))
    args = ap.parse_args()
    first = date.fromisoformat(DAY) - timedelta(days=args.older)
    days = {(first + timedelta(days=k)).isoformat(): args.per_day for k in range(args.older)}
    days[DAY] = args.day_events
    schema, url = schema_url(args.postgres)
    try:
        PostgresStore(url).migrate()
        took = fill(url, args.gates, days)
        print(f"| fill {sum(days.values()):,} events over {len(days)} days | {took:.0f} s |")
        for i in range(args.csv_runs):
            run = measure(CSV.format(url=url, day=DAY), timeout=3600)
            r = run.result
            print(
                f"| CSV of the day, run {i + 1} | {r['rows']:,} rows, {r['seconds']:.1f} s, "  # type: ignore[index]
                f"{r['rows'] / r['seconds']:,.0f} rows/s ({r['rows'] / r['cpu']:,.0f} a CPU "  # type: ignore[index]
                f"second), peak RSS {run.rss_mb:.0f} MB, load {os.getloadavg()[0]:.1f} |",
                flush=True,
            )
        run = measure(XLSX.format(url=url, day=DAY), timeout=7200)
        r = run.result
        print(
            f"| XLSX of the day (to a temporary file) | {r['seconds']:.1f} s, "  # type: ignore[index]
            f"{args.day_events / r['seconds']:,.0f} rows/s, {r['bytes'] / 1e6:,.0f} MB file, "  # type: ignore[index]
            f"peak RSS {run.rss_mb:.0f} MB, load {os.getloadavg()[0]:.1f} |",
            flush=True,
        )
    finally:
        drop_pg(args.postgres, schema)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
