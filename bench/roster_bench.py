"""Roster at the size of a large compound (5,000 residents): import, re-import, and the
per-scan cost of a pass (verify + watchlist/quota/replay checks) in the morning peak.

    python bench/roster_bench.py [N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.clock import FakeClock  # noqa: E402
from app.database import open_database  # noqa: E402
from app.roster import importer, passes  # noqa: E402
from app.roster.checks import gate_checks  # noqa: E402
from tests.fakes import roster_files as rf  # noqa: E402


def timed(label: str, fn, repeat: int = 1):
    start = time.perf_counter()
    for _ in range(repeat):
        out = fn()
    ms = (time.perf_counter() - start) * 1000 / repeat
    print(f"{label:<44} {ms:10.2f} ms")
    return out


def main(n: int = 5000) -> None:
    clock = FakeClock()
    rows = rf.compound_rows(n)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        csv_path = rf.write_csv(tmp_path / "roster.csv", rows, "gbk")
        xlsx_path = rf.write_xlsx(tmp_path / "roster.xlsx", [["title"] + [""] * 5, [""] * 6, *rows])
        (tmp_path / "data").mkdir()
        gdb = open_database(tmp_path / "data")
        today = clock.now().date()
        plan = timed(f"plan CSV (GBK), {n} rows", lambda: importer.plan(gdb.conn, csv_path, today))
        timed(f"plan XLSX, {n} rows", lambda: importer.plan(gdb.conn, xlsx_path, today))
        result = timed(
            f"apply (write {n} + change log + outbox)",
            lambda: importer.apply(gdb.conn, plan, clock, "bench"),
        )
        assert result.imported == n, result.summary()
        again = importer.plan(gdb.conn, csv_path, today)
        timed(
            f"re-import same file ({again.count('unchanged')} unchanged)",
            lambda: importer.apply(gdb.conn, again, clock, "bench"),
        )
        text = passes.resident_pass(gdb.conn, clock, n // 2, today, today + timedelta(days=90))
        check = timed(
            "resolve_pass (verify + roster)",
            lambda: passes.resolve_pass(gdb.conn, text, clock.now()),
            repeat=200,
        )
        timed(
            "gate_checks (watchlist, quota, replay)",
            lambda: gate_checks(gdb.conn, check.identity(), "out", today, "0" * 64, 1),
            repeat=200,
        )
        gdb.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
