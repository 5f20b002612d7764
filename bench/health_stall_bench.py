#!/usr/bin/env python3
"""Does the background damage check hold up the window? (#13 item 3)

The real gate window offscreen (MainWindow + install_features) on a file database of N outbox
events (default 60,000 chained events plus 3 days of ~20,000 demo passages); the full
integrity_check and the outbox hash chain run as the window runs them (ui/admin/health.py, on
the runner), while gui_stall_bench's 10 ms probe ticks on the GUI thread. Compared with the
same probe with nothing running, in the same run.

    QT_QPA_PLATFORM=offscreen python bench/health_stall_bench.py [--events 60000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.gui_stall_bench import Probe, measure, run_until  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=60_000)
    args = ap.parse_args()
    qapp = QApplication.instance() or QApplication([])  # noqa: F841 - kept alive
    from app.clock import SystemClock
    from app.database import open_database
    from app.gate.service import GateService
    from app.reports.demo import generate, utc_offset_seconds
    from app.shifts.service import ShiftService
    from tests.sync.conftest import add_events
    from ui.app import install_features
    from ui.common.runner import wait_for_all
    from ui.common.sound import Sounds
    from ui.gate.window import MainWindow

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        gdb = open_database(tmp)
        clock = SystemClock()
        print(f"filling: 3 days of ~20,000 passages and {args.events:,} events …", flush=True)
        generate(
            gdb.conn,
            days=3,
            residents=5000,
            key=gdb.device.hash_key,
            today=clock.now().date() - timedelta(days=1),
            utc_offset_s=utc_offset_seconds(clock.now()),
        )
        add_events(gdb.conn, args.events)
        events = gdb.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
        size_mb = gdb.path.stat().st_size / 1e6
        shifts = ShiftService(gdb)  # a volunteer on duty: no sign-in dialog at start
        shifts.start(shifts.add_volunteer("王阿姨")["id"])
        window = MainWindow(GateService(gdb), None, sounds=Sounds(enabled=False), lang="zh")
        install_features(window, gdb)
        window.show()
        health = window.features["health"]
        run_until(lambda: health.task is not None and not health.task.running, 600)
        probe = Probe()
        probe.start()
        idle_end = time.perf_counter() + 5.0
        idle = measure(probe, "nothing running (5 s, baseline)", lambda: None,
                       lambda: time.perf_counter() >= idle_end)  # fmt: skip
        rows = [
            measure(
                probe,
                f"damage check ({events:,} events, {size_mb:.0f} MB)",
                health.check,
                lambda: not health.task.running,
            )
            for _ in range(3)
        ]
        window.close()
        wait_for_all(30_000)
        gdb.close()
    worst = max(r["stall_ms"] for r in rows)
    print(
        f"\ncheck took {min(r['wall_s'] for r in rows):.1f}–{max(r['wall_s'] for r in rows):.1f} s;"
        f" worst stall {worst:.1f} ms vs {idle['stall_ms']:.1f} ms idle "
        f"(ratio {worst / max(idle['stall_ms'], 1.0):.1f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
